"""Adjusted p-values for the many statistical rules of one gate.

One release gates a few metrics on each of several levels, plus a baseline: easily 20 to 50 paired
tests. Each at alpha = 0.05 alone, an A/A release (nothing changed) would fail some rule far more
often than 5% of the time. Holm's step-down keeps the family-wise error rate, the chance that any
rule with no real difference fails, at most alpha under any dependence between the tests (the pooled
suite metric and its tasks share items), and rejects at least what Bonferroni rejects.
"""

from __future__ import annotations

from collections.abc import Sequence

METHODS = ("holm", "bonferroni", "none")


def adjust(p_values: Sequence[float], method: str) -> list[float]:
    """Adjusted p-values in the input order; compare each with alpha."""
    m = len(p_values)
    if method == "none" or m == 0:
        return [float(p) for p in p_values]
    if method == "bonferroni":
        return [min(1.0, m * float(p)) for p in p_values]
    if method != "holm":
        raise ValueError(f"unknown correction {method!r} (one of {', '.join(METHODS)})")
    order = sorted(range(m), key=lambda i: p_values[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        # The k-th smallest p is scaled by the m - k + 1 hypotheses still standing; the running max
        # keeps adjusted values monotone in the raw ones (step-down: stop at the first acceptance).
        running = max(running, min(1.0, (m - rank) * float(p_values[i])))
        out[i] = running
    return out
