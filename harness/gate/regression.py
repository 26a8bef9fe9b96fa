"""Regression against a baseline release: the same levels, the same items, an earlier run.

Paired when both runs left their per-item scores (item_scores.json.gz next to report.json): each
level's items are paired across the runs and compared exactly as levels are within one run
(McNemar for pass/fail, paired bootstrap otherwise). Without them only the summaries are left, and
the comparison is an unpaired Wald test on the two 95% intervals: valid, but less powerful, because
it cannot cancel the variation between items that both runs share.

Comparing runs on different suites is refused (BadInput, exit 2) naming the first difference: a
suite missing on one side, another suite version, another item count, another item set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from harness.errors import BadInput
from harness.gate.rules import BASE, expand, gated, level, missing, tested
from harness.profiles.model import GateSpec
from harness.records.gate import GateBaseline, GateRule
from harness.records.items import ItemScores, load_item_scores
from harness.records.report import Comparison, Metric, Report, load_report

_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Baseline:
    report: Report
    scores: ItemScores | None
    source: str  # what the user gave, for messages

    def record(self, paired: bool) -> GateBaseline:
        return GateBaseline(release=self.report.release, created=self.report.created, source=self.source,
                            paired=paired)


def load_baseline(path: Path) -> Baseline:
    """A previous report.json or run folder, with its per-item scores when they are next to it."""
    report = load_report(path)
    return Baseline(report=report, scores=load_item_scores(path, report), source=str(path))


def require_comparable(report: Report, scores: ItemScores | None, base: Baseline) -> None:
    """Refuse (BadInput naming the baseline) unless both runs scored the same suites and items."""
    def refuse(what: str) -> None:
        raise BadInput(base.source, f"cannot compare with baseline {base.report.release}: {what}")

    cur, old = {s.name: s for s in report.suites}, {s.name: s for s in base.report.suites}
    for name in sorted(set(cur) ^ set(old)):
        refuse(f"suite {name} is only in {'the baseline' if name in old else 'this report'}")
    for name in sorted(cur):
        a, b = old[name], cur[name]
        if a.version != b.version:
            refuse(f"suite {name} is version {a.version} in the baseline and version {b.version} here")
        if a.n_items != b.n_items:
            refuse(f"suite {name} has {a.n_items} items in the baseline and {b.n_items} here")
    if scores is None or base.scores is None:
        return
    for lv in sorted(set(scores.levels) & set(base.scores.levels)):
        here, there = scores.item_ids(lv), base.scores.item_ids(lv)
        for task in sorted(set(here) | set(there)):
            a, b = there.get(task, set()), here.get(task, set())
            if a != b:
                only_old, only_new = sorted(a - b), sorted(b - a)
                refuse(f"task {task} ({lv}) scored other items: {len(only_old)} only in the baseline"
                       f"{f' (e.g. {only_old[0]})' if only_old else ''}, {len(only_new)} only here"
                       f"{f' (e.g. {only_new[0]})' if only_new else ''}")


def unpaired(a: Metric, b: Metric, a_name: str, b_name: str, metric: str) -> Comparison:
    """Wald test of b - a from the two 95% intervals (half-width / 1.96 as each standard error)."""
    se = math.hypot((a.ci_high - a.ci_low) / (2 * _Z95), (b.ci_high - b.ci_low) / (2 * _Z95))
    delta = b.value - a.value
    if se == 0.0:
        p = 1.0 if delta == 0.0 else 0.0
    else:
        p = math.erfc(abs(delta) / se / math.sqrt(2.0))
    return Comparison(a=a_name, b=b_name, metric=metric, delta=delta, ci_low=delta - _Z95 * se,
                      ci_high=delta + _Z95 * se, p_value=min(1.0, p), n=min(a.n, b.n), test="unpaired_wald")


def regression(report: Report, scores: ItemScores | None, base: Baseline, spec: GateSpec,
               pairs: list[Comparison] | None = None) -> tuple[list[GateRule], bool]:
    """Rules for every gated level (but the base) present in both runs; whether they were paired.
    `pairs`: the report's own comparisons with this baseline when the caller made them already
    (harness.evals.aggregate.baseline_comparisons, as the release does); else they are made here."""
    from harness.evals.aggregate import baseline_comparisons, same_versions

    require_comparable(report, scores, base)
    paired = scores is not None and base.scores is not None
    if paired and pairs is None:
        pairs = baseline_comparisons(scores, base.scores, same_versions(report, base.report))
    by_metric = {(c.b, c.metric): c for c in pairs or []} if paired else {}
    rules: list[GateRule] = []
    for lv in report.levels:
        old = level(base.report, lv.name)
        if lv.name == BASE or old is None or not gated(lv, spec):
            continue  # a level new in this release has nothing to regress from
        metrics = expand(spec.regression, set(lv.metrics) & set(old.metrics))
        if not metrics and spec.regression:
            rules.append(missing("regression", lv.name, f"none of {', '.join(spec.regression)} scored in both runs"))
        for m in metrics:
            subject = f"{lv.name} {m} (vs {base.report.release})"
            # No per-item scores for this metric (e.g. kld/*, measured on text, not items): the intervals.
            comp = by_metric.get((lv.name, m))
            if comp is None:
                comp = unpaired(old.metrics[m], lv.metrics[m], base.report.release, lv.name, m)
            rules.append(tested("regression", subject, m, base.report.release, spec.tolerance("regression", m), comp))
    return rules, paired
