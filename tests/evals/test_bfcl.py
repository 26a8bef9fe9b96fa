"""harness/evals/bfcl.py: every BFCL v4 category as a task, loaded from the package and scored by our
matcher; an oracle built from each item's own answer must score 1 (the matcher agrees with the data)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.chat.tools import call_text
from harness.evals.aggregate import metrics
from harness.evals.bfcl import CATEGORIES, GROUP, bfcl_samples
from harness.evals.core import Sample
from harness.evals.fc import ANY_CALL, score_calls
from harness.evals.registry import get_task, groups, resolve, task_names
from harness.records.items import ItemResult

# Answers no output can pass, in BFCL's checker too (checked with it): an argument with no candidate
# at all ([]: the live_simple two), a required answer argument the tool's schema lacks (862), a
# schema-required argument whose only allowed value is "" (507), or one the answer leaves out (964).
UNSATISFIABLE = {"live_simple_106-63-0", "live_simple_112-68-0", "live_multiple_862-181-3",
                 "live_multiple_507-149-4", "live_multiple_964-207-0"}


def _oracle(option: Any) -> Any:
    """A value built from an allowed-value tree: the first candidate other than "" (omitted if none)."""
    if isinstance(option, dict):
        out = {}
        for key, opts in option.items():
            opts = opts if isinstance(opts, list) else [opts]
            real = [o for o in opts if o != ""]
            if real:
                out[key] = _oracle(real[0])
        return out
    if isinstance(option, list):
        return [_oracle(o) for o in option]
    return option


def _oracle_output(sample: Sample) -> str:
    """Each answer's first values; an optional argument the tool's schema lacks left out (BFCL fails it)."""
    def args(e):
        return {k: v for k, v in e.allowed.items() if e.schemas is None or k in e.schemas or "" not in v}
    return "\n".join(call_text(e.name, _oracle(args(e))) for e in sample.target)


def test_every_category_is_a_registered_task_in_the_bfcl_group() -> None:
    names = {f"fc/bfcl_{short}" for short in CATEGORIES}
    assert {"fc/bfcl_simple", "fc/bfcl_multiple", "fc/bfcl_parallel", "fc/bfcl_parallel_multiple",
            "fc/bfcl_irrelevance", "fc/bfcl_live_simple", "fc/bfcl_live_multiple", "fc/bfcl_live_parallel",
            "fc/bfcl_live_parallel_multiple", "fc/bfcl_live_irrelevance", "fc/bfcl_live_relevance"} == names
    assert names <= set(task_names())
    assert all(groups()[n] == GROUP for n in names) and "fc/fr_fc" not in groups()
    tasks = resolve(["fc"], None)
    assert {t.name for t in tasks} == names | {"fc/fr_fc"}
    # The stored-output key did not change with the matcher; the scoring version did.
    simple = get_task("fc/bfcl_simple")
    assert simple.version == "bfcl-v4-simple_python-1" and simple.full_version == "bfcl-v4-simple_python-1+ast3-parse2-m2"


@pytest.mark.parametrize("short", list(CATEGORIES))
def test_category_loads_and_its_own_answers_score_one(short: str) -> None:
    samples = bfcl_samples(CATEGORIES[short])
    assert len(samples) >= 16 and len({s.id for s in samples}) == len(samples)
    assert [s.id for s in bfcl_samples(CATEGORIES[short])] == [s.id for s in samples]  # fixed shuffle
    for s in samples:
        assert s.messages and s.messages[-1]["role"] == "user"
        assert s.tools or "irrelevance" in short  # a few live_irrelevance items offer no tool at all
        if "irrelevance" in short:
            assert s.target == []
            assert score_calls(s, "I cannot help with that.") == {"call_exact": 1.0, "relevance_acc": 1.0, "unfinished": 0.0}
        elif short == "live_relevance":
            assert s.target == ANY_CALL
        else:
            assert s.target and all(e.name in {t["function"]["name"] for t in s.tools} for e in s.target)
            assert score_calls(s, _oracle_output(s))["call_exact"] == float(s.id not in UNSATISFIABLE), s.id
            assert score_calls(s, "No call.")["call_exact"] == 0.0
    if short in ("parallel", "parallel_multiple", "live_parallel"):
        assert all(len(s.target) >= 2 for s in samples)
        s = next(s for s in samples if len({e.name for e in s.target}) >= 1 and s.id not in UNSATISFIABLE)
        reversed_calls = "\n".join(call_text(e.name, _oracle(e.allowed)) for e in reversed(s.target))
        assert score_calls(s, reversed_calls)["call_exact"] == 1.0  # any order


def test_relevance_wants_any_well_formed_call() -> None:
    s = bfcl_samples("live_relevance")[0]
    name = s.tools[0]["function"]["name"]
    assert score_calls(s, call_text(name, {"whatever": 1}))["call_exact"] == 1.0  # arguments unchecked
    assert score_calls(s, "Here is a poem instead.")["call_exact"] == 0.0
    assert score_calls(s, "<tool_call>{broken")["call_exact"] == 0.0
    scores = score_calls(s, call_text(name, {"whatever": 1}))
    assert set(scores) == {"json_valid", "schema_valid", "call_exact", "call_acc", "parse_fail", "no_call", "unfinished"}
    assert scores["json_valid"] == 1.0 and scores["call_acc"] == 1.0


def test_per_category_group_and_suite_metrics() -> None:
    def items(task: str, values: list[float]) -> list[ItemResult]:
        return [ItemResult(task, f"i{k}", "", {"call_exact": v}) for k, v in enumerate(values)]

    res = {"fc/bfcl_simple": items("fc/bfcl_simple", [1, 1, 0, 0]),
           "fc/bfcl_parallel": items("fc/bfcl_parallel", [1, 1]),
           "fc/fr_fc": items("fc/fr_fc", [0, 0, 0, 0])}
    m = metrics(res)
    assert m["fc/bfcl_simple/call_exact"].value == 0.5 and m["fc/bfcl_parallel/call_exact"].n == 2
    assert m["fc/bfcl/call_exact"].n == 6 and m["fc/bfcl/call_exact"].value == pytest.approx(4 / 6)
    assert m["fc/call_exact"].n == 10 and m["fc/call_exact"].value == pytest.approx(0.4)
    assert "fc/fr_fc/call_exact" in m and not any(k.startswith("fc/fr_fc/bfcl") for k in m)
