"""Qwen3-Coder XML tool calls, as Qwen3.5's template teaches them:

    <tool_call>
    <function=NAME>
    <parameter=ARG>
    VALUE
    </parameter>
    </function>
    </tool_call>

A call decodes only when it is well formed: a non-empty function name, every parameter closed by
`</parameter>` before the next tag, the function closed by `</function>`, nothing but whitespace
between the tags. vLLM's parser is more forgiving (it closes an open parameter at the next one or at
the end of the text), which serves a chat client but would score a call cut off mid-value as valid.
The template's newline after `<parameter=ARG>` and before `</parameter>` is dropped, one each, as
vLLM and llama.cpp do; the value is then typed by the tool's schema (xml_values.convert).
"""

from __future__ import annotations

import re
from typing import Any

from harness.chat.xml_values import convert

_FUNCTION = re.compile(r"\s*<function=([^>\n]*)>")
_PARAMETER = re.compile(r"\s*<parameter=([^>\n]*)>(.*?)</parameter>", re.DOTALL)
_FUNCTION_END = re.compile(r"\s*</function>")
# Inside a value, one of these means the parameter was never closed.
_TAGS = ("<parameter=", "</function>", "<function=", "<tool_call>", "</tool_call>")

Decoded = tuple[str, dict[str, Any]]  # function name, arguments


def tool_properties(tools: list[dict[str, Any]] | None, name: str) -> dict[str, Any] | None:
    """The parameter schemas of tool `name` (OpenAI-style or bare function dicts), None if unknown."""
    for tool in tools or []:
        fn = tool.get("function", tool) if isinstance(tool, dict) else None
        if isinstance(fn, dict) and fn.get("name") == name:
            params = fn.get("parameters")
            props = params.get("properties") if isinstance(params, dict) else None
            return props if isinstance(props, dict) else {}
    return None


def _value(raw: str) -> str:
    raw = raw[1:] if raw.startswith("\n") else raw
    return raw[:-1] if raw.endswith("\n") else raw


def parse_functions(body: str, tools: list[dict[str, Any]] | None) -> tuple[list[Decoded], bool]:
    """The `<function=...>` blocks of one `<tool_call>` body: (decoded calls, all well formed).

    Calls decoded before a malformed one are kept (as the JSON path keeps the good blocks)."""
    calls: list[Decoded] = []
    pos = 0
    while True:
        if not body[pos:].strip():
            return calls, bool(calls)
        head = _FUNCTION.match(body, pos)
        if head is None:
            return calls, False
        name, pos = head.group(1).strip(), head.end()
        props = tool_properties(tools, name) or {}  # undeclared: no schema, any type
        args: dict[str, Any] = {}
        while (end := _FUNCTION_END.match(body, pos)) is None:
            param = _PARAMETER.match(body, pos)
            if param is None or not param.group(1).strip() or any(t in param.group(2) for t in _TAGS):
                return calls, False
            key = param.group(1).strip()
            text = _value(param.group(2))
            args[key] = convert(text, props.get(key))
            pos = param.end()
        pos = end.end()
        if not name:
            return calls, False
        calls.append((name, args))
