"""BFCL-style AST matching of parsed calls against possible answers.

An expected call is a function name and, per argument, the list of allowed values; "" in that list
means the argument may be omitted. Rules, as BFCL's AST checker applies them:
- names equal (not normalised); no argument outside the answer; every argument without "" present;
- types follow the tool's declared JSON Schema type when known: a `number` accepts an int, an
  `integer` refuses a float (even 2.0), `boolean` is never a number, `string` is never a number;
  a value of the same type as an answer written in another type than declared passes (BFCL's
  "variable" answers, null for a nullable default).
  Without a declared type the allowed value's type decides (an int equals the same float);
- strings compared after normalisation: spaces and , . / - _ * ^ removed, lowercased, ' read as "
  (BFCL's `standardize_string`), plus Unicode NFC, any whitespace and the typographic apostrophe;
- lists element-wise in order, dicts key-wise (nested allowed-value lists, "" = optional key);
- parallel calls matched in any order (an exact matching, not BFCL's greedy one);
- no expected call = no call made (checked by the scorer: a broken call attempt is still a call).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

from harness.chat.parse import Call

OMITTABLE = ""
_DROP = re.compile(r"[\s,./\-_*^]")

_TYPE_OK = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, (list, tuple)),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


@dataclass(frozen=True)
class Expected:
    name: str
    allowed: dict[str, list[Any]]
    # JSON Schema of each argument from the tool's parameters, when the tool is known (type rules).
    schemas: dict[str, Any] = field(default_factory=dict, compare=False)


def normalize_string(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("\u2019", "'")
    return _DROP.sub("", s).lower().replace("'", '"')


def _declared(schema: Any) -> list[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    return [k for k in kinds if k in _TYPE_OK]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def value_matches(value: Any, allowed: Any, schema: Any = None) -> bool:
    declared = _declared(schema)
    if declared and not any(_TYPE_OK[k](value) for k in declared) and type(value) is not type(allowed):
        # A value of the answer's own type passes: BFCL's "variable" answers (a name where a number is
        # declared) and nullable defaults (null where a string is declared).
        return False
    if isinstance(allowed, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if _is_number(allowed):
        return _is_number(value) and float(value) == float(allowed)
    if isinstance(allowed, str):
        return isinstance(value, str) and normalize_string(value) == normalize_string(allowed)
    if isinstance(allowed, list):
        items = schema.get("items") if isinstance(schema, dict) else None
        return isinstance(value, (list, tuple)) and len(value) == len(allowed) and \
            all(value_matches(v, a, items) for v, a in zip(value, allowed))
    if isinstance(allowed, dict):
        props = schema.get("properties", {}) if isinstance(schema, dict) else {}
        return isinstance(value, dict) and _arguments_match(value, allowed, props)
    return value == allowed


def _arguments_match(values: dict[str, Any], allowed: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Keys within the answer, every non-optional key present, each value one of its allowed values."""
    if not set(values) <= set(allowed):
        return False
    for key, options in allowed.items():
        options = options if isinstance(options, list) else [options]
        if key not in values:
            if OMITTABLE not in options:
                return False
            continue
        value = values[key]
        # "" marks the key optional; it is a real candidate only for a value that is itself "".
        candidates = [o for o in options if not (o == OMITTABLE and value != "")]
        if not any(value_matches(value, o, schemas.get(key)) for o in candidates):
            return False
    return True


def call_matches(call: Call, expected: Expected) -> bool:
    return call.name == expected.name and _arguments_match(call.arguments, expected.allowed, expected.schemas)


def calls_match(calls: list[Call], expected: list[Expected]) -> bool:
    """All expected calls made, nothing else, in any order."""
    if len(calls) != len(expected):
        return False
    if not expected:
        return True
    if len(expected) > 6:  # permutations explode; greedy is exact enough for distinct calls
        remaining = list(expected)
        for c in calls:
            hit = next((e for e in remaining if call_matches(c, e)), None)
            if hit is None:
                return False
            remaining.remove(hit)
        return True
    return any(all(call_matches(c, e) for c, e in zip(calls, perm)) for perm in permutations(expected))


def _schemas(tools: list[dict[str, Any]] | None, name: str) -> dict[str, Any]:
    for tool in tools or []:
        fn = tool.get("function", tool)
        if fn.get("name") == name:
            return dict((fn.get("parameters") or {}).get("properties") or {})
    return {}


def expected_from_bfcl(ground_truth: list[dict[str, dict[str, list[Any]]]],
                       tools: list[dict[str, Any]] | None = None) -> list[Expected]:
    return [Expected(name, dict(args), _schemas(tools, name)) for item in ground_truth for name, args in item.items()]


def expected_from_project(answer: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> list[Expected]:
    return [Expected(a["name"], dict(a["arguments"]), _schemas(tools, a["name"])) for a in answer]
