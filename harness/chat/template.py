"""Chat templates rendered only in jinja2's immutable sandbox, as the model's own file defines them."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from harness.chat.sandbox import ChatTemplateEnvironment, guarded
from harness.errors import BadInput


class TemplateRaised(Exception):
    """A template called raise_exception()."""


class TemplateRunaway(Exception):
    """A template ran past its time or output budget (a loop that never ends, an output bomb)."""


# A real chat template renders in well under a millisecond; these bounds only stop hostile ones.
RENDER_SECONDS = 2.0
RENDER_MAX_CHARS = 4_000_000
RENDER_MAX_MEMORY = 64 << 20  # memory growth a render may cause (a string doubled line after line)
_CHECK_EVERY = 1000  # template lines executed between clock reads
_MEMORY_EVERY = 4  # template lines between memory reads (~4 us each): a line can double a string

def _raise(message: str) -> None:
    raise TemplateRaised(message)


def _tojson(value: Any, indent: int | None = None, ensure_ascii: bool = False, sort_keys: bool = False) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)


@lru_cache(maxsize=32)
def _compile(source: str):
    # The sandbox with costly built-ins capped and lipsum gone (harness/chat/sandbox.py): one call
    # outside the template's own frames escapes the deadline's tracer.
    env = ChatTemplateEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = guarded(_tojson, widths=(1, "indent"))
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env.from_string(source)


def render(
    source: str,
    messages: list[dict[str, Any]],
    *,
    tools: list[dict[str, Any]] | None = None,
    add_generation_prompt: bool = True,
    bos_token: str = "",
    eos_token: str = "",
    origin: str = "chat template",
    variables: Mapping[str, Any] | None = None,
) -> str:
    """Render `messages` through template `source`; template faults become BadInput naming `origin`.
    `variables` are extra template variables (`enable_thinking`, a profile's template_kwargs).

    The sandbox stops attribute escapes; it does not stop `{% for %}` nested over large ranges. So the
    render runs under a line tracer scoped to the template's own frames (deadline) and its output is
    streamed with a size cap."""
    try:
        template = _compile(source)
        with _deadline(RENDER_SECONDS):
            parts, size = [], 0
            for chunk in template.generate({**(variables or {}), "messages": messages, "tools": tools,
                                            "add_generation_prompt": add_generation_prompt,
                                            "bos_token": bos_token, "eos_token": eos_token}):
                size += len(chunk)
                if size > RENDER_MAX_CHARS:
                    raise TemplateRunaway(f"output exceeds {RENDER_MAX_CHARS:,} characters")
                parts.append(chunk)
        return "".join(parts)
    except BadInput:
        raise
    except TemplateRunaway as e:
        raise BadInput(origin, f"chat template stopped: {e}") from None
    except Exception as e:  # a template is untrusted input: any fault in it is the template's
        raise BadInput(origin, f"chat template failed to render: {type(e).__name__}: {e}") from None


class _deadline:
    """sys.settrace for the template's frames only (compiled templates have filename "<template>"):
    other code runs untraced, and the previous tracer (a debugger, coverage) is restored after."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self):
        self.prev = sys.gettrace()
        end, count = time.monotonic() + self.seconds, 0
        rss = _Resident()
        limit = rss.kib() + RENDER_MAX_MEMORY // 1024

        def local(frame, event, arg):
            nonlocal count
            count += 1
            if count % _CHECK_EVERY == 0 and time.monotonic() > end:
                raise TemplateRunaway(f"rendering took over {self.seconds:g} s (a loop that does not end?)")
            if count % _MEMORY_EVERY == 0 and rss.kib() > limit:
                raise TemplateRunaway(f"rendering used over {RENDER_MAX_MEMORY >> 20} MiB of memory")
            return local

        def scope(frame, event, arg):
            return local if frame.f_code.co_filename == "<template>" else None

        self.rss = rss
        sys.settrace(scope)
        return self

    def __exit__(self, *exc) -> None:
        sys.settrace(self.prev)
        self.rss.close()


class _Resident:
    """The process's resident memory in KiB: /proc/self/statm where there is one (current, not peak:
    a process that once held a model would hide a render's growth below its old peak), else the peak."""

    def __init__(self) -> None:
        try:
            self.fd: int | None = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            self.fd = None

    def kib(self) -> int:
        if self.fd is None:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(os.pread(self.fd, 128, 0).split()[1]) * _PAGE_KIB

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def supports_tools(source: str) -> bool:
    """True when the template renders tool definitions it is given (the tool name shows up)."""
    probe = [{"type": "function", "function": {"name": "zz_probe_tool_zz", "description": "probe",
                                                "parameters": {"type": "object", "properties": {}}}}]
    try:
        text = render(source, [{"role": "user", "content": "hi"}], tools=probe)
    except BadInput:
        return False
    return "zz_probe_tool_zz" in text
