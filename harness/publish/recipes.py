"""Deployment recipes (llama.cpp, Ollama, LM Studio, transformers/vLLM) from the real artifacts of a release.

File names, the chat template and the stop tokens all come from the report; nothing is typed in by
hand, so a recipe cannot name a file that was not built or a stop token the model does not emit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.chat.template import render, supports_tools
from harness.errors import BadInput
from harness.publish.metrics import file_name, recommended, reference
from harness.report.model import Report

# Placeholders rendered through the chat template to find where each part of a turn goes.
_SYS, _USER, _REPLY = "\x02SYSTEM\x03", "\x02USER\x03", "\x02REPLY\x03"


@dataclass
class Recipes:
    ggufs: list[str]  # every shipped GGUF file, smallest passing one first
    default_file: str | None
    default_level: str | None
    hf_ref: str | None  # Hub repo id, or the 16-bit folder's path inside the run folder
    ollama_name: str
    ollama_template: str | None  # Go template for Ollama's TEMPLATE, derived from the jinja template
    stop_tokens: list[str] = field(default_factory=list)
    tool_calls: bool = False  # the template takes tools and the model answers in <tool_call> tags


def _go_literal(text: str) -> str:
    """Literal text inside a Go template: '{{' would open an action, so it is written as one."""
    return text.replace("{{", '{{ "{{" }}')


def ollama_template(chat_template: str) -> str | None:
    """The chat template's single-turn layout as an Ollama Go template (.System/.Prompt/.Response).

    Rendered, not parsed: the jinja template is run in the sandbox with placeholder messages, with
    and without a system message, and the placeholders' surroundings become the Go template's text.
    None when the template cannot be laid out that way (it drops the system message, say).
    """
    if not chat_template:
        return None
    try:
        with_sys = render(chat_template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USER}])
        no_sys = render(chat_template, [{"role": "user", "content": _USER}])
        turn = render(chat_template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USER},
                                      {"role": "assistant", "content": _REPLY}], add_generation_prompt=False)
    except BadInput:
        return None
    if with_sys.count(_SYS) != 1 or with_sys.count(_USER) != 1 or no_sys.count(_USER) != 1:
        return None
    pre_sys, rest = with_sys.split(_SYS)
    mid, post = rest.split(_USER)
    pre_user, post_nosys = no_sys.split(_USER)
    if post != post_nosys:  # the generation prompt depends on the system message: no single layout
        return None
    # What closes a reply: the text after it when the rendered turn starts like the prompt did.
    reply_end = ""
    if turn.count(_REPLY) == 1 and turn.split(_REPLY)[0] == with_sys:
        reply_end = turn.split(_REPLY)[1]
    parts = ["{{ if .System }}", _go_literal(pre_sys), "{{ .System }}", _go_literal(mid), "{{ else }}",
             _go_literal(pre_user), "{{ end }}{{ .Prompt }}", _go_literal(post), "{{ .Response }}", _go_literal(reply_end)]
    text = "".join(parts)
    return None if '"""' in text else text


def _uses_tool_call_tags(chat_template: str) -> bool:
    return "<tool_call>" in chat_template and supports_tools(chat_template)


def recipes(report: Report, repo_id: str | None) -> Recipes:
    default = recommended(report)
    ggufs = sorted((lv for lv in report.levels if lv.kind == "gguf" and lv.shipped),
                   key=lambda lv: (lv is not default, -lv.bits_per_weight))
    ref = reference(report)
    return Recipes(
        ggufs=[file_name(lv) for lv in ggufs], default_file=file_name(default) if default else None,
        default_level=default.name if default else None,
        hf_ref=repo_id or (ref.path if ref is not None and ref.kind == "hf" else None),
        ollama_name=re.sub(r"[^a-z0-9._-]+", "-", (repo_id or report.release).split("/")[-1].lower()).strip("-.") or "model",
        ollama_template=ollama_template(report.chat_template), stop_tokens=list(report.stop_tokens),
        tool_calls=_uses_tool_call_tags(report.chat_template))
