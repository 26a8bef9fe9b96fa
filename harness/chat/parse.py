"""Tool calls parsed from model output: `<tool_call>` blocks, else a bare JSON object or list."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ParsedOutput:
    calls: list[Call] = field(default_factory=list)
    attempted: bool = False  # the output tried to call a tool (tag or JSON)
    json_valid: bool = False  # every attempted call parsed as JSON with name + arguments object


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


def parse_tool_calls(text: str) -> ParsedOutput:
    blocks = _BLOCK.findall(text)
    if blocks:
        calls: list[Call] = []
        ok = True
        for block in blocks:
            try:
                call = _as_call(json.loads(block))
            except json.JSONDecodeError:
                call = None
            ok = ok and call is not None
            if call is not None:
                calls.append(call)
        return ParsedOutput(calls, attempted=True, json_valid=ok)
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            return ParsedOutput([], attempted=True, json_valid=False)
        items = obj if isinstance(obj, list) else [obj]
        calls = [c for c in (_as_call(i) for i in items) if c is not None]
        return ParsedOutput(calls, attempted=True, json_valid=len(calls) == len(items) and bool(items))
    return ParsedOutput([], attempted=False, json_valid=False)
