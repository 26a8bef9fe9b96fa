"""harness/names.py: the one table of level, check and metric names."""

from __future__ import annotations

from harness import names


def test_metric_grammar_round_trips() -> None:
    m = names.metric_name("fc/bfcl_simple", "call_exact")
    assert m == "fc/bfcl_simple/call_exact"
    assert names.suite_of(m) == "fc" and names.leaf_of(m) == "call_exact" and not names.is_suite_metric(m)
    assert names.is_suite_metric(names.metric_name("fc", "call_exact"))
    assert names.pools("fc/bfcl_simple", "fc/bfcl") == ["fc/bfcl_simple", "fc/bfcl", "fc"]
    assert names.pools("fr/mc", None) == ["fr/mc", "fr"]


def test_levels_and_checks() -> None:
    assert (names.BASE, names.BF16) == ("base", "bf16")
    assert names.gguf_reference("f16") == "f16" and names.gguf_reference("bf16") == "bf16-gguf"
    assert names.check_name(names.EOS_PROBE, "q4_k_m") == "eos_probe:q4_k_m"
    assert names.LM_HEAD_MERGE == names.check_name("lm_head", "merge")
