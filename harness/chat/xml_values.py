"""Qwen3-Coder XML parameter values (plain text) as JSON values, typed by the tool's JSON Schema.

The official Qwen3.5 template writes mappings and lists with `tojson` and every other value with
Python's `str` (`True`, `None`, `2.5`, text as is), so the text alone does not say whether `42` is a
number or a string: the parameter's schema does. The rules follow llama.cpp (`common/parsers/
qwen3-coder.cpp`, types from `common/json-schema.cpp`) and vLLM's `qwen3_coder` tool parser:

- the types a parameter may take: its `type` (a name or a list; Python-style names such as `int`,
  `float`, `dict`, `list` as vLLM reads them), else the types of its `const`/`enum` values, else the
  union of `anyOf`/`oneOf`, the intersection of `allOf`; no type, a `$ref` or a type name nobody
  knows: any type. `number` admits integers;
- `None`, the template's spelling of Python's None, is null whatever the type (the string "None"
  is written the same way: null wins); where the schema does not admit null, schema validation then
  fails, as it does for a JSON `null`;
- otherwise a parameter that may only be a string keeps its text exactly: `"007"`, `"69003"`,
  `"True"`, `"null"` stay strings (the template writes a string as is);
- otherwise the text (surrounding whitespace dropped) is read as JSON, else as a Python literal
  (`True`, `{'a': 1}`: what `str` writes, vLLM's fallback), else `true`/`false`/`null`/`none` in any
  case; the value is kept when the schema admits its type, or is null (a JSON string is never taken:
  the raw text is the string);
- else the raw text: a string where a string is allowed; otherwise an unconvertible value that still
  decodes (the call parses) and then fails schema validation.
A parameter the tool does not declare, or a tool not offered, has no schema: any type.
Deliberate deviations: vLLM turns any text other than `true` into `false` for a boolean, reads a
parameter without a `type` as a string, keeps an undeclared parameter as text, and reads `null` (not
`None`) as null even where only a string is allowed. We keep a non-boolean text as text (a wrong
value never passes), and read untyped and undeclared parameters and null as above, so an XML call
rendered by the template means what the same call in JSON would.
"""

from __future__ import annotations

import ast
import json
import math
from typing import Any

ANY = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
_ALIASES = {"str": "string", "text": "string", "varchar": "string", "char": "string", "enum": "string",
            "int": "integer", "long": "integer", "short": "integer", "uint": "integer", "unsigned": "integer",
            "float": "number", "double": "number", "num": "number", "bool": "boolean", "binary": "boolean",
            "dict": "object", "map": "object", "list": "array", "arr": "array", "tuple": "array", "none": "null"}
_WORDS = {"true": True, "false": False, "null": None, "none": None}
_LITERAL_MAX = 100_000  # ast.literal_eval on huge text is slow; such a value stays text


def json_type(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else None


def _type_name(name: Any) -> str | None:
    n = str(name).strip().lower()
    if n in ANY:
        return n
    if n in _ALIASES:
        return _ALIASES[n]
    for prefix, kind in (("int", "integer"), ("uint", "integer"), ("num", "number"), ("float", "number"),
                         ("dict", "object"), ("list", "array")):
        if n.startswith(prefix):
            return kind
    return None


def value_types(schema: Any) -> frozenset[str]:
    """The JSON types a value of `schema` may take."""
    if not isinstance(schema, dict):
        return ANY
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        kinds = {_type_name(n) for n in names}
        if None in kinds or not kinds:
            return ANY
    elif "const" in schema:
        kinds = {json_type(schema["const"])}
    elif isinstance(schema.get("enum"), list) and schema["enum"]:
        kinds = {json_type(v) for v in schema["enum"]}
    elif isinstance(schema.get("anyOf") or schema.get("oneOf"), list):
        kinds = set().union(*(value_types(s) for s in schema.get("anyOf") or schema["oneOf"]))
    elif isinstance(schema.get("allOf"), list) and schema["allOf"]:
        kinds = set(ANY).intersection(*(value_types(s) for s in schema["allOf"]))
    else:
        return ANY
    kinds.discard(None)
    if "number" in kinds:
        kinds.add("integer")
    return frozenset(kinds) or ANY


def _jsonable(value: Any) -> tuple[bool, Any]:
    """A Python literal as a JSON value (tuples become lists); (False, None) for sets, bytes, NaN, ..."""
    if value is None or isinstance(value, (bool, int, str)):
        return True, value
    if isinstance(value, float):
        return math.isfinite(value), value
    if isinstance(value, (list, tuple)):
        items = [_jsonable(v) for v in value]
        return all(ok for ok, _ in items), [v for _, v in items]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _jsonable(v) for k, v in value.items()}
        return all(ok for ok, _ in items.values()), {k: v for k, (_, v) in items.items()}
    return False, None


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON values


def _candidates(text: str):
    """Readings of `text` as a typed value, most faithful first."""
    try:
        yield json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        pass
    if len(text) <= _LITERAL_MAX:
        try:
            ok, value = _jsonable(ast.literal_eval(text))
            if ok:
                yield value
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
    if text.lower() in _WORDS:
        yield _WORDS[text.lower()]


def convert(text: str, schema: Any) -> Any:
    """The value of one parameter from its text (the template's newlines already removed)."""
    types = value_types(schema)
    if text == "None":
        return None
    if types == {"string"}:
        return text
    for value in _candidates(text.strip()):
        kind = json_type(value)
        if value is None or (kind != "string" and kind in types):
            return value
    return text
