"""The gate's verdict as report.json (and `harness gate --json`) records it."""

from __future__ import annotations

from harness.records.common import MaybeNumber, Record


class GateRule(Record):
    rule: str  # forgetting | compression | regression | target | kld | checks
    subject: str
    observed: MaybeNumber
    limit: str
    passed: bool
    # Statistical rules only (None elsewhere): the paired test behind the verdict.
    metric: str | None = None
    reference: str | None = None  # the level (or baseline release) compared against
    tolerance: MaybeNumber = None
    # Target rule's gain test only: the gain over the base required (observed >= margin); its p_value
    # is then the one-sided p of a gain, compared with alpha without correction (gate/target.py).
    margin: MaybeNumber = None
    p_value: MaybeNumber = None
    p_adjusted: MaybeNumber = None  # after the gate's multiplicity correction
    test: str | None = None
    n: int | None = None


class GateBaseline(Record):
    release: str
    created: str
    source: str  # the report.json or run folder given
    paired: bool  # per-item scores of both runs were available, so the comparison is paired


class GateResult(Record):
    passed: bool
    failures: list[str] = []
    rules: list[GateRule] = []
    alpha: float | None = None
    correction: str = ""
    tests: int = 0  # statistical rules sharing the correction
    baseline: GateBaseline | None = None
