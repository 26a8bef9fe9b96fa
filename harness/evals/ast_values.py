"""One argument value against its allowed values, by the rules of BFCL's `ast_checker` (bfcl-eval 2026.3.23).

The tool's declared JSON Schema type decides how a value is compared:
- the value must be of the declared type (a top-level `number` accepts an int, an `integer` refuses any
  float, even 2.0; no type declared reads as `string`, as BFCL reads `any`), or else of the type of the
  first allowed value other than "" (BFCL's "variable" answers: a name where a number is declared,
  null for a nullable default);
- a variable answer (allowed values of another type than declared) is compared exactly;
- strings: after normalisation (BFCL's `standardize_string`, plus the extensions below);
- arrays: the value equals one allowed list, top-level string items normalised, items of the declared
  item type (or of the allowed list's own item type); arrays of objects item by item as objects;
- objects: keys within one allowed object, every key without "" present, each value one of its allowed
  values (strings normalised, anything else equal): BFCL does not type-check values inside an object;
- "" among the allowed values marks the argument optional; the value "" (or [] for an array) is then
  accepted as that candidate, as in BFCL; for any other type an explicit "" is a wrong type.
Deliberate deviations from BFCL (each counted by tests/evals/test_bfcl_parity.py):
- `bool_number`: a boolean never equals a number (BFCL's Python `==` makes True equal 1 inside objects,
  lists and variable answers);
- `int_in_number_array`: an int is accepted as an item of a `number` array (JSON has one number type;
  BFCL converts int to float only for a top-level float parameter);
- `optional_array_items`: array items are type-checked whether or not the argument is optional (BFCL
  skips the item check as soon as "" is among the allowed values);
- `unicode_string`: strings are also NFC-normalised, any whitespace is dropped (not only spaces) and
  the typographic apostrophe reads as ' (BFCL only drops ASCII spaces).
Arguments of a tool the item does not declare (no schema): the allowed value's type decides, an int
equals the same float (project items written by hand; BFCL always declares its tools).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

OMITTABLE = ""
_DROP = re.compile(r"[\s,./\-_*^]")
_KINDS = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), ((list, tuple), "array"),
          (dict, "object"), (type(None), "null"))
NO_SCHEMA = None  # an argument of a tool the item does not declare


def normalize_string(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("\u2019", "'")
    return _DROP.sub("", s).lower().replace("'", '"')


def kind(v: Any) -> str:
    return next((name for t, name in _KINDS if isinstance(v, t)), type(v).__name__)


def _declared(schema: dict[str, Any]) -> list[str]:
    t = schema.get("type", "string")
    return t if isinstance(t, list) else [t]


def answer_kind(options: list[Any]) -> str | None:
    """The type of the first allowed value other than "" (None: only "", no type to learn)."""
    return next((kind(o) for o in options if not (isinstance(o, str) and o == OMITTABLE)), None)


def equal(a: Any, b: Any) -> bool:
    """Python equality, except that a boolean never equals a number (deviation `bool_number`)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return a == b


def _norm(v: Any) -> Any:
    return normalize_string(v) if isinstance(v, str) else v


def _within(value: Any, candidates: list[Any]) -> bool:
    return any(equal(_norm(value), _norm(c)) for c in candidates)


def matches(value: Any, options: list[Any], schema: dict[str, Any] | None) -> bool:
    """Is `value` one of `options` (an argument's allowed values) for an argument declared by `schema`?"""
    if schema is NO_SCHEMA:
        return _untyped(value, options)
    declared = _declared(schema)
    if "number" in declared and kind(value) == "integer":
        value = float(value)  # BFCL: Python's int -> float conversion for a float parameter
    expected = answer_kind(options)
    if kind(value) not in declared:
        return kind(value) == expected and any(equal(value, o) for o in options)  # a variable answer
    if expected is not None and expected not in declared:
        return any(equal(value, o) for o in options)  # variable answer, value of the declared type
    k = kind(value)
    if k == "string":
        return _within(value, [o for o in options if isinstance(o, str)])
    if k == "array":
        return _array(value, options, schema.get("items") or {})
    if k == "object":
        return any(object_matches(value, o) for o in options if isinstance(o, dict))
    return any(equal(value, o) for o in options)


def _array(value: list[Any], options: list[Any], items: dict[str, Any]) -> bool:
    lists = [o for o in options if isinstance(o, list)] + ([[]] if OMITTABLE in options else [])
    item_kinds = _declared(items) if items.get("type") else []
    for option in lists:
        if len(option) != len(value) or not all(_item_type_ok(v, option, item_kinds) for v in value):
            continue
        if "object" in item_kinds:
            if all(isinstance(o, dict) and object_matches(v, o) for v, o in zip(value, option)):
                return True
        elif all(equal(_norm(v), _norm(o)) for v, o in zip(value, option)):
            return True
    return False


def _item_type_ok(item: Any, option: list[Any], item_kinds: list[str]) -> bool:
    if not item_kinds:
        return True
    k = kind(item)
    return k in item_kinds or (k == "integer" and "number" in item_kinds) or k == answer_kind(option)


def object_matches(value: Any, allowed: dict[str, Any]) -> bool:
    """BFCL's dict rule: keys within the allowed object, required keys present, values compared as given."""
    if not isinstance(value, dict) or not set(value) <= set(allowed):
        return False
    for key, options in allowed.items():
        options = options if isinstance(options, list) else [options]
        if key not in value:
            if OMITTABLE not in options:
                return False
        elif not _within(value[key], options):
            return False
    return True


def _untyped(value: Any, options: list[Any]) -> bool:
    for o in options:
        if isinstance(o, str) and o == OMITTABLE and value != OMITTABLE:
            continue
        if isinstance(o, (int, float)) and not isinstance(o, bool) and kind(value) in ("integer", "number"):
            if float(value) == float(o):
                return True
        elif isinstance(o, dict):
            if object_matches(value, o):
                return True
        elif isinstance(o, list) and isinstance(value, (list, tuple)):
            if len(o) == len(value) and all(_untyped(v, [x]) for v, x in zip(value, o)):
                return True
        elif equal(_norm(value), _norm(o)):
            return True
    return False
