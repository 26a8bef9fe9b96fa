"""Metric selection is read from the report: new suites, tasks and metrics need no change to publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.publish.metrics import (
    failed_rules,
    headline,
    kld_metrics,
    md_escape,
    pooled_metrics,
    recommended,
    suite_metrics,
    suites,
    verdict,
)
from harness.records.gate import GateRule
from harness.records.report import Metric, Report, Suite, load_report

REAL = Path(__file__).resolve().parents[1] / "data" / "report_release_demo.json"


@pytest.fixture()
def real() -> Report:
    return load_report(REAL)


def _m(v: float) -> Metric:
    return Metric(value=v, ci_low=max(v - 0.1, 0), ci_high=min(v + 0.1, 1), n=20)


def test_suites_and_headlines_of_the_real_report(real: Report) -> None:
    assert suites(real) == ["fc", "fr", "general"]  # kld is a divergence, not a suite of scores
    assert headline(real) == ["fc/call_exact", "fr/mc_acc", "general/acc"]
    assert pooled_metrics(real)[:3] == ["fc/call_exact", "fc/json_valid", "fc/schema_valid"]
    assert kld_metrics(real) == ["kld/mean", "kld/p99", "kld/top1_agree", "kld/ppl_ratio"]


def test_new_suite_and_per_category_metrics_appear(real: Report) -> None:
    """A suite no code knows (code/...) and per-category fc metrics show up, ordered after known ones."""
    for lv in real.levels:
        lv.metrics["code/pass_at_1"] = _m(0.3)
        lv.metrics["fc/category/parallel/call_exact"] = _m(0.2)
        lv.metrics["fc/ast_f1"] = _m(0.5)
    real.suites.append(Suite(name="code/humaneval", version="1", n_items=20))
    assert suites(real) == ["fc", "fr", "general", "code"]
    assert headline(real)[-1] == "code/pass_at_1"
    fc = suite_metrics(real, "fc")
    assert fc[:4] == ["fc/call_exact", "fc/json_valid", "fc/schema_valid", "fc/ast_f1"]
    assert fc[-1] == "fc/category/parallel/call_exact"  # deepest names last
    assert "fc/ast_f1" in pooled_metrics(real) and "fc/category/parallel/call_exact" not in pooled_metrics(real)


def test_suite_without_pooled_metric_uses_its_first_task_metric(real: Report) -> None:
    for lv in real.levels:
        lv.metrics["safety/refusals/rate"] = _m(0.9)
    assert headline(real)[-1] == "safety/refusals/rate"


def test_one_task_twin_is_dropped_only_when_identical(real: Report) -> None:
    assert "fr/mc/mc_acc" not in suite_metrics(real, "fr")
    real.levels[2].metrics["fr/mc/mc_acc"] = _m(0.9)  # differs from fr/mc_acc on one level: keep both
    assert "fr/mc/mc_acc" in suite_metrics(real, "fr")


def test_failed_rules_are_matched_to_their_level(real: Report) -> None:
    rules = real.gate.rules
    rules.append(GateRule(rule="compression", subject="q4_k_m fc/call_exact (vs bf16)", observed=-0.3,
                          limit="delta >= -0.05 or p >= 0.05", passed=False))
    rules.append(GateRule(rule="checks", subject="chat_template:q8_0", observed=None, limit="passes", passed=False))
    real.gate.passed = False
    assert len(failed_rules(real, "q4_k_m")) == 1 and "observed -0.3" in failed_rules(real, "q4_k_m")[0]
    assert failed_rules(real, "bf16") == []  # the reference after "vs" is not the subject
    assert verdict(real, real.level("q4_k_m")) == "blocked: failed a rule"
    assert verdict(real, real.level("q8_0")) == "blocked: failed a rule"
    assert verdict(real, real.level("f16")) == "blocked: gate failed"
    assert verdict(real, real.level("q2_k")) == "not shipped"
    assert recommended(real).name == "q4_k_m"  # nothing passed: the smallest shipped GGUF is still named


def test_recommended_is_smallest_passing_shipped_gguf(real: Report) -> None:
    assert recommended(real).name == "q4_k_m"
    real.level("q4_k_m").shipped = False
    assert recommended(real).name == "q8_0"


def test_md_escape_neutralises_markup() -> None:
    assert md_escape("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert md_escape("a|b`c*d\ne") == "a\\|b&#96;c\\*d e"
    assert md_escape("[click](javascript:alert(1))") == "[click]&#40;javascript:alert(1))"
    # attr_list braces, quotes, backslashes (which would escape our escapes) and line breaks of any kind
    assert md_escape('x {onfocus="a()" autofocus}') == "x &#123;onfocus=&quot;a()&quot; autofocus&#125;"
    assert md_escape("a\\|b\rc\u2028d\x02e") == "a&#92;\\|b c d e"


def test_fc_headlines_are_call_and_relevance_apart_with_the_pooled_one_defined(real: Report) -> None:
    from harness.publish.tables import compression, suite_table

    for lv in real.levels:
        lv.metrics["fc/call_acc"] = _m(0.4)
        lv.metrics["fc/relevance_acc"] = _m(0.9)
        lv.metrics["fc/parse_fail"] = _m(0.1)
    assert headline(real) == ["fc/call_acc", "fc/relevance_acc", "fr/mc_acc", "general/acc"]
    assert suite_metrics(real, "fc")[:3] == ["fc/call_acc", "fc/relevance_acc", "fc/call_exact"]
    table = compression(real)
    assert "| fc/call_acc | fc/relevance_acc |" in table and "<code>fc/relevance_acc</code>: irrelevance items" in table
    fc = suite_table(real, "fc")
    assert "<code>fc/call_exact</code>: pooled over every fc item" in fc and "(lower is better)" in fc
    assert "pooled over every fc item" not in suite_table(real, "fr")
