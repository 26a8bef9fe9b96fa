"""Known answers for the intervals and paired tests in harness.stats."""

from __future__ import annotations

import numpy as np
import pytest

from harness.stats import bootstrap_p, mcnemar_exact_p, metric_summary, paired_comparison, wilson_interval


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


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score, no correction).
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
    # By hand from the formula: symmetric around 0.5, and the all-correct mirror of 0/10.
    (5, 10, 0.2366, 0.7634), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0),
])
def test_wilson_interval_published_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)
    m = metric_summary([1.0] * k + [0.0] * (n - k))  # the metric path picks Wilson for 0/1 data
    assert (m.ci_low, m.ci_high, m.n) == (pytest.approx(lo), pytest.approx(hi), n)


def test_fractional_scores_are_not_treated_as_pass_fail() -> None:
    m = metric_summary([0.5] * 10)  # in [0, 1] but not 0/1: bootstrap, and a constant has a zero-width CI
    assert m.value == 0.5 and m.ci_low == pytest.approx(0.5) and m.ci_high == pytest.approx(0.5)


def _pairs(both: int, a_only: int, b_only: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    a = [1] * both + [1] * a_only + [0] * b_only + [0] * neither
    b = [1] * both + [0] * a_only + [1] * b_only + [0] * neither
    return np.array(a, dtype=float), np.array(b, dtype=float)


@pytest.mark.parametrize(("a_only", "b_only", "p"), [
    (0, 5, 2 / 32),  # 2 * 0.5^5 = 0.0625
    (1, 6, 2 * 8 / 128),  # 2 * P(X <= 1 | 7, 0.5) = 2 * (1 + 7) / 128 = 0.125
    (0, 10, 2 / 1024),  # 0.00195
    (3, 3, 1.0),  # balanced discordance: 2 * 42/64 > 1, clipped
    (0, 0, 1.0),  # no discordant pair: no evidence either way
])
def test_mcnemar_exact_small_tables(a_only: int, b_only: int, p: float) -> None:
    a, b = _pairs(7, a_only, b_only, 4)
    assert mcnemar_exact_p(a, b) == pytest.approx(p, abs=1e-12)
    assert mcnemar_exact_p(b, a) == pytest.approx(p, abs=1e-12)  # two-sided: symmetric
    # Concordant pairs carry no information: adding 100 of them changes nothing.
    a2, b2 = _pairs(107, a_only, b_only, 54)
    assert mcnemar_exact_p(a2, b2) == pytest.approx(p, abs=1e-12)


def test_comparison_delta_is_b_minus_a() -> None:
    a = {str(i): 1.0 for i in range(10)}
    b = {str(i): float(i >= 5) for i in range(10)}
    c = paired_comparison(a, b, a_name="bf16", b_name="q2_k", metric="m")
    assert c.delta == pytest.approx(-0.5) and c.p_value == pytest.approx(2 / 32) and c.ci_high < 0


def test_paired_bootstrap_is_seeded_and_stays_within_the_differences() -> None:
    rng = np.random.default_rng(6)
    a = {str(i): float(v) for i, v in enumerate(rng.normal(size=60))}
    b = {k: v + float(rng.normal(0.1, 0.5)) for k, v in a.items()}
    c1 = paired_comparison(a, b, a_name="a", b_name="b", metric="m", seed=7)
    c2 = paired_comparison(a, b, a_name="a", b_name="b", metric="m", seed=7)
    c3 = paired_comparison(a, b, a_name="a", b_name="b", metric="m", seed=8)
    assert c1 == c2  # reproducible reports
    assert (c3.ci_low, c3.ci_high) != (c1.ci_low, c1.ci_high)
    assert c3.ci_low == pytest.approx(c1.ci_low, abs=0.05) and c3.ci_high == pytest.approx(c1.ci_high, abs=0.05)
    diffs = np.array([b[k] - a[k] for k in a])
    assert diffs.min() <= c1.ci_low <= c1.delta <= c1.ci_high <= diffs.max()


def test_pairing_removes_item_difficulty_from_the_interval() -> None:
    # Item difficulty varies a lot (sd 1), the level effect is small (+0.2) and consistent (sd 0.05):
    # the paired CI is about as wide as the noise of the differences, far narrower than an unpaired one.
    rng = np.random.default_rng(9)
    difficulty = rng.normal(size=200)
    a = {str(i): float(d) for i, d in enumerate(difficulty)}
    b = {str(i): float(d + 0.2 + rng.normal(0, 0.05)) for i, d in enumerate(difficulty)}
    c = paired_comparison(a, b, a_name="a", b_name="b", metric="m")
    width = c.ci_high - c.ci_low
    assert width == pytest.approx(2 * 1.96 * 0.05 / np.sqrt(200), rel=0.3)  # about 0.014
    unpaired = 2 * 1.96 * np.sqrt(2 / 200)  # two independent means of sd-1 data: about 0.28
    assert width < unpaired / 10
    assert c.ci_low > 0.18 and c.ci_high < 0.22 and c.p_value < 0.01


def test_constant_shift_gives_a_point_interval_and_the_smallest_p() -> None:
    a = {str(i): float(i) for i in range(30)}
    b = {k: v + 0.25 for k, v in a.items()}
    c = paired_comparison(a, b, a_name="a", b_name="b", metric="m", n_boot=999)
    assert c.ci_low == pytest.approx(0.25) and c.ci_high == pytest.approx(0.25)
    assert c.test == "paired_bootstrap" and c.p_value == pytest.approx(2 / 1000)


def test_bootstrap_p_counts_the_far_side_of_zero() -> None:
    assert bootstrap_p(np.array([0.1] * 99)) == pytest.approx(2 / 100)
    assert bootstrap_p(np.array([-0.1] * 49 + [0.1] * 50)) == pytest.approx(1.0)
    assert bootstrap_p(np.array([-0.1] * 4 + [0.1] * 95)) == pytest.approx(2 * 5 / 100)


def test_wilson_interval_holds_the_rate_at_the_edges():
    from harness.stats import wilson_interval

    for n in range(1, 200):
        low, high = wilson_interval(0, n)
        assert low == 0.0 <= high
        low, high = wilson_interval(n, n)
        assert low <= 1.0 == high
