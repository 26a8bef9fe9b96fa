"""harness/checks/fidelity.py: the f16 level's kld/* metrics as a pass/fail check."""

from __future__ import annotations

from harness.checks.fidelity import fidelity_check
from harness.records.report import Metric


def _m(value: float, n: int = 3400) -> Metric:
    return Metric(value=value, ci_low=value, ci_high=value, n=n)


def test_faithful_conversion_passes_with_numbers_in_detail():
    check = fidelity_check("f16", {"kld/mean": _m(2.9e-6), "kld/max": _m(1.2e-4), "kld/top1_agree": _m(0.999)},
                           1e-3, 0.05)
    assert check.passed and check.name == "fidelity:f16" and check.level == "f16"
    assert "mean KL 2.9e-06" in check.detail and "max KL 0.00012" in check.detail and "3400" in check.detail


def test_one_bad_token_fails_on_max_even_with_a_small_mean():
    check = fidelity_check("bf16-gguf", {"kld/mean": _m(4e-4), "kld/max": _m(0.8)}, 1e-3, 0.05)
    assert not check.passed and "max KL 0.8 (limit 0.05)" in check.detail


def test_high_mean_fails():
    assert not fidelity_check("f16", {"kld/mean": _m(0.01), "kld/max": _m(0.02)}, 1e-3, 0.05).passed


def test_unmeasured_fails():
    check = fidelity_check("f16", {"kld/mean": _m(0.0)}, 1e-3, 0.05)
    assert not check.passed and "not measured" in check.detail
