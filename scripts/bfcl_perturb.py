"""Perturbed model outputs of one BFCL item, built from its possible answers (stdlib only: it runs in
the isolated venv that holds bfcl-eval with its dependencies, beside BFCL's checker).

A model output is a list of calls `{"name": ..., "arguments": {...}}`. Each perturbation is named; the
names of the deliberate deviations (harness/evals/ast_values.py, ast_match.py) are perturbations that
probe exactly that rule, so the parity test can count and name them.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

Calls = list[dict[str, Any]]
Case = tuple[str, Calls, Any]  # (perturbation, calls, answer override or None)


def first_value(options: list[Any]) -> tuple[bool, Any]:
    for o in options:
        if o != "":
            return True, o
    return False, None


def built(option: Any) -> Any:
    """A value from an allowed-value tree: objects hold allowed-value lists per key (first real one)."""
    if isinstance(option, dict):
        out = {}
        for key, options in option.items():
            found, value = first_value(options if isinstance(options, list) else [options])
            if found:
                out[key] = built(value)
        return out
    if isinstance(option, list):
        return [built(o) for o in option]
    return copy.deepcopy(option)


def canonical(answer: list[dict[str, Any]]) -> Calls:
    calls = []
    for entry in answer:
        (name, params), = entry.items()
        args = {}
        for key, options in params.items():
            found, value = first_value(options)
            if found:
                args[key] = built(value)
        calls.append({"name": name, "arguments": args})
    return calls


def _props(item: dict[str, Any], name: str) -> tuple[dict[str, Any], list[str]]:
    for fn in item["function"]:
        if fn["name"] == name:
            return fn["parameters"].get("properties", {}), fn["parameters"].get("required", [])
    return {}, []


def _slots(item, answer, calls, want: Callable[[Any, dict[str, Any], list[Any]], bool]):
    """(call index, argument, declared schema, allowed values) of every argument `want` accepts."""
    out = []
    for i, (entry, call) in enumerate(zip(answer, calls)):
        (name, params), = entry.items()
        props, _ = _props(item, name)
        for key, options in params.items():
            if want(call["arguments"].get(key, _MISSING), props.get(key, {}), options):
                out.append((i, key, props.get(key, {}), options))
    return out


_MISSING = object()


def _edit(calls: Calls, i: int, key: str, value: Any) -> Calls:
    out = copy.deepcopy(calls)
    if value is _MISSING:
        out[i]["arguments"].pop(key, None)
    else:
        out[i]["arguments"][key] = value
    return out


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _value_edits(v: Any, schema: dict[str, Any], options: list[Any]) -> Iterator[tuple[str, Any]]:
    t = schema.get("type")
    if isinstance(v, str) and v:
        yield "string_case", v.swapcase()
        yield "string_punct", v.replace(" ", "_") + "." if " " in v else "-" + v + "."
        yield "string_other_punct", v + "!"
        yield "string_wrong", v + " extra"
        if " " in v:
            yield "unicode_string", v.replace(" ", "\t", 1)
        if t != "string":
            yield "variable_case", v.upper() if v.upper() != v else v.lower()
    if isinstance(v, bool):
        yield "bool_as_int", int(v)
        yield "bool_as_string", str(v).lower()
        yield "bool_flip", not v
    elif _is_int(v):
        yield "int_as_float", float(v)
        yield "number_as_string", str(v)
        yield "number_wrong", v + 1
        if v in (0, 1) and t == "integer":
            yield "int_as_bool", bool(v)
    elif isinstance(v, float):
        yield "number_as_string", str(v)
        yield "number_wrong", v + 1.5
        if v.is_integer():
            yield "float_as_int", int(v)
    if t != "string" and "" in options:
        yield "explicit_empty", ""
    if "" in options:
        yield "explicit_null", None
    if isinstance(v, list):
        yield from _list_edits(v, schema, options)
    if isinstance(v, dict):
        yield from _dict_edits(v)


def _list_edits(v: list[Any], schema: dict[str, Any], options: list[Any]) -> Iterator[tuple[str, Any]]:
    item_type = (schema.get("items") or {}).get("type")
    if len(v) >= 2 and v[::-1] != v:
        yield "array_reversed", v[::-1]
    if v:
        yield "array_dropped_item", v[:-1]
    if any(isinstance(x, str) for x in v):
        yield "array_item_case", [x.upper() if isinstance(x, str) else x for x in v]
    if item_type == "float" and any(isinstance(x, float) and x.is_integer() for x in v):
        yield "int_in_number_array", [int(x) if isinstance(x, float) and x.is_integer() else x for x in v]
    if item_type == "integer" and any(_is_int(x) for x in v):
        name = "optional_array_items" if "" in options else "int_array_float_item"
        yield name, [float(x) if _is_int(x) else x for x in v]
    if "" in options:
        yield "explicit_empty_array", []


def _dict_edits(v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, inner in v.items():
        if isinstance(inner, str) and inner:
            yield "dict_value_case", {**v, key: inner.swapcase()}
        if isinstance(inner, bool):
            yield "bool_number", {**v, key: int(inner)}
        elif _is_int(inner):
            yield "dict_int_as_float", {**v, key: float(inner)}
            yield "dict_number_as_string", {**v, key: str(inner)}
    if v:
        yield "dict_extra_key", {**v, "zz_extra": 1}
        yield "dict_dropped_key", dict(list(v.items())[:-1])


def perturb(item: dict[str, Any], answer: list[dict[str, Any]], rng: random.Random) -> list[Case]:
    calls = canonical(answer)
    cases: list[Case] = [("canonical", calls, None)]
    minimal = copy.deepcopy(calls)
    for i, entry in enumerate(answer):
        (_, params), = entry.items()
        for key, options in params.items():
            if "" in options:
                minimal[i]["arguments"].pop(key, None)
    if minimal != calls:
        cases.append(("omit_optional", minimal, None))
    for i, key, _schema, options in _slots(item, answer, calls, lambda v, s, o: len([x for x in o if x != ""]) > 1):
        cases.append(("alternative", _edit(calls, i, key, built([x for x in options if x != ""][-1])), None))
    by_name: dict[str, list[tuple[int, str, Any]]] = {}
    for i, key, schema, options in _slots(item, answer, calls, lambda v, s, o: v is not _MISSING or "" in o):
        value = calls[i]["arguments"].get(key)
        for name, new in _value_edits(value, schema, options):
            by_name.setdefault(name, []).append((i, key, new))
    for name, edits in sorted(by_name.items()):  # one random argument per edit kind keeps the file small
        i, key, new = rng.choice(edits)
        cases.append((name, _edit(calls, i, key, new), None))
        if name == "int_array_float_item":  # the same edit with the argument made optional in the answer
            override = copy.deepcopy(answer)
            (_, params), = override[i].items()
            params[key] = params[key] + [""]
            cases.append(("optional_array_items", _edit(calls, i, key, new), override))
    cases += list(_call_edits(item, answer, calls, rng))
    return cases


def _call_edits(item, answer, calls: Calls, rng: random.Random) -> Iterator[Case]:
    (name0, _), = answer[0].items()
    props, required = _props(item, name0)
    outside = [k for k in props if k not in answer[0][name0]]
    if outside:
        yield "extra_schema_arg", _edit(calls, 0, rng.choice(outside), 1), None
    yield "extra_unknown_arg", _edit(calls, 0, "zz_unknown", "x"), None
    for key in required:
        if key in calls[0]["arguments"]:
            yield "missing_required", _edit(calls, 0, key, _MISSING), None
            break
    wrong = copy.deepcopy(calls)
    wrong[0]["name"] = name0 + "_v2"
    yield "wrong_name", wrong, None
    if name0.swapcase() != name0:
        case = copy.deepcopy(calls)
        case[0]["name"] = name0.swapcase()
        yield "name_case", case, None
    yield "no_call", [], None
    yield "duplicated_call", calls + [copy.deepcopy(calls[0])], None
    if len(calls) >= 2:
        yield "reordered_calls", calls[::-1], None
        shuffled = calls[:]
        rng.shuffle(shuffled)
        yield "shuffled_calls", shuffled, None
        yield "dropped_call", calls[1:], None
    yield from _greedy_trap(item, answer, calls)


def _greedy_trap(item, answer, calls: Calls) -> Iterator[Case]:
    """An answer set where the first call fits both answers: BFCL's greedy assignment gives it the
    first answer and finds none for the second; an exact matching passes (deviation `exact_matching`)."""
    if len(answer) < 2 or "parallel" not in item["id"]:
        return
    (name, params), = answer[0].items()
    first, second = copy.deepcopy(params), copy.deepcopy(params)
    for key, options in params.items():
        found, value = first_value(options)
        if found and not isinstance(value, (list, dict, bool)):
            other = value + 1 if isinstance(value, (int, float)) else f"{value} bis"
            first[key] = [value, other]
            second[key] = [value]
            trap = [{name: first}, {name: second}]
            a, b = _edit(calls[:1], 0, key, copy.deepcopy(value)), _edit(calls[:1], 0, key, other)
            yield "exact_matching", a + b, trap
            yield "exact_matching_control", b + a, trap
            return
