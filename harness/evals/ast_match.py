"""BFCL-style AST matching of parsed calls against possible answers.

An expected call is a function name and, per argument, the list of allowed values; "" in that list
means the argument may be omitted. Rules: names equal; no unknown arguments; every argument without
"" present; each value equal to one allowed value under the type rules (an int is a valid float,
bool is never a number) and string normalisation (case, surrounding space, punctuation); lists
element-wise, dicts key-wise; parallel calls matched in any order; no expected call = no call made.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import permutations
from typing import Any

from harness.chat.parse import Call

OMITTABLE = ""


@dataclass(frozen=True)
class Expected:
    name: str
    allowed: dict[str, list[Any]]


def normalize_string(s: str) -> str:
    s = unicodedata.normalize("NFC", s).strip().lower()
    return re.sub(r"[\s,./\-_*^'\"!?;:()]+", " ", s).strip()


def value_matches(value: Any, allowed: Any) -> bool:
    if isinstance(allowed, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if isinstance(allowed, (int, float)):
        return isinstance(value, (int, float)) and (float(value) == float(allowed)) and \
            not (isinstance(allowed, int) and isinstance(value, float) and not value.is_integer())
    if isinstance(allowed, str):
        return isinstance(value, str) and normalize_string(value) == normalize_string(allowed)
    if isinstance(allowed, list):
        return isinstance(value, (list, tuple)) and len(value) == len(allowed) and \
            all(value_matches(v, a) for v, a in zip(value, allowed))
    if isinstance(allowed, dict):
        if not isinstance(value, dict):
            return False
        # BFCL nests allowed-value lists inside dict answers.
        for key, opts in allowed.items():
            opts = opts if isinstance(opts, list) else [opts]
            if key not in value:
                if OMITTABLE not in opts:
                    return False
            elif not any(value_matches(value[key], o) for o in opts if o != OMITTABLE or value[key] == ""):
                return False
        return set(value) <= set(allowed)
    return value == allowed


def call_matches(call: Call, expected: Expected) -> bool:
    if call.name != expected.name:
        return False
    if not set(call.arguments) <= set(expected.allowed):
        return False
    for arg, options in expected.allowed.items():
        if arg not in call.arguments:
            if OMITTABLE not in options:
                return False
            continue
        value = call.arguments[arg]
        if not any(value_matches(value, o) for o in options if not (o == OMITTABLE and value != "")):
            return False
    return True


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


def expected_from_bfcl(ground_truth: list[dict[str, dict[str, list[Any]]]]) -> list[Expected]:
    return [Expected(name, dict(args)) for item in ground_truth for name, args in item.items()]


def expected_from_project(answer: list[dict[str, Any]]) -> list[Expected]:
    return [Expected(a["name"], dict(a["arguments"])) for a in answer]
