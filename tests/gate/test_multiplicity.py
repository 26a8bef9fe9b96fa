"""Adjusted p-values: Holm's step-down, Bonferroni, none."""

from __future__ import annotations

import pytest

from harness.gate.multiplicity import adjust


def test_holm_by_hand() -> None:
    # sorted 0.01, 0.02, 0.03, 0.5 -> 4*0.01, 3*0.02, max(0.06, 2*0.03), max(.., 1*0.5)
    assert adjust([0.03, 0.01, 0.5, 0.02], "holm") == pytest.approx([0.06, 0.04, 0.5, 0.06])


def test_holm_is_monotone_capped_and_between_none_and_bonferroni() -> None:
    p = [0.001, 0.2, 0.004, 0.04, 0.9, 0.03]
    holm, bonf = adjust(p, "holm"), adjust(p, "bonferroni")
    assert all(a <= h <= b for a, h, b in zip(p, holm, bonf))
    order = sorted(range(len(p)), key=p.__getitem__)
    assert [holm[i] for i in order] == sorted(holm)
    assert max(bonf) == 1.0


def test_none_and_empty() -> None:
    assert adjust([0.2, 0.01], "none") == [0.2, 0.01]
    assert adjust([], "holm") == []
    with pytest.raises(ValueError, match="unknown correction"):
        adjust([0.1], "fdr")
