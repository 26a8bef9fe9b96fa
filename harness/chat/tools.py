"""How tools reach the model: through the template when it supports tools, else in the system prompt.

Training and evaluation both go through `to_template_messages`, so the fine-tune learns exactly the
format it is scored on. Calls are written as `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`
when the template has no tool support. Records reach templates with `arguments` as objects
(`parse_arguments`, applied when training records and eval items are loaded).
"""

from __future__ import annotations

import json
from typing import Any

TOOL_SYSTEM_PROMPT = (
    "You can call functions. The available functions, as JSON Schema:\n{tools}\n"
    "To call a function, answer only with one line per call: "
    '<tool_call>{{"name": <function name>, "arguments": <arguments object>}}</tool_call>\n'
    "If no function fits the request, answer normally without calling one."
)


def call_text(name: str, arguments: dict[str, Any]) -> str:
    return "<tool_call>" + json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False) + "</tool_call>"


def assistant_text(message: dict[str, Any]) -> str:
    """An assistant turn as plain text: its content, then one line per tool call."""
    calls = [call_text(c["function"]["name"], _args(c["function"]["arguments"])) for c in message.get("tool_calls") or []]
    parts = [message.get("content") or ""] + calls
    return "\n".join(p for p in parts if p)


def _args(arguments: Any) -> dict[str, Any]:
    return json.loads(arguments) if isinstance(arguments, str) else dict(arguments)


class ArgumentsError(ValueError):
    """A tool call's `arguments` is neither an object nor a JSON string holding one."""


def parse_arguments(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`messages` with every tool call's `arguments` as an object.

    The OpenAI wire format sends `"arguments": "{\\"a\\": 1}"`, a JSON string; templates iterate the
    arguments as a mapping (Qwen3.5's `arguments|items`) and raise on a string, so records are
    normalised when they are loaded. The input is not mutated."""
    out = []
    for i, m in enumerate(messages):
        calls = m.get("tool_calls") if isinstance(m, dict) else None
        if not isinstance(calls, list) or not calls:
            out.append(m)
            continue
        fixed = []
        for j, call in enumerate(calls):
            fn = call.get("function", call) if isinstance(call, dict) else None
            where = f"messages[{i}].tool_calls[{j}]"
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                raise ArgumentsError(f"{where} needs a function name")
            args = fn.get("arguments", {})
            if isinstance(args, str):
                try:
                    args = json.loads(args)
                except json.JSONDecodeError as e:
                    raise ArgumentsError(f"{where}.arguments is a string that is not JSON ({e.msg})") from None
            if not isinstance(args, dict):
                raise ArgumentsError(f"{where}.arguments must be an object (or a JSON string of one), "
                                     f"got {type(args).__name__}")
            fn = {**fn, "arguments": args}
            fixed.append({**call, "function": fn} if "function" in call else fn)
        out.append({**m, "tool_calls": fixed})
    return out


def to_template_messages(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    template_supports_tools: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """Messages (and tools) ready for a template. Without template tool support, tools move into the
    system prompt, tool calls become text and tool results become user turns."""
    if template_supports_tools:
        return messages, tools or None
    out: list[dict[str, Any]] = []
    for m in messages:
        role = m["role"]
        if role == "assistant":
            out.append({"role": "assistant", "content": assistant_text(m)})
        elif role == "tool":
            out.append({"role": "user", "content": f"<tool_response>{m.get('content', '')}</tool_response>"})
        else:
            out.append({"role": role, "content": m.get("content") or ""})
    if tools:
        listing = "\n".join(json.dumps(t.get("function", t), ensure_ascii=False) for t in tools)
        prompt = TOOL_SYSTEM_PROMPT.format(tools=listing)
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": out[0]["content"] + "\n\n" + prompt}
        else:
            out.insert(0, {"role": "system", "content": prompt})
    return out, None
