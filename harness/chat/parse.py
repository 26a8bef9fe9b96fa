"""Tool calls parsed from a model output, in the format the model's template teaches.

- JSON in `<tool_call>` tags (Qwen2.5/Qwen3, Hermes): `{"name": ..., "arguments": {...}}`, one per tag;
- Qwen3-Coder XML in `<tool_call>` tags (Qwen3.5): `<function=NAME><parameter=ARG>VALUE</parameter>`,
  values typed by the tool's JSON Schema (harness/chat/xml_values.py), so the tools are an argument;
  `<function=` blocks without the tags are read too (Qwen3-Coder sometimes drops them, vLLM reads them);
- else a bare JSON object or list of them as the whole answer.
Each `<tool_call>` block is read in the format it is written in, so a mixed output parses; `format`
says which were seen. Only the answer counts: the text after the last `</think>` (reasoning.py);
reasoning never closed is `unfinished`, with no calls.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.chat.reasoning import split_reasoning
from harness.chat.xml_calls import parse_functions

Format = Literal["none", "json", "bare_json", "xml", "mixed"]
_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ParsedOutput:
    calls: list[Call] = field(default_factory=list)
    attempted: bool = False  # the answer tried to call a tool (tag, <function=, or bare JSON)
    # Every attempted call decoded into a name and an arguments object: JSON that parses, or XML that
    # is well formed (the name kept for the metric: an XML call that decodes counts as json_valid).
    json_valid: bool = False
    format: Format = "none"
    unfinished: bool = False  # reasoning opened and never closed: no answer at all
    answer: str = ""  # the text the calls were read from


def _as_call(obj: Any) -> Call | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return None
    return Call(obj["name"], args) if isinstance(args, dict) else None


def _json_block(block: str) -> tuple[list[Call], bool]:
    try:
        call = _as_call(json.loads(block))
    except (json.JSONDecodeError, RecursionError):
        call = None
    return ([call], True) if call is not None else ([], False)


def _xml(body: str, tools: list[dict[str, Any]] | None) -> tuple[list[Call], bool]:
    decoded, ok = parse_functions(body, tools)
    return [Call(name, args) for name, args in decoded], ok


def _bare_json(answer: str) -> ParsedOutput:
    try:
        obj = json.loads(answer)
    except (json.JSONDecodeError, RecursionError):
        return ParsedOutput([], attempted=True, format="bare_json", answer=answer)
    items = obj if isinstance(obj, list) else [obj]
    calls = [c for c in (_as_call(i) for i in items) if c is not None]
    return ParsedOutput(calls, attempted=True, json_valid=len(calls) == len(items) and bool(items),
                        format="bare_json", answer=answer)


def parse_tool_calls(text: str, tools: list[dict[str, Any]] | None = None) -> ParsedOutput:
    """The calls in `text`; `tools` (OpenAI-style, as the prompt offered them) type XML values."""
    reasoned = split_reasoning(text)
    if reasoned.unfinished:
        return ParsedOutput(unfinished=True)
    answer = reasoned.answer
    blocks = _BLOCK.findall(answer)
    if not blocks and "<function=" in answer:
        blocks = [answer[answer.index("<function="):].replace("</tool_call>", "")]
    if blocks:
        calls: list[Call] = []
        ok, formats = True, set()
        for block in blocks:
            xml = block.lstrip().startswith("<function=")
            formats.add("xml" if xml else "json")
            got, block_ok = _xml(block, tools) if xml else _json_block(block)
            calls += got
            ok = ok and block_ok
        fmt = formats.pop() if len(formats) == 1 else "mixed"
        return ParsedOutput(calls, attempted=True, json_valid=ok, format=fmt, answer=answer)
    if answer.startswith(("{", "[")):
        return _bare_json(answer)
    return ParsedOutput(answer=answer)
