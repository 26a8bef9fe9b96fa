"""Chat templates rendered only in jinja2's immutable sandbox, as the model's own file defines them."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from harness.errors import BadInput


class TemplateRaised(Exception):
    """A template called raise_exception()."""


def _raise(message: str) -> None:
    raise TemplateRaised(message)


def _tojson(value: Any, indent: int | None = None, ensure_ascii: bool = False, sort_keys: bool = False) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)


@lru_cache(maxsize=32)
def _compile(source: str):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = _tojson
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
) -> str:
    """Render `messages` through template `source`; template faults become BadInput naming `origin`."""
    try:
        return _compile(source).render(
            messages=messages, tools=tools, add_generation_prompt=add_generation_prompt,
            bos_token=bos_token, eos_token=eos_token,
        )
    except BadInput:
        raise
    except Exception as e:  # a template is untrusted input: any fault in it is the template's
        raise BadInput(origin, f"chat template failed to render: {type(e).__name__}: {e}") from None


def supports_tools(source: str) -> bool:
    """True when the template renders tool definitions it is given (the tool name shows up)."""
    probe = [{"type": "function", "function": {"name": "zz_probe_tool_zz", "description": "probe",
                                                "parameters": {"type": "object", "properties": {}}}}]
    try:
        text = render(source, [{"role": "user", "content": "hi"}], tools=probe)
    except BadInput:
        return False
    return "zz_probe_tool_zz" in text
