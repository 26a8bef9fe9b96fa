"""Known answers for the intervals and paired tests in harness.evals.stats."""

from __future__ import annotations

import time

import numpy as np
import pytest

from harness.evals.stats import metric_summary, paired_comparison


def test_wilson_interval_8_of_10_matches_hand_computation() -> None:
    # z = 1.959964: centre = (0.8 + z^2/20) / (1 + z^2/10) = 0.71674,
    # half-width = z / (1 + z^2/10) * sqrt(0.016 + z^2/400) = 0.22657.
    m = metric_summary([1.0] * 8 + [0.0] * 2)
    assert m.value == pytest.approx(0.8)
    assert m.n == 10
    assert m.ci_low == pytest.approx(0.49016, abs=1e-4)
    assert m.ci_high == pytest.approx(0.94331, abs=1e-4)


def test_wilson_all_correct_stays_inside_unit_interval() -> None:
    m = metric_summary([1.0] * 20)
    assert m.ci_high == 1.0 and 0.8 < m.ci_low < 1.0


def test_continuous_values_use_bootstrap_around_the_mean() -> None:
    values = np.random.default_rng(1).normal(0.5, 0.1, 400)
    m = metric_summary(values.tolist())
    assert m.ci_low < m.value < m.ci_high
    # Bootstrap CI of a mean: about +-1.96 * sd / sqrt(n) = +-0.0098.
    assert m.ci_high - m.ci_low == pytest.approx(2 * 1.96 * values.std() / 20, rel=0.15)


def test_empty_input_raises() -> None:
    with pytest.raises(ValueError):
        metric_summary([])


def test_mcnemar_exact_p_for_10_vs_2_discordant() -> None:
    # 10 items only a gets right, 2 only b gets right, 20 both right: p = 2 * P(X <= 2 | 12, 0.5).
    a = {f"i{k}": 1.0 for k in range(32)}
    b = dict(a)
    for k in range(10):
        b[f"i{k}"] = 0.0
    for k in range(10, 12):
        a[f"i{k}"] = 0.0
    c = paired_comparison(a, b, a_name="bf16", b_name="q4_k_m", metric="fc/call_exact")
    assert c.test == "mcnemar"
    assert c.p_value == pytest.approx(158 / 4096, abs=1e-6)  # 0.0386
    assert c.delta == pytest.approx(-8 / 32)
    assert c.n == 32


def test_identical_scores_have_zero_delta_and_p_one() -> None:
    rng = np.random.default_rng(2)
    for values in (rng.integers(0, 2, 50).astype(float), rng.normal(size=50)):
        a = {str(i): float(v) for i, v in enumerate(values)}
        c = paired_comparison(a, dict(a), a_name="x", b_name="y", metric="m")
        assert c.delta == 0.0 and c.p_value == 1.0
        assert c.ci_low == 0.0 and c.ci_high == 0.0


def test_shifted_continuous_sample_gives_small_p() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=200)
    a = {str(i): float(v) for i, v in enumerate(base)}
    b = {str(i): float(v - 0.3 + rng.normal(0, 0.2)) for i, v in enumerate(base)}
    c = paired_comparison(a, b, a_name="bf16", b_name="q2_k", metric="kld/x")
    assert c.test == "paired_bootstrap"
    assert c.p_value < 0.01
    assert c.ci_high < 0


def test_ci_covers_true_delta_in_simulation() -> None:
    # 100 simulated eval sets with a true drop of 0.1 in pass rate: a 95% CI should cover it
    # in roughly 95 of them (allow 88 for Monte Carlo noise).
    rng = np.random.default_rng(4)
    covered = 0
    for run in range(100):
        a_vals = rng.random(300) < 0.7
        b_vals = np.where(rng.random(300) < 0.1 / 0.7, False, a_vals)  # lose 10 points of 70
        a = {str(i): float(v) for i, v in enumerate(a_vals)}
        b = {str(i): float(v) for i, v in enumerate(b_vals)}
        c = paired_comparison(a, b, a_name="a", b_name="b", metric="m", seed=run, n_boot=1000)
        covered += c.ci_low <= -0.1 <= c.ci_high
    assert covered >= 88


def test_pairing_uses_only_shared_ids() -> None:
    a = {"x": 1.0, "y": 0.0, "only_a": 1.0}
    b = {"x": 1.0, "y": 1.0, "only_b": 0.0}
    c = paired_comparison(a, b, a_name="a", b_name="b", metric="m")
    assert c.n == 2
    assert c.delta == pytest.approx(0.5)


def test_no_shared_ids_raises_with_counts() -> None:
    with pytest.raises(ValueError, match="3 items.*1"):
        paired_comparison({"a": 1, "b": 1, "c": 0}, {"z": 1}, a_name="a", b_name="b", metric="m")


def test_2000_boots_over_1000_items_is_fast() -> None:
    rng = np.random.default_rng(5)
    a = {str(i): float(v) for i, v in enumerate(rng.normal(size=1000))}
    b = {k: v + 0.01 for k, v in a.items()}
    timings = []
    for _ in range(3):  # best of 3: the first call pays one-off import and allocation costs
        start = time.perf_counter()
        paired_comparison(a, b, a_name="a", b_name="b", metric="m")
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.1
