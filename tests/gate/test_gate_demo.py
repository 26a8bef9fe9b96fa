"""The gate on the real demo run's per-item scores: A/A passes, real and injected drops fail by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.errors import BadInput
from harness.gate import evaluate_gate
from harness.gate.regression import Baseline
from harness.gate.simulate import aa_run, bootstrap_items, rebuild, resample
from harness.profiles import load_profile
from harness.records.items import LevelScores, load_item_scores
from harness.records.report import Check, Report, load_report

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_run"
GATED = {"fc/call_exact", "fc/json_valid", "fr/mc_acc", "general/acc"}


@pytest.fixture(scope="module")
def demo() -> tuple[Report, object]:
    report = load_report(DEMO)
    # The run predates the contamination and fidelity checks the policy requires: add them passing.
    report.checks += [Check(name="contamination", passed=True), Check(name="fidelity:f16", passed=True)]
    report.checks += [Check(name=f"eos_probe:{lv.name}", passed=True, level=lv.name) for lv in report.levels]
    return report, load_item_scores(DEMO, report)


def _spec():
    # The target rule off: this older demo run fails it (tests/gate/test_target_demo.py); these tests are about the others.
    return load_profile("demo").gate.model_copy(update={"trained_for": []})


def _failed(result) -> list[tuple[str, str]]:
    return [(r.rule, r.subject) for r in result.rules if not r.passed]


def test_rebuild_reproduces_the_reports_comparisons(demo) -> None:
    report, scores = demo
    rebuilt = {(c.a, c.b, c.metric): c for c in rebuild(report, scores).comparisons}
    # Every comparison of the report comes back; the rebuild may add group pools (fc/bfcl/*) that
    # this older report predates.
    assert {(c.a, c.b, c.metric) for c in report.comparisons} <= set(rebuilt)
    for c in report.comparisons:
        got = rebuilt[(c.a, c.b, c.metric)]
        assert (got.delta, got.p_value, got.n, got.test) == pytest.approx((c.delta, c.p_value, c.n, c.test))


def test_same_run_twice_passes_paired(demo) -> None:
    report, scores = demo
    result = evaluate_gate(report, _spec(), Baseline(report, scores, str(DEMO)), scores)
    assert result.passed, result.failures
    regression = [r for r in result.rules if r.rule == "regression"]
    assert len(regression) == 16 and all(r.observed == 0 and r.test == "mcnemar" for r in regression)
    assert result.baseline.paired and result.tests == 13 + 16


def test_the_releases_baseline_comparisons_are_the_gates(demo) -> None:
    """The release hands the gate the comparisons with the baseline it put in report.comparisons: the
    rules are those the gate makes on its own, and a pair handed over is the one used."""
    from harness.evals.aggregate import baseline_comparisons, same_versions

    report, scores = demo
    cur, cur_scores = aa_run(report, scores, np.random.default_rng(3), GATED)
    old, old_scores = aa_run(report, scores, np.random.default_rng(4), GATED)
    base = Baseline(old, old_scores, "a/a")
    pairs = baseline_comparisons(cur_scores, old_scores, same_versions(cur, old))
    alone, handed = evaluate_gate(cur, _spec(), base, cur_scores), evaluate_gate(cur, _spec(), base, cur_scores, pairs)
    assert handed.rules == alone.rules and any(r.rule == "regression" and r.observed for r in alone.rules)
    lv = next(r.subject.split()[0] for r in alone.rules if r.rule == "regression")
    moved = [p.model_copy(update={"delta": -0.5}) if (p.b, p.metric) == (lv, "fc/call_exact") else p for p in pairs]
    rule = next(r for r in evaluate_gate(cur, _spec(), base, cur_scores, moved).rules
                if r.rule == "regression" and r.subject.startswith(f"{lv} fc/call_exact "))
    assert rule.observed == -0.5


def test_same_run_twice_passes_unpaired(demo) -> None:
    report, scores = demo
    result = evaluate_gate(report, _spec(), Baseline(report, None, str(DEMO)), scores)
    assert result.passed and not result.baseline.paired
    assert {r.test for r in result.rules if r.rule == "regression"} == {"unpaired_wald"}


def test_resampled_a_a_runs_pass(demo) -> None:
    """Items bootstrapped, each comparison's sides swapped at random: nothing differs, the gate should
    not fail more than the 5% it promises (measured far lower: bench/gate_false_alarm.py)."""
    report, scores = demo
    rng = np.random.default_rng(7)
    failed = 0
    for _ in range(40):
        sample = resample(scores, bootstrap_items(scores, rng))
        cur, cur_scores = aa_run(report, sample, rng, GATED)
        old, old_scores = aa_run(report, sample, rng, GATED)
        failed += not evaluate_gate(cur, _spec(), Baseline(old, old_scores, "a/a"), cur_scores).passed
    assert failed <= 2


def test_demo_q2_k_fails_compression_on_json_validity(demo) -> None:
    report, _ = demo
    shipped = report.model_copy(update={"levels": [lv.model_copy(update={"shipped": True}) for lv in report.levels]})
    spec = _spec().model_copy(update={"ship": ["base", "bf16", "f16", "q8_0", "q4_k_m", "q2_k"]})
    result = evaluate_gate(shipped, spec)
    failed = _failed(result)
    assert ("compression", "q2_k fc/json_valid (vs bf16)") in failed
    assert ("kld", "q2_k kld/p99") in failed
    assert all(subject.startswith("q2_k ") for _, subject in failed), failed
    [rule] = [r for r in result.rules if r.subject == "q2_k fc/json_valid (vs bf16)"]
    assert rule.observed == pytest.approx(0.567 - 0.925, abs=0.01) and rule.p_adjusted < 0.001


def test_collapsed_level_fails_regression_against_baseline(demo) -> None:
    """This run's q4_k_m answers like the demo's Q2_K: paired per item against the baseline, it fails."""
    report, scores = demo
    broken = scores.model_copy(deep=True)
    broken.levels["q4_k_m"] = LevelScores(sha256=scores.levels["q4_k_m"].sha256, tasks=scores.levels["q2_k"].tasks)
    current = rebuild(report, broken)
    result = evaluate_gate(current, _spec(), Baseline(report, scores, str(DEMO)), broken)
    failed = _failed(result)
    assert ("regression", "q4_k_m fc/json_valid (vs demo)") in failed
    assert ("compression", "q4_k_m fc/json_valid (vs bf16)") in failed
    assert all(subject.startswith("q4_k_m ") for _, subject in failed), failed


def test_baseline_of_another_suite_version_is_refused(demo) -> None:
    report, scores = demo
    old = report.model_copy(deep=True)
    old.suites[0].version = "bfcl-v3-simple_python-1"
    with pytest.raises(BadInput, match="suite fc/bfcl_simple is version bfcl-v3-simple_python-1 in the baseline "
                                       "and version bfcl-v4-simple_python-1 here") as e:
        evaluate_gate(report, _spec(), Baseline(old, scores, "runs/old"), scores)
    assert e.value.where == "runs/old"


def test_baseline_with_another_suite_is_refused(demo) -> None:
    report, scores = demo
    old = report.model_copy(deep=True)
    old.suites = old.suites[:-1]
    with pytest.raises(BadInput, match="suite general/arc_challenge is only in this report"):
        evaluate_gate(report, _spec(), Baseline(old, scores, "runs/old"), scores)


def test_baseline_with_other_items_is_refused(demo) -> None:
    report, scores = demo
    old = scores.model_copy(deep=True)
    items = old.levels["bf16"].tasks["fr/mc"]
    first = min(items)
    items["fr_mc_other"] = items.pop(first)
    with pytest.raises(BadInput, match=f"task fr/mc \\(bf16\\) scored other items: 1 only in the baseline "
                                       f"\\(e.g. fr_mc_other\\), 1 only here \\(e.g. {first}\\)"):
        evaluate_gate(report, _spec(), Baseline(report, old, "runs/old"), scores)
