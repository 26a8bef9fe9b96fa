"""BFCL-style AST matching of parsed calls against possible answers.

An expected call is a function name and, per argument, the list of allowed values; "" in that list
means the argument may be omitted. Rules, as BFCL's `ast_checker` (bfcl-eval 2026.3.23) applies them:
- names equal (not normalised);
- when the tool is declared: every argument its schema lists as `required` present (even if the
  answer allows omitting it), no argument outside the schema's properties;
- no argument outside the answer; every argument whose allowed values lack "" present;
- each value one of its allowed values, typed by the tool's declared JSON Schema (ast_values.py);
- one expected call: exactly one call made; several: matched in any order.
Deliberate deviations, beside the value ones listed in ast_values.py:
- `exact_matching`: parallel calls match when some one-to-one assignment of calls to answers exists
  (a bipartite matching, exact at any size); BFCL assigns greedily, answer by answer, the first call
  that fits, and so can fail a set of calls that does match when one call fits two answers.
No expected call = no call made (checked by the scorer: a broken call attempt is still a call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.chat.parse import Call
from harness.evals.ast_values import NO_SCHEMA, OMITTABLE, matches, normalize_string

__all__ = ["OMITTABLE", "Expected", "call_matches", "calls_match", "expected_from_bfcl", "expected_from_project",
           "normalize_string", "value_matches"]


@dataclass(frozen=True)
class Expected:
    name: str
    allowed: dict[str, list[Any]]
    # JSON Schema of each argument (the tool's parameters' properties) and its `required` list, when
    # the item declares the tool; None: an undeclared tool, the answers' types decide.
    schemas: dict[str, Any] | None = field(default=None, compare=False)
    required: tuple[str, ...] = field(default=(), compare=False)


def value_matches(value: Any, allowed: Any, schema: Any = NO_SCHEMA) -> bool:
    """One value against one allowed value (tests and callers outside the matcher)."""
    return matches(value, [allowed], schema)


def call_matches(call: Call, expected: Expected) -> bool:
    if call.name != expected.name:
        return False
    values, allowed, schemas = call.arguments, expected.allowed, expected.schemas
    if schemas is not None:
        if any(r not in values for r in expected.required) or not set(values) <= set(schemas):
            return False
    if not set(values) <= set(allowed):
        return False
    for key, options in allowed.items():
        options = options if isinstance(options, list) else [options]
        if key not in values:
            if OMITTABLE not in options:
                return False
        elif not matches(values[key], options, NO_SCHEMA if schemas is None else schemas.get(key, {})):
            return False
    return True


def calls_match(calls: list[Call], expected: list[Expected]) -> bool:
    """All expected calls made, nothing else, in any order: a perfect bipartite matching exists."""
    if len(calls) != len(expected):
        return False
    fits = [[j for j, e in enumerate(expected) if call_matches(c, e)] for c in calls]
    owner: dict[int, int] = {}  # expected index -> call index

    def assign(i: int, seen: set[int]) -> bool:  # Kuhn's augmenting path
        for j in fits[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return all(assign(i, set()) for i in range(len(calls)))


def _tool(tools: list[dict[str, Any]] | None, name: str) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    for tool in tools or []:
        fn = tool.get("function", tool)
        if fn.get("name") == name:
            params = fn.get("parameters") or {}
            return dict(params.get("properties") or {}), tuple(params.get("required") or ())
    return None, ()


def _expected(name: str, allowed: dict[str, Any], tools: list[dict[str, Any]] | None) -> Expected:
    schemas, required = _tool(tools, name)
    return Expected(name, dict(allowed), schemas, required)


def expected_from_bfcl(ground_truth: list[dict[str, dict[str, list[Any]]]],
                       tools: list[dict[str, Any]] | None = None) -> list[Expected]:
    return [_expected(name, args, tools) for item in ground_truth for name, args in item.items()]


def expected_from_project(answer: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> list[Expected]:
    return [_expected(a["name"], a["arguments"], tools) for a in answer]
