"""The target rule on the real demo run's per-item scores: its fine-tune, one identical to the base, an
injected gain, and A/A runs (noise only) that must pass it at most alpha of the time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.gate import evaluate_gate
from harness.gate.simulate import aa_run, bootstrap_items, rebuild, resample, split_fc
from harness.profiles import load_profile
from harness.records.items import LevelScores, load_item_scores
from harness.records.report import Report, load_report

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_run"
TARGETED = {"fc/call_acc", "fc/relevance_acc", "fr/mc_acc"}


@pytest.fixture(scope="module")
def demo() -> tuple[Report, object]:
    report = load_report(DEMO)
    scores = split_fc(load_item_scores(DEMO, report))  # the run predates call_acc / relevance_acc
    return rebuild(report, scores, TARGETED), scores


def _spec():
    # The demo's own policy, less every rule but the target rule.
    # trained_for: the default (this older demo run's fine-tune fails it, shown here).
    return load_profile("demo").gate.model_copy(update={"forgetting_metrics": [], "compression_metrics": [],
                                                        "required_checks": [], "kld_max": {},
                                                        "trained_for": ["fc", "fr"]})


def _target(result) -> dict[str, tuple[bool, float]]:
    return {r.subject.split(":")[0] + " " + r.metric: (r.passed, round(r.observed, 3))
            for r in result.rules if r.rule == "target"}


def _with_bf16(report: Report, scores, tasks: dict) -> Report:
    changed = scores.model_copy(deep=True)
    changed.levels["bf16"] = LevelScores(sha256=scores.levels["bf16"].sha256, tasks=tasks)
    return rebuild(report, changed, TARGETED)


def test_split_matches_the_scorer_definitions(demo) -> None:
    report, _ = demo
    base, bf16 = report.level("base").metrics, report.level("bf16").metrics
    assert (base["fc/call_acc"].n, base["fc/relevance_acc"].n) == (67, 23)
    assert (base["fc/call_acc"].value, base["fc/relevance_acc"].value) == (0.0, 1.0)  # the base never calls
    assert bf16["fc/relevance_acc"].value == pytest.approx(2 / 23)  # the fine-tune calls almost always


def test_demo_fine_tune_gains_on_calls_but_fails_relevance_and_french(demo) -> None:
    report, _ = demo
    result = evaluate_gate(report, _spec())
    assert _target(result) == {"fc fc/call_acc": (True, 0.119), "fc fc/relevance_acc": (False, -0.913),
                               "fr fr/mc_acc": (False, -0.033)}
    gain = next(r for r in result.rules if r.metric == "fc/call_acc")
    assert gain.p_value == pytest.approx(0.5 ** 8) and gain.test == "mcnemar"  # 8 items won, none lost


def test_fine_tune_identical_to_base_fails_every_suite(demo) -> None:
    report, scores = demo
    same = _with_bf16(report, scores, scores.levels["base"].tasks)
    result = evaluate_gate(same, _spec())
    assert _target(result) == {"fc fc/call_acc": (False, 0.0), "fc fc/relevance_acc": (True, 0.0),
                               "fr fr/mc_acc": (False, 0.0)}
    assert all(f.endswith("no gain at all: it scores as the base does") for f in result.failures)
    assert [f.split(":")[1].strip() for f in result.failures] == ["fc", "fr"]


def test_injected_paired_gain_passes(demo) -> None:
    """The base's own answers, with a third of the items it failed now right (on calls and in French)."""
    report, scores = demo
    tasks = {t: {i: dict(s) for i, s in items.items()} for t, items in scores.levels["base"].tasks.items()}
    for task, leaf in [("fc/bfcl_simple", "call_acc"), ("fc/bfcl_multiple", "call_acc"), ("fr/mc", "mc_acc")]:
        wrong = sorted(i for i, s in tasks[task].items() if s[leaf] == 0)
        for i in wrong[::3]:
            tasks[task][i].update({leaf: 1.0, "call_exact": 1.0} if leaf == "call_acc" else {leaf: 1.0})
    result = evaluate_gate(_with_bf16(report, scores, tasks), _spec())
    assert result.passed, result.failures
    assert {k: v[0] for k, v in _target(result).items()} == {"fc fc/call_acc": True, "fc fc/relevance_acc": True,
                                                            "fr fr/mc_acc": True}


def test_noise_only_passes_the_target_at_most_alpha(demo) -> None:
    """A/A runs (items resampled, base and bf16 swapped per item at random): no real gain, so each suite's
    gain rule may pass at most alpha of the time (bench/gate_false_alarm.py: 1000 replicates)."""
    report, scores = demo
    rng = np.random.default_rng(3)
    n, passes = 60, {"fc": 0, "fr": 0, "both": 0}
    for _ in range(n):
        run, _ = aa_run(report, resample(scores, bootstrap_items(scores, rng)), rng, TARGETED)
        result = evaluate_gate(run, _spec())
        won = {r.subject.split(":")[0] for r in result.rules if r.margin is not None and r.passed}
        passes["fc"] += "fc" in won
        passes["fr"] += "fr" in won
        passes["both"] += result.passed
    assert passes["fc"] <= 0.05 * n and passes["fr"] <= 0.05 * n and passes["both"] <= 1, passes


DEMO_FC = DEMO.parent / "demo_run_fc"  # `make demo` on 2026-12-04 with the demo profile as committed


def test_committed_demo_passes_the_target_rule_with_a_significant_gain() -> None:
    """The demo's own gate, unmodified (trained_for: [fc]), on its own run: calls 0/38 -> 6/38 (six items
    won, none lost), relevance 18/18 -> 12/18, a drop Holm does not call significant among 14 tests."""
    report = load_report(DEMO_FC)
    spec = load_profile("demo").gate
    assert spec.trained_for == ["fc"]
    result = evaluate_gate(report, spec)
    assert result.passed, result.failures
    rows = {r.metric: r for r in result.rules if r.rule == "target"}
    gain, hold = rows["fc/call_acc"], rows["fc/relevance_acc"]
    assert (gain.observed, gain.n, gain.test) == (pytest.approx(6 / 38), 38, "mcnemar")
    assert gain.p_value == pytest.approx(0.5 ** 6)  # one-sided exact McNemar, 6 discordant items all won
    assert (hold.observed, hold.n) == (pytest.approx(-6 / 18), 18) and hold.passed


def test_committed_demo_without_the_gain_fails() -> None:
    """The same run with the fine-tune's call items set back to the base's answers: no gain, so the rule fails."""
    report = load_report(DEMO_FC)
    scores = load_item_scores(DEMO_FC, report)
    changed = scores.model_copy(deep=True)
    for task in ("fc/bfcl_simple", "fc/fr_fc"):
        changed.levels["bf16"].tasks[task] = scores.levels["base"].tasks[task]
    result = evaluate_gate(rebuild(report, changed, TARGETED), load_profile("demo").gate)
    assert not result.passed
    assert any(f.startswith("target: fc:") for f in result.failures), result.failures
