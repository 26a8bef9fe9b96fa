"""Tool parameter schemas as JSON Schema: BFCL writes Python-flavoured types ("dict", "float", "tuple")."""

from __future__ import annotations

from typing import Any

_TYPE_MAP = {"dict": "object", "float": "number", "tuple": "array", "list": "array", "int": "integer",
             "bool": "boolean", "str": "string"}


def to_json_schema(schema: Any) -> Any:
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            if value == "any":
                continue
            out[key] = _TYPE_MAP.get(value, value)
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf"):
            out[key] = to_json_schema(value)
        elif key == "optional":  # BFCL flag, not JSON Schema
            continue
        else:
            out[key] = value
    return out


def openai_tool(function: dict[str, Any]) -> dict[str, Any]:
    """A BFCL function spec as an OpenAI-style tool with a JSON Schema for parameters."""
    fn = dict(function)
    fn["parameters"] = to_json_schema(fn.get("parameters", {"type": "object", "properties": {}}))
    return {"type": "function", "function": fn}
