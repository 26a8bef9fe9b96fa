"""Intervals and paired tests for per-item scores (numpy/scipy only).

Every metric carries a 95% interval and n: the Wilson score interval for pass/fail (0/1) data, a
percentile bootstrap of the mean otherwise. Comparisons between two levels pair items by id, so
the between-item variance cancels: the CI is a paired bootstrap of the per-item differences, and
the p-value is exact McNemar for pass/fail data (only discordant pairs carry information) or a
two-sided paired bootstrap p-value otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import binom, norm

from harness.records.report import Comparison, Metric

CONFIDENCE = 0.95
_Z = float(norm.ppf(0.5 + CONFIDENCE / 2))  # 1.959964 for 95%
# Resample in chunks so n_boot x n index arrays stay small (a few MB) even for large eval sets.
_MAX_CELLS_PER_CHUNK = 2_000_000


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Log-probabilities over the last axis, in float64 (logits of one position per row)."""
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def token_logprobs(rows: np.ndarray, targets: Sequence[int], threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """log p(target) of each logit row and whether the target is the row's greedy token: bit for bit
    `log_softmax(rows)[i, targets[i]]`, without building the log-softmax of the whole vocabulary (a
    248k-token row is 2 MB in float64; HellaSwag scores a million rows a level). Blocks of rows go to
    `threads` threads: numpy lets go of the GIL inside its array loops."""
    t = np.asarray(targets, dtype=np.int64)
    lp = np.empty(len(t), dtype=np.float64)
    top = np.empty(len(t), dtype=bool)

    def block(a: int) -> None:
        x = rows[a : a + _ROWS_PER_BLOCK].astype(np.float64)
        m = x.max(-1, keepdims=True)
        s = np.exp(x - m).sum(-1, keepdims=True)
        k = np.arange(len(x))
        lp[a : a + len(x)] = (x[k, t[a : a + len(x)]] - m[:, 0]) - np.log(s[:, 0])
        top[a : a + len(x)] = x.argmax(-1) == t[a : a + len(x)]

    starts = range(0, len(t), _ROWS_PER_BLOCK)
    if threads <= 1 or len(starts) == 1:
        for a in starts:
            block(a)
    else:
        list(_pool(threads).map(block, starts))
    return lp, top


def choice_logprobs(row: np.ndarray, targets: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """token_logprobs of several targets on one row (the choices after one context), the row's
    log-sum-exp computed once."""
    x = row.astype(np.float64)
    m = x.max()
    s = np.exp(x - m).sum()
    t = np.asarray(targets, dtype=np.int64)
    return (x[t] - m) - np.log(s), x.argmax() == t


_ROWS_PER_BLOCK = 8  # 16 MB of float64 a block for a 248k vocabulary
_pools: dict[int, object] = {}


def _pool(threads: int):
    from concurrent.futures import ThreadPoolExecutor

    if threads not in _pools:
        _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="logprobs")
    return _pools[threads]


def _as_array(values: Sequence[float], what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{what}: need a non-empty sequence of numbers")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}: values must be finite (got NaN or inf)")
    return arr


def _is_binary(*arrays: np.ndarray) -> bool:
    return all(bool(np.all((a == 0.0) | (a == 1.0))) for a in arrays)


def wilson_interval(successes: int, n: int, z: float = _Z) -> tuple[float, float]:
    """Wilson score interval: unlike the normal approximation it stays inside [0, 1] and keeps
    its coverage near 0% and 100%, where fine-tuned models' pass rates often sit."""
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # The interval holds p in exact arithmetic; at p = 0 or 1 rounding leaves it 1e-17 outside.
    return max(0.0, min(p, float(centre - half))), min(1.0, max(p, float(centre + half)))


def bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of n_boot resamples (with replacement) of x, vectorised chunk by chunk."""
    n = x.size
    out = np.empty(n_boot, dtype=np.float64)
    chunk = max(1, _MAX_CELLS_PER_CHUNK // n)
    for start in range(0, n_boot, chunk):
        rows = min(chunk, n_boot - start)
        idx = rng.integers(0, n, size=(rows, n))
        out[start : start + rows] = x[idx].mean(axis=1)
    return out


def _percentile_ci(boots: np.ndarray) -> tuple[float, float]:
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(boots, [tail, 1 - tail])
    return float(low), float(high)


def metric_summary(values: Sequence[float], *, seed: int = 0, n_boot: int = 2000) -> Metric:
    """Mean of per-item values with a 95% interval (Wilson for 0/1 data, else percentile bootstrap)."""
    x = _as_array(values, "metric_summary")
    mean = float(x.mean())
    if _is_binary(x):
        low, high = wilson_interval(int(x.sum()), x.size)
    else:
        low, high = _percentile_ci(bootstrap_means(x, n_boot, np.random.default_rng(seed)))
    return Metric(value=mean, ci_low=low, ci_high=high, n=int(x.size))


def mcnemar_exact_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided exact McNemar: a binomial(0.5) test on the discordant pairs only."""
    a_only = int(np.sum((a == 1) & (b == 0)))
    b_only = int(np.sum((a == 0) & (b == 1)))
    discordant = a_only + b_only
    if discordant == 0:
        return 1.0
    return float(min(1.0, 2.0 * binom.cdf(min(a_only, b_only), discordant, 0.5)))


def bootstrap_p(boots: np.ndarray) -> float:
    """Two-sided paired bootstrap p-value: twice the share of resampled deltas on the far side of 0
    (the +1 keeps p > 0 with a finite number of resamples), clipped to 1."""
    n_boot = boots.size
    below = int(np.sum(boots <= 0.0))
    above = int(np.sum(boots >= 0.0))
    return float(min(1.0, 2.0 * (min(below, above) + 1) / (n_boot + 1)))


def paired_comparison(
    a: Mapping[str, float],
    b: Mapping[str, float],
    *,
    a_name: str,
    b_name: str,
    metric: str,
    seed: int = 0,
    n_boot: int = 2000,
) -> Comparison:
    """b - a on the items both scored, with a paired bootstrap CI and a paired p-value."""
    shared = sorted(set(a) & set(b))
    if not shared:
        raise ValueError(
            f"{metric}: {a_name} has {len(a)} items and {b_name} has {len(b)}, but none are shared; "
            "cannot pair"
        )
    xa = _as_array([a[k] for k in shared], f"{metric} {a_name}")
    xb = _as_array([b[k] for k in shared], f"{metric} {b_name}")
    diffs = xb - xa
    boots = bootstrap_means(diffs, n_boot, np.random.default_rng(seed))
    low, high = _percentile_ci(boots)
    if _is_binary(xa, xb):
        p_value, test = mcnemar_exact_p(xa, xb), "mcnemar"
    else:
        p_value, test = bootstrap_p(boots), "paired_bootstrap"
    return Comparison(
        a=a_name,
        b=b_name,
        metric=metric,
        delta=float(diffs.mean()),
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        n=len(shared),
        test=test,
    )
