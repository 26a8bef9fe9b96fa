"""The gate's decision rule on small hand-built reports."""

from __future__ import annotations

import pytest

from harness.gate import evaluate_gate, gate_markdown, gate_text
from harness.gate.regression import Baseline
from harness.profiles.model import GateSpec
from harness.records.gate import GateResult
from harness.records.report import Check, Comparison, Level, Metric, Report, Suite

# The target rule (tests/gate/test_target.py) off: these reports are about the other rules.
SPEC = GateSpec(compression_metrics=["fc/call_exact"], forgetting_metrics=["general/acc"], required_checks=[],
                kld_max={}, trained_for=[])


def _metric(value: float, half: float = 0.03) -> Metric:
    return Metric(value=value, ci_low=value - half, ci_high=value + half, n=500)


def _level(name: str, kind: str, value: float, shipped: bool = True) -> Level:
    return Level(name=name, kind=kind, path=f"/x/{name}", sha256="0" * 64, size_bytes=1, bits_per_weight=16.0,
                 shipped=shipped, metrics={"fc/call_exact": _metric(value), "general/acc": _metric(value),
                                           "fc/simple/call_exact": _metric(value)})


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
                     _comp("bf16", "q4_k_m", "fc/call_exact"), _comp("bf16", "q4_k_m", "fc/simple/call_exact"),
                     _comp("bf16", "q2_k", "fc/call_exact", q2k_delta, q2k_p),
                     _comp("bf16", "q2_k", "fc/simple/call_exact", q2k_delta, q2k_p)],
        checks=checks or [Check(name="chat_template:q4_k_m", passed=True)],
        suites=[Suite(name="fc/bfcl_simple", version=version, n_items=500)],
    )


def _failed(result: GateResult) -> list[tuple[str, str]]:
    return [(r.rule, r.subject) for r in result.rules if not r.passed]


def test_a_a_passes() -> None:
    result = evaluate_gate(_report(), SPEC)
    assert result.passed and result.failures == []
    assert {r.rule for r in result.rules} == {"forgetting", "compression", "checks"}
    assert result.tests == 3 and result.correction == "holm" and result.alpha == 0.05


def test_significant_material_compression_drop_fails() -> None:
    result = evaluate_gate(_report(q2k_delta=-0.2, q2k_p=0.001), SPEC)
    assert not result.passed
    [bad] = [r for r in result.rules if not r.passed]
    assert (bad.rule, bad.subject) == ("compression", "q2_k fc/call_exact (vs bf16)")
    assert bad.observed == pytest.approx(-0.2)
    # One-sided (only drops fail): half the two-sided p; then Holm over the 3 tests, smallest first.
    assert bad.p_value == pytest.approx(0.0005) and bad.p_adjusted == pytest.approx(0.0015)
    assert len(result.failures) == 1 and "q2_k" in result.failures[0]
    assert "❌" in gate_markdown(result) and "FAIL" in gate_text(result)


def test_material_but_not_significant_drop_passes() -> None:
    assert evaluate_gate(_report(q2k_delta=-0.2, q2k_p=0.2), SPEC).passed


def test_significant_but_small_drop_passes() -> None:
    assert evaluate_gate(_report(q2k_delta=-0.01, q2k_p=0.001), SPEC).passed


def test_a_gain_never_fails() -> None:
    assert evaluate_gate(_report(q2k_delta=0.3, q2k_p=0.0001), SPEC).passed


def test_holm_spares_a_drop_significant_only_alone() -> None:
    # p one-sided 0.02 passes alone at 0.05, but not after Holm over 3 tests (0.06).
    drop = _report(q2k_delta=-0.1, q2k_p=0.04)
    assert evaluate_gate(drop, SPEC).passed
    assert not evaluate_gate(drop, SPEC.model_copy(update={"correction": "none"})).passed


def test_per_metric_tolerance_overrides_the_rule() -> None:
    drop = _report(q2k_delta=-0.04, q2k_p=0.0001)
    assert not evaluate_gate(drop, SPEC).passed
    assert evaluate_gate(drop, SPEC.model_copy(update={"tolerances": {"fc/call_exact": 0.05}})).passed


def test_patterns_gate_every_matching_metric() -> None:
    spec = SPEC.model_copy(update={"compression_metrics": ["fc/*"]})
    result = evaluate_gate(_report(q2k_delta=-0.2, q2k_p=0.001), spec)
    assert _failed(result) == [("compression", "q2_k fc/call_exact (vs bf16)"),
                               ("compression", "q2_k fc/simple/call_exact (vs bf16)")]


def test_failed_check_fails() -> None:
    result = evaluate_gate(_report(checks=[Check(name="chat_template:q2_k", passed=False, detail="EOS differs")]), SPEC)
    [bad] = [r for r in result.rules if not r.passed]
    assert (bad.rule, bad.subject) == ("checks", "chat_template:q2_k") and "EOS differs" in bad.limit


def test_required_checks_per_gated_level() -> None:
    spec = SPEC.model_copy(update={"required_checks": ["chat_template:{level}", "lm_head*"]})
    result = evaluate_gate(_report(q2k_shipped=False), spec)
    # q4_k_m has its check; bf16 has none and lm_head is missing; base and unshipped q2_k need none.
    assert _failed(result) == [("checks", "chat_template:bf16"), ("checks", "lm_head*")]
    assert all("missing" in r.limit for r in result.rules if not r.passed)


def test_failed_check_of_an_ungated_level_is_ignored_but_of_a_gated_one_fails() -> None:
    probe = Check(name="eos_probe:q2_k", level="q2_k", passed=False, detail="ran 64 tokens without EOS")
    only = SPEC.model_copy(update={"required_checks": [], "kld_max": {}})
    assert evaluate_gate(_report(checks=[probe], q2k_shipped=False), only).passed
    assert not evaluate_gate(_report(checks=[probe]), only).passed
    assert evaluate_gate(_report(checks=[probe]), only.model_copy(update={"ship": ["base", "bf16", "q4_k_m"]})).passed
    # A check about no level (contamination, ...) always counts.
    assert not evaluate_gate(_report(checks=[Check(name="contamination", passed=False)], q2k_shipped=False), only).passed


def test_required_check_patterns_name_what_is_missing() -> None:
    spec = SPEC.model_copy(update={"required_checks": ["fidelity*", "chat_template:{level}"], "kld_max": {},
                                   "ship": ["base", "bf16", "q4_k_m"]})
    result = evaluate_gate(_report(checks=[Check(name="chat_template:q4_k_m", passed=True)]), spec)
    assert sorted(r.subject for r in result.rules if not r.passed) == ["chat_template:bf16", "fidelity*"]
    checks = [Check(name=f"chat_template:{n}", passed=True) for n in ("bf16", "q4_k_m")]
    assert evaluate_gate(_report(checks=[*checks, Check(name="fidelity:f16", level="f16", passed=True)]), spec).passed


def test_unshipped_level_is_ignored() -> None:
    result = evaluate_gate(_report(q2k_delta=-0.3, q2k_p=0.0001, q2k_shipped=False), SPEC)
    assert result.passed
    assert not any("q2_k" in r.subject for r in result.rules if r.rule != "checks")


def test_level_outside_ship_list_is_ignored() -> None:
    spec = SPEC.model_copy(update={"ship": ["q4_k_m"]})
    assert evaluate_gate(_report(q2k_delta=-0.3, q2k_p=0.0001), spec).passed


def test_missing_comparison_fails_with_no_observation() -> None:
    report = _report()
    report.comparisons = [c for c in report.comparisons if c.b != "q4_k_m"]
    [bad] = [r for r in evaluate_gate(report, SPEC).rules if not r.passed]
    assert bad.observed is None and "q4_k_m" in bad.limit


def test_forgetting_drop_fails() -> None:
    result = evaluate_gate(_report(forgetting_delta=-0.1, forgetting_p=0.001), SPEC)
    assert _failed(result) == [("forgetting", "bf16 general/acc (vs base)")]


def test_forgetting_without_base_fails() -> None:
    report = _report()
    report.levels = [lv for lv in report.levels if lv.name != "base"]
    assert _failed(evaluate_gate(report, SPEC)) == [("forgetting", "bf16 (vs base)")]


def test_kld_limits_max_min_and_missing() -> None:
    report = _report()
    report.level("q2_k").metrics.update({"kld/p99": _metric(2.5, 0.1), "kld/top1_agree": _metric(0.55, 0.01)})
    report.level("q4_k_m").metrics.update({"kld/p99": _metric(0.4, 0.1)})
    spec = SPEC.model_copy(update={"kld_max": {"kld/p99": 1.0}, "kld_min": {"kld/top1_agree": 0.7}})
    assert _failed(evaluate_gate(report, spec)) == [("kld", "q4_k_m kld/top1_agree"), ("kld", "q2_k kld/p99"),
                                                     ("kld", "q2_k kld/top1_agree")]
    [missing] = [r for r in evaluate_gate(report, spec).rules if r.subject == "q4_k_m kld/top1_agree"]
    assert missing.observed is None and "not measured" in missing.limit


def test_legacy_max_kld_p99_key() -> None:
    assert GateSpec.model_validate({"max_kld_p99": 2.0}).kld_max == {"kld/p99": 2.0}
    assert GateSpec().kld_max == {"kld/p99": 1.0}


def test_baseline_with_other_suite_version_is_refused() -> None:
    from harness.errors import BadInput

    with pytest.raises(BadInput, match="suite fc/bfcl_simple is version 1 in the baseline and version 2 here"):
        evaluate_gate(_report(version="2"), SPEC, Baseline(_report(version="1"), None, "old/report.json"))


def test_regression_against_baseline_unpaired() -> None:
    baseline = Baseline(_report(), None, "old")
    same = evaluate_gate(_report(), SPEC, baseline)
    assert same.passed and same.baseline is not None and not same.baseline.paired
    assert {r.subject.split()[0] for r in same.rules if r.rule == "regression"} == {"bf16", "q4_k_m", "q2_k"}
    current = _report()
    current.level("q4_k_m").metrics["fc/call_exact"] = _metric(0.6)  # 0.8 -> 0.6, intervals +-0.03
    result = evaluate_gate(current, SPEC, baseline)
    [bad] = [r for r in result.rules if not r.passed]
    assert (bad.rule, bad.subject, bad.test) == ("regression", "q4_k_m fc/call_exact (vs demo)", "unpaired_wald")


def test_markdown_summary_and_table() -> None:
    text = gate_markdown(evaluate_gate(_report(), SPEC), title="demo")
    lines = text.splitlines()
    assert lines[0] == "### Release gate: demo"
    assert "✅" in lines[2] and "passed" in lines[2]
    assert "Holm's correction over 3 paired tests" in text
    assert "| rule | subject | observed | limit | verdict |" in text


def test_patterns_skip_lower_is_better_rates():
    from harness.gate.rules import expand

    have = ["fc/call_exact", "fc/unfinished", "fc/bfcl/unfinished", "fc/parse_fail", "fc/no_call", "fc/json_valid"]
    assert expand(["fc/*"], have) == ["fc/call_exact", "fc/json_valid"]
    assert expand(["fc/unfinished"], have) == ["fc/unfinished"]  # named exactly: the user asked for it


def test_gate_knows_every_lower_is_better_fc_metric():
    from harness.evals.fc import LOWER_IS_BETTER
    from harness.gate.rules import LOWER_IS_BETTER_LEAVES

    assert set(LOWER_IS_BETTER) == set(LOWER_IS_BETTER_LEAVES)
