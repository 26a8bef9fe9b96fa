"""Deployment recipes (llama.cpp, Ollama, LM Studio, transformers/vLLM) from the real artifacts of a release.

File names, the chat template, the stop tokens and the thinking mode all come from the report; nothing
is typed in by hand, so a recipe cannot name a file that was not built or a stop token the model does
not emit. Serving flags follow the template's family: the tool-call format it teaches (Qwen3-Coder XML
for Qwen3.5, JSON in `<tool_call>` for Qwen2.5/Qwen3/Hermes) picks vLLM's parser, a `<think>` block its
reasoning parser, and the release's template variables (`enable_thinking`) are passed as scored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from harness.chat.template import render, supports_tools
from harness.errors import BadInput
from harness.publish.metrics import file_name, recommended, reference
from harness.records.report import Report

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
    # Arguments after `vllm serve MODEL` / `llama-server -m FILE`, unquoted (the card shell-quotes each).
    vllm_args: list[str] = field(default_factory=list)
    llama_server_args: list[str] = field(default_factory=lambda: ["--jinja"])
    template_kwargs: dict[str, Any] = field(default_factory=dict)  # what apply_chat_template is given
    thinking: str = ""  # one sentence: the mode the scores were measured in ("" for older reports)

    @property
    def py_kwargs(self) -> str:
        """template_kwargs as Python keyword arguments ("enable_thinking=False, "); names are identifiers."""
        return "".join(f"{k}={v!r}, " for k, v in self.template_kwargs.items())


def _go_literal(text: str) -> str:
    """Literal text inside a Go template: '{{' would open an action, so it is written as one."""
    return text.replace("{{", '{{ "{{" }}')


def ollama_template(chat_template: str, variables: dict[str, Any] | None = None) -> str | None:
    """The chat template's single-turn layout as an Ollama Go template (.System/.Prompt/.Response).

    Rendered, not parsed: the jinja template is run in the sandbox with placeholder messages, with
    and without a system message, and the placeholders' surroundings become the Go template's text.
    None when the template cannot be laid out that way (it drops the system message, say).
    """
    if not chat_template:
        return None
    try:
        # With the release's variables: a thinking-off Qwen prompt ends in its closed, empty reasoning block.
        with_sys = render(chat_template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USER}],
                          variables=variables)
        no_sys = render(chat_template, [{"role": "user", "content": _USER}], variables=variables)
        turn = render(chat_template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USER},
                                      {"role": "assistant", "content": _REPLY}], add_generation_prompt=False,
                      variables=variables)
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


def tool_call_format(chat_template: str) -> str | None:
    """The call format the template teaches: "xml" (Qwen3-Coder `<function=NAME><parameter=ARG>` inside
    `<tool_call>`, Qwen3.5), "json" (`<tool_call>{"name": ...}`, Qwen2.5/Qwen3/Hermes), None (no tools)."""
    if not _uses_tool_call_tags(chat_template):
        return None
    return "xml" if "<function=" in chat_template and "<parameter=" in chat_template else "json"


def _template_vars(report: Report) -> dict[str, Any]:
    """The variables every render of the release had, as far as the template reads them."""
    from harness.chat.thinking import ChatSettings

    if report.thinking is None:
        return {}
    t = report.thinking
    return ChatSettings(t.mode, tuple(sorted(t.template_kwargs.items()))).for_template(report.chat_template).variables


def vllm_args(chat_template: str, thinks: bool, variables: dict[str, Any]) -> list[str]:
    fmt = tool_call_format(chat_template)
    args = ["--enable-auto-tool-choice", "--tool-call-parser", "qwen3_coder" if fmt == "xml" else "hermes"] if fmt else []
    # Qwen3.5 opens a reasoning block in every prompt (empty when off): the parser keeps it out of the
    # answer. A JSON-call template needs one only when the model reasons.
    if "<think>" in chat_template and (fmt == "xml" or thinks):
        args += ["--reasoning-parser", "qwen3"]
    if variables:
        args += ["--default-chat-template-kwargs", json.dumps(variables)]
    return args


def thinking_sentence(report: Report) -> str:
    t = report.thinking
    if t is None:
        return ""
    if not t.in_template:
        return (f"Thinking mode: {t.mode} in the profile; this chat template has no `enable_thinking` switch, so "
                "the setting changed nothing" + (" (the template opens a reasoning block itself)." if t.reasoning else "."))
    if t.reasoning:
        return (f"Thinking mode: **on** (`enable_thinking=true` in every render: training, eval, checks). Scores "
                f"read the answer after `</think>`, with up to {t.max_new_tokens} new tokens per item.")
    return ("Thinking mode: **off** (`enable_thinking=false` in every render: training, eval, checks); the "
            "recipes below pass the same setting, as the scores were measured.")


def recipes(report: Report, repo_id: str | None) -> Recipes:
    default = recommended(report)
    ggufs = sorted((lv for lv in report.levels if lv.kind == "gguf" and lv.shipped),
                   key=lambda lv: (lv is not default, -lv.bits_per_weight))
    ref = reference(report)
    variables = _template_vars(report)
    thinks = report.thinking is not None and report.thinking.reasoning
    return Recipes(
        ggufs=[file_name(lv) for lv in ggufs], default_file=file_name(default) if default else None,
        default_level=default.name if default else None,
        hf_ref=repo_id or (ref.path if ref is not None and ref.kind == "hf" else None),
        ollama_name=re.sub(r"[^a-z0-9._-]+", "-", (repo_id or report.release).split("/")[-1].lower()).strip("-.") or "model",
        ollama_template=ollama_template(report.chat_template, variables), stop_tokens=list(report.stop_tokens),
        tool_calls=_uses_tool_call_tags(report.chat_template),
        vllm_args=vllm_args(report.chat_template, thinks, variables),
        llama_server_args=["--jinja", *(["--chat-template-kwargs", json.dumps(variables)] if variables else [])],
        template_kwargs=variables, thinking=thinking_sentence(report))
