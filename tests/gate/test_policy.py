"""The gate's decision rule on small hand-built reports."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.gate import evaluate_gate, gate_markdown, gate_text
from harness.profiles.model import GateSpec
from harness.report.model import Check, Comparison, GateResult, Level, Metric, Report, Suite

SPEC = GateSpec(compression_metrics=["fc/call_exact"], forgetting_metrics=["general/acc"])


def _metric(value: float, half: float = 0.03) -> Metric:
    return Metric(value=value, ci_low=value - half, ci_high=value + half, n=500)


def _level(name: str, kind: str, value: float, shipped: bool = True) -> Level:
    return Level(name=name, kind=kind, path=f"/x/{name}", sha256="0" * 64, size_bytes=1, bits_per_weight=16.0,
                 shipped=shipped, metrics={"fc/call_exact": _metric(value), "general/acc": _metric(value)})


def _comp(a: str, b: str, metric: str, delta: float = 0.0, p: float = 1.0) -> Comparison:
    return Comparison(a=a, b=b, metric=metric, delta=delta, ci_low=delta - 0.02, ci_high=delta + 0.02,
                      p_value=p, n=500, test="mcnemar")


def _report(q2k_delta: float = 0.0, q2k_p: float = 1.0, forgetting_delta: float = 0.0, forgetting_p: float = 1.0,
            checks: list[Check] | None = None, q2k_shipped: bool = True, version: str = "1") -> Report:
    return Report(
        release="demo", created="2026-01-01T00:00:00Z", gate=GateResult(passed=True),
        levels=[_level("base", "hf", 0.5), _level("bf16", "hf", 0.8), _level("q4_k_m", "gguf", 0.8),
                _level("q2_k", "gguf", 0.8 + q2k_delta, shipped=q2k_shipped)],
        comparisons=[_comp("base", "bf16", "general/acc", forgetting_delta, forgetting_p),
                     _comp("bf16", "q4_k_m", "fc/call_exact"),
                     _comp("bf16", "q2_k", "fc/call_exact", q2k_delta, q2k_p)],
        checks=checks or [Check(name="chat_template:q4_k_m", passed=True)],
        suites=[Suite(name="fc/bfcl_simple", version=version, n_items=500)],
    )


def test_a_a_passes() -> None:
    result = evaluate_gate(_report(), SPEC)
    assert result.passed and result.failures == []
    assert {r.rule for r in result.rules} == {"forgetting", "compression"}


def test_significant_material_compression_drop_fails() -> None:
    result = evaluate_gate(_report(q2k_delta=-0.2, q2k_p=0.001), SPEC)
    assert not result.passed
    [bad] = [r for r in result.rules if not r.passed]
    assert bad.rule == "compression"
    assert "q2_k" in bad.subject and "fc/call_exact" in bad.subject
    assert bad.observed == pytest.approx(-0.2)
    assert len(result.failures) == 1 and "q2_k" in result.failures[0]
    assert "❌" in gate_markdown(result) and "FAIL" in gate_text(result)


def test_material_but_not_significant_drop_passes() -> None:
    assert evaluate_gate(_report(q2k_delta=-0.2, q2k_p=0.2), SPEC).passed


def test_significant_but_small_drop_passes() -> None:
    assert evaluate_gate(_report(q2k_delta=-0.01, q2k_p=0.001), SPEC).passed


def test_failed_check_fails() -> None:
    result = evaluate_gate(_report(checks=[Check(name="chat_template:q2_k", passed=False, detail="EOS differs")]), SPEC)
    assert not result.passed
    [bad] = [r for r in result.rules if not r.passed]
    assert (bad.rule, bad.subject) == ("checks", "chat_template:q2_k")


def test_failed_check_of_an_ungated_level_is_ignored_but_of_a_gated_one_fails() -> None:
    probe = Check(name="eos_probe:q2_k", level="q2_k", passed=False, detail="ran 64 tokens without EOS")
    assert evaluate_gate(_report(checks=[probe], q2k_shipped=False), SPEC).passed
    assert not evaluate_gate(_report(checks=[probe]), SPEC).passed
    spec = GateSpec(compression_metrics=["fc/call_exact"], ship=["base", "bf16", "q4_k_m"])
    assert evaluate_gate(_report(checks=[probe]), spec).passed
    # A check about no level (contamination, ...) always counts.
    assert not evaluate_gate(_report(checks=[Check(name="contamination", passed=False)], q2k_shipped=False), SPEC).passed


def test_required_check_missing_fails_and_present_passes() -> None:
    spec = GateSpec(compression_metrics=["fc/call_exact"], required_checks=["fidelity", "chat_template"])
    result = evaluate_gate(_report(), spec)  # holds chat_template:q4_k_m only
    assert not result.passed
    [bad] = [r for r in result.rules if not r.passed]
    assert (bad.rule, bad.subject) == ("checks", "fidelity") and "no fidelity check" in bad.limit
    assert result.failures == ["checks: fidelity failed: required, but the report holds no fidelity check"]
    checks = [Check(name="chat_template:q4_k_m", passed=True), Check(name="fidelity:f16", level="f16", passed=True)]
    assert evaluate_gate(_report(checks=checks), spec).passed


def test_unshipped_level_is_ignored() -> None:
    result = evaluate_gate(_report(q2k_delta=-0.3, q2k_p=0.0001, q2k_shipped=False), SPEC)
    assert result.passed
    assert not any("q2_k" in r.subject for r in result.rules)


def test_level_outside_ship_list_is_ignored() -> None:
    spec = SPEC.model_copy(update={"ship": ["q4_k_m"]})
    assert evaluate_gate(_report(q2k_delta=-0.3, q2k_p=0.0001), spec).passed


def test_missing_comparison_fails_with_no_observation() -> None:
    report = _report()
    report.comparisons = [c for c in report.comparisons if c.b != "q4_k_m"]
    result = evaluate_gate(report, SPEC)
    [bad] = [r for r in result.rules if not r.passed]
    assert bad.observed is None and "q4_k_m" in bad.limit


def test_forgetting_drop_fails() -> None:
    result = evaluate_gate(_report(forgetting_delta=-0.1, forgetting_p=0.001), SPEC)
    [bad] = [r for r in result.rules if not r.passed]
    assert bad.rule == "forgetting" and "general/acc" in bad.subject


def test_kld_p99_limit() -> None:
    report = _report()
    report.level("q2_k").metrics["kld/p99"] = _metric(2.5, 0.1)
    report.level("q4_k_m").metrics["kld/p99"] = _metric(0.4, 0.1)
    result = evaluate_gate(report, SPEC.model_copy(update={"max_kld_p99": 1.0}))
    assert [r.subject for r in result.rules if not r.passed] == ["q2_k kld/p99"]


def test_baseline_with_other_suite_version_raises() -> None:
    with pytest.raises(BadInput, match="version 1.*version 2"):
        evaluate_gate(_report(version="2"), SPEC, baseline=_report(version="1"))


def test_regression_against_baseline() -> None:
    baseline = _report()
    same = evaluate_gate(_report(), SPEC, baseline=baseline)
    assert same.passed and any(r.rule == "regression" for r in same.rules)
    current = _report()
    current.level("q4_k_m").metrics["fc/call_exact"] = _metric(0.6)  # intervals 0.57-0.63 vs 0.77-0.83
    result = evaluate_gate(current, SPEC, baseline=baseline)
    assert [(r.rule, r.subject.split()[0]) for r in result.rules if not r.passed] == [("regression", "q4_k_m")]


def test_markdown_summary_and_table() -> None:
    text = gate_markdown(evaluate_gate(_report(), SPEC))
    first, *_ = text.splitlines()
    assert "✅" in first and "passed" in first
    assert "| rule | subject | observed | limit | verdict |" in text
