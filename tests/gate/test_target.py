"""The target rule on small hand-built reports: the fine-tune must beat the base on each trained-for suite."""

from __future__ import annotations

import pytest

from harness.gate import evaluate_gate, gate_markdown, gate_text
from harness.profiles.model import GateSpec
from harness.records.gate import GateResult
from harness.records.report import Comparison, Level, Metric, Report, report_json

SPEC = GateSpec(compression_metrics=[], forgetting_metrics=["general/acc"], required_checks=[], kld_max={})
FC, REL, FR = "fc/call_acc", "fc/relevance_acc", "fr/mc_acc"


def _metric(value: float) -> Metric:
    return Metric(value=value, ci_low=max(0.0, value - 0.1), ci_high=min(1.0, value + 0.1), n=100)


def _comp(metric: str, delta: float, p: float) -> Comparison:
    return Comparison(a="base", b="bf16", metric=metric, delta=delta, ci_low=delta - 0.05, ci_high=delta + 0.05,
                      p_value=p, n=100, test="mcnemar")


def _report(gains: dict[str, tuple[float, float]] | None = None, levels=("base", "bf16"),
            suites=(FC, REL, FR, "general/acc")) -> Report:
    """base and bf16 with (delta, two-sided p) per metric; unchanged (0, 1) where not given."""
    gains = gains or {}
    values = {m: 0.5 for m in suites}
    comps = [_comp(m, *gains.get(m, (0.0, 1.0))) for m in suites]
    return Report(release="t", created="2026-01-01T00:00:00Z", gate=GateResult(passed=True),
                  levels=[Level(name=n, kind="hf", path=f"/x/{n}", sha256="0" * 64, size_bytes=1, bits_per_weight=16.0,
                                metrics={m: _metric(v + (gains.get(m, (0, 1))[0] if n == "bf16" else 0))
                                         for m, v in values.items()}) for n in levels],
                  comparisons=comps if {"base", "bf16"} <= set(levels) else [])


def _target(result: GateResult) -> dict[str, tuple[bool, float | None]]:
    return {r.subject: (r.passed, r.observed) for r in result.rules if r.rule == "target"}


def test_fine_tune_identical_to_base_fails_saying_so() -> None:
    result = evaluate_gate(_report(), SPEC)
    assert not result.passed
    assert _target(result) == {"fc: bf16 fc/call_acc (vs base)": (False, 0.0), "fr: bf16 fr/mc_acc (vs base)": (False, 0.0),
                               "fc: bf16 fc/relevance_acc (vs base), must not drop": (True, 0.0)}
    fc_line, fr_line = result.failures
    assert fc_line == ("target: fc: the fine-tune (bf16) does not beat the base on fc/call_acc: gain +0, margin 0, "
                       "p = 0.5 (one-sided, mcnemar, n = 100); no gain at all: it scores as the base does")
    assert fr_line.startswith("target: fr: ") and "fr/mc_acc" in fr_line


def test_clear_paired_gain_passes_uncorrected() -> None:
    result = evaluate_gate(_report({FC: (0.2, 0.001), FR: (0.1, 0.02)}), SPEC)
    assert result.passed, result.failures
    gains = [r for r in result.rules if r.rule == "target" and r.margin is not None]
    assert [(r.p_value, r.p_adjusted, r.margin) for r in gains] == [(0.0005, None, 0.0), (0.01, None, 0.0)]
    # Only the drop rules share Holm's family: general/acc and the relevance hold.
    assert result.tests == 2
    [rel] = [r for r in result.rules if r.metric == REL]
    assert rel.tolerance == SPEC.forgetting_tolerance and rel.p_adjusted == 1.0
    assert "gain >= 0 and p < 0.05, one-sided, uncorrected (p = 0.0005" in gains[0].limit


def test_a_drop_or_a_noisy_gain_fails() -> None:
    result = evaluate_gate(_report({FC: (-0.2, 0.001), FR: (0.1, 0.2)}), SPEC)
    assert [r.passed for r in result.rules if r.margin is not None] == [False, False]
    assert result.failures[0].endswith("it scores below the base") and "gain -0.2" in result.failures[0]
    assert "p = 1 (" in result.failures[0]  # a drop is the far tail of a gain (0.9995)
    assert result.failures[1].endswith("the gain is not significant (p >= alpha 0.05)") and "p = 0.1" in result.failures[1]


def test_gain_below_the_margin_fails() -> None:
    report = _report({FC: (0.2, 0.001), FR: (0.1, 0.001)})
    result = evaluate_gate(report, SPEC.model_copy(update={"target_margin": 0.15}))
    assert _target(result)["fc: bf16 fc/call_acc (vs base)"] == (True, 0.2)
    [line] = result.failures
    assert line.startswith("target: fr: ") and "gain +0.1, margin 0.15," in line
    assert line.endswith("the gain is below the margin 0.15")


def test_calling_bought_by_calling_when_no_tool_fits_fails_the_hold() -> None:
    result = evaluate_gate(_report({FC: (0.2, 0.001), FR: (0.1, 0.001), REL: (-0.8, 1e-9)}), SPEC)
    [bad] = [r for r in result.rules if not r.passed]
    assert (bad.rule, bad.subject, bad.observed) == ("target", "fc: bf16 fc/relevance_acc (vs base), must not drop", -0.8)
    # A relevance drop the eval set cannot tell from noise passes, as every drop rule does.
    assert evaluate_gate(_report({FC: (0.2, 0.001), FR: (0.1, 0.001), REL: (-0.8, 0.3)}), SPEC).passed
    # Without the hold (the profile's choice), calling everything would pass.
    no_hold = SPEC.model_copy(update={"target_holds": {"fc": []}})
    assert evaluate_gate(_report({FC: (0.2, 0.001), FR: (0.1, 0.001), REL: (-0.8, 1e-9)}), no_hold).passed


def test_suite_missing_from_the_report_fails_by_name() -> None:
    result = evaluate_gate(_report({FC: (0.2, 0.001)}, suites=(FC, REL, "general/acc")), SPEC)
    assert not result.passed
    assert result.failures == ["target: fr: bf16 fr/mc_acc (vs base): suite fr is not in the report: a fine-tune "
                               "trained for it must be scored on it (or drop it from gate.trained_for)"]


def test_target_metric_or_hold_not_scored_fails() -> None:
    result = evaluate_gate(_report({FC: (0.2, 0.001)}, suites=(FC, "fr/lang_fr", "general/acc")), SPEC)
    assert sorted(result.failures) == [
        "target: fc: bf16 fc/relevance_acc (vs base), must not drop: none of fc/relevance_acc scored on both base and bf16",
        "target: fr: bf16 fr/mc_acc (vs base): no paired comparison base -> bf16 for fr/mc_acc in the report"]
    # The profile can name another target metric for its suite.
    spec = SPEC.model_copy(update={"target_metrics": {"fr": "fr/lang_fr"}, "target_holds": {"fc": []}})
    assert evaluate_gate(_report({FC: (0.2, 0.001), "fr/lang_fr": (0.3, 0.001)},
                                 suites=(FC, "fr/lang_fr", "general/acc")), spec).passed


def test_base_level_absent_fails_every_trained_suite() -> None:
    result = evaluate_gate(_report(levels=("bf16",)), SPEC.model_copy(update={"forgetting_metrics": []}))
    assert [f.split(":")[1].strip() for f in result.failures] == ["fc", "fr"]
    assert all("level base is missing from the report" in f for f in result.failures)


def test_nan_gain_fails() -> None:
    report = _report({FC: (0.2, 0.001), FR: (0.1, 0.001)})
    report.comparisons[0].p_value = float("nan")
    [line] = evaluate_gate(report, SPEC).failures
    assert line.startswith("target: fc: bf16 fc/call_acc (vs base): could not be computed")


def test_empty_list_turns_the_rule_off() -> None:
    result = evaluate_gate(_report(), SPEC.model_copy(update={"trained_for": []}))
    assert result.passed and _target(result) == {}
    only_fc = evaluate_gate(_report({FC: (0.2, 0.001)}), SPEC.model_copy(update={"trained_for": ["fc"]}))
    assert only_fc.passed and all(s.startswith("fc: ") for s in _target(only_fc))


def test_shown_in_text_markdown_and_report() -> None:
    result = evaluate_gate(_report({FC: (0.2, 0.001)}), SPEC)
    text, md = gate_text(result), gate_markdown(result)
    assert "FAIL  target       fr: bf16 fr/mc_acc (vs base)" in text
    assert "must beat the base on each suite it was trained for (fc, fr): a gain of at least 0" in text
    assert "| target | fr: bf16 fr/mc_acc (vs base) | 0 | gain >= 0 and p < 0.05" in md and "must beat the base" in md
    report = _report().model_copy(update={"gate": result})
    assert '"margin": 0.0' in report_json(report)


@pytest.mark.parametrize("delta, p, passed", [(0.05, 0.09, True), (0.05, 0.11, False)])
def test_one_sided_half_of_the_two_sided_p(delta: float, p: float, passed: bool) -> None:
    result = evaluate_gate(_report({FC: (delta, p)}), SPEC.model_copy(update={"trained_for": ["fc"]}))
    assert result.passed is passed
