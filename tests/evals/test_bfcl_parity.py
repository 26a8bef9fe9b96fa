"""The project's function-call scoring against BFCL's own checker, case by case.

tests/data/bfcl_cases.jsonl holds perturbed outputs of BFCL's six AST categories with the verdict of
BFCL's unmodified `ast_checker` (scripts/bfcl_cases.py). Each case goes through the real scoring path:
the calls rendered as a model emits them (JSON in <tool_call> tags), parsed by parse_tool_calls and
scored by score_calls against the installed BFCL item. Every verdict must agree, except on the
deliberate deviations (harness/evals/ast_values.py, ast_match.py), which are counted and named here.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from functools import cache
from pathlib import Path

from harness.evals.ast_match import expected_from_bfcl
from harness.evals.bfcl import bfcl_samples
from harness.evals.core import Sample
from harness.evals.fc import score_calls

CASES = Path(__file__).parents[1] / "data" / "bfcl_cases.jsonl"
SIX = {"simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple"}
# deviation -> the project's verdict where BFCL's differs (True: we accept what BFCL fails).
DEVIATIONS = {"exact_matching": True, "int_in_number_array": True, "unicode_string": True,
              "optional_array_items": False, "bool_number": False}


def _cases() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]


@cache
def _samples(category: str) -> dict[str, Sample]:
    return {s.id: s for s in bfcl_samples(category)}


def render(calls: list[dict]) -> str:
    """What a model emits: each call as JSON in <tool_call> tags; no call at all: a plain answer."""
    if not calls:
        return "I cannot help with that."
    return "\n".join(f"<tool_call>\n{json.dumps(c, ensure_ascii=False)}\n</tool_call>" for c in calls)


def ours(case: dict) -> bool:
    sample = _samples(case["category"])[case["item"]]
    if "answer" in case:  # a case that brings its own answer set (the greedy-matching trap)
        sample = dataclasses.replace(sample, target=expected_from_bfcl(case["answer"], sample.tools))
    return score_calls(sample, render(case["calls"]))["call_exact"] == 1.0


def test_cases_cover_the_six_ast_categories():
    cases = _cases()
    assert len(cases) >= 400 and {c["category"] for c in cases} == SIX
    by_verdict = Counter(c["bfcl_valid"] for c in cases)
    assert by_verdict[True] >= 100 and by_verdict[False] >= 100  # both verdicts well represented
    assert set(DEVIATIONS) <= {c["perturbation"] for c in cases}


def test_scoring_agrees_with_bfcl_except_the_documented_deviations():
    cases = _cases()
    disagree = [(c, v) for c in cases if (v := ours(c)) != c["bfcl_valid"]]
    undocumented = [(c["id"], c["perturbation"], c["bfcl_error"]) for c, _ in disagree
                    if c["perturbation"] not in DEVIATIONS]
    assert not undocumented, f"{len(undocumented)} verdicts differ from BFCL outside the deviations: {undocumented[:10]}"
    wrong_way = [c["id"] for c, v in disagree if v != DEVIATIONS[c["perturbation"]]]
    assert not wrong_way, f"deviations that go the other way than documented: {wrong_way}"
    counts = Counter(c["perturbation"] for c, _ in disagree)
    # Each documented deviation is real: some case probing it shows it.
    assert set(counts) == set(DEVIATIONS), counts
    print(f"{len(cases)} cases, {len(cases) - len(disagree)} agree with BFCL; deviations: {dict(sorted(counts.items()))}")


def test_rendering_round_trips_through_the_parser():
    from harness.chat.parse import parse_tool_calls

    case = next(c for c in _cases() if len(c["calls"]) >= 2)
    parsed = parse_tool_calls(render(case["calls"]), _samples(case["category"])[case["item"]].tools)
    assert parsed.json_valid and [(c.name, c.arguments) for c in parsed.calls] == \
        [(c["name"], c["arguments"]) for c in case["calls"]]
