"""The target rule: the fine-tune must beat its base on every suite it was trained for.

For each suite in gate.trained_for, the fine-tune at 16 bits (bf16, the level the forgetting rule
pairs with the base) is compared with the base on the suite's target metric (its headline, or
gate.target_metrics), paired per item. The gain (delta = bf16 - base) passes only when it is both

* material:    delta >= gate.target_margin (on the point estimate, as the drop rules' tolerance), and
* significant: p < alpha, p the one-sided p-value of a gain (exact McNemar for pass/fail scores,
  paired bootstrap otherwise): half the comparison's two-sided p on the side of the delta.

Not in Holm's family, and uncorrected. There a rejection fails the release, and the error kept at
alpha is a false alarm; here a rejection passes the rule, and the error is passing a fine-tune that
does not help. The release passes only when every gain test rejects (an intersection-union test),
so that chance is at most alpha on each suite without a real gain, however many suites are listed;
a correction would only cost power (bench/gate_false_alarm.py measures the false passes).

Holds (gate.target_holds; fc: fc/relevance_acc) are the suite's metrics that must not drop while
the target gains: function calling must improve with irrelevance included, so calling on items
that need a call cannot be bought by calling when no tool fits. A hold is a drop rule like
forgetting (same tolerance, in Holm's family), named `target` with the suite in its subject.
"""

from __future__ import annotations

import math

from harness.gate.rules import BASE, REFERENCE, drop_rules, level, missing
from harness.profiles.model import GateSpec
from harness.records.gate import GateRule
from harness.records.report import Comparison, Report

RULE = "target"


def gain_p(comp: Comparison) -> float:
    """One-sided p-value of a gain (b better than a): the tail on the side of a positive delta."""
    half = comp.p_value / 2
    return half if comp.delta > 0 else 1.0 - half


def is_gain(r: GateRule) -> bool:
    return r.rule == RULE and r.margin is not None


def target(report: Report, spec: GateSpec) -> list[GateRule]:
    """A gain rule (awaiting decide_gain) and the hold rules (awaiting policy.decide) per trained-for suite."""
    if not spec.trained_for:
        return []
    base, tuned = level(report, BASE), level(report, REFERENCE)
    rules: list[GateRule] = []
    for suite in spec.trained_for:
        metric = spec.target_metric(suite)
        subject = f"{suite}: {REFERENCE} {metric} (vs {BASE})"
        if base is None or tuned is None:
            gone = BASE if base is None else REFERENCE
            rules.append(missing(RULE, subject, f"level {gone} is missing from the report: nothing to tell a gain by"))
            continue
        if metric is None:
            rules.append(missing(RULE, f"{suite}: {REFERENCE} (vs {BASE})",
                                 f"no target metric for suite {suite} (gate.target_metrics)"))
            continue
        rules.append(_gain_rule(report, suite, metric, subject, spec))
        holds = spec.target_hold(suite)
        if holds:
            named = f"{REFERENCE} {', '.join(holds)} (vs {BASE})"  # drop_rules names only the level when none is scored
            rules += [r.model_copy(update={"subject": f"{suite}: {r.subject if r.metric else named}, must not drop"})
                      for r in drop_rules(RULE, report, base, tuned, holds, spec)]
    return rules


def _gain_rule(report: Report, suite: str, metric: str, subject: str, spec: GateSpec) -> GateRule:
    if not any(m.startswith(f"{suite}/") for lv in report.levels for m in lv.metrics):
        return missing(RULE, subject, f"suite {suite} is not in the report: a fine-tune trained for it must be "
                                      "scored on it (or drop it from gate.trained_for)")
    comp = next((c for c in report.comparisons if (c.a, c.b, c.metric) == (BASE, REFERENCE, metric)), None)
    if comp is None:
        pair = f"{BASE} -> {REFERENCE}"
        why = (f"the paired comparison {pair} for {metric} could not be computed (NaN)"
               if f"{pair} {metric}" in report.not_computed else f"no paired comparison {pair} for {metric} in the report")
        return missing(RULE, subject, why)
    return GateRule(rule=RULE, subject=subject, observed=comp.delta, limit="", passed=False, metric=metric,
                    reference=BASE, margin=spec.target_margin, p_value=gain_p(comp), test=comp.test, n=comp.n)


def decide_gain(r: GateRule, spec: GateSpec) -> GateRule:
    """The verdict of a gain rule: material and significant at alpha, uncorrected (see the module doc)."""
    if not all(x is not None and math.isfinite(x) for x in (r.observed, r.p_value)):
        return r.model_copy(update={"passed": False, "p_value": None,
                                    "limit": f"could not be computed (delta {r.observed}, p {r.p_value}, {r.test}, "
                                             f"n = {r.n}): a rule never passes on it"})
    passed = r.observed >= r.margin and r.p_value < spec.alpha
    limit = (f"gain >= {r.margin:g} and p < {spec.alpha:g}, one-sided, uncorrected "
             f"(p = {r.p_value:.3g}, {r.test}, n = {r.n})")
    return r.model_copy(update={"passed": passed, "limit": limit})


def failure_line(r: GateRule, alpha: float) -> str:
    """One line naming the suite, the observed gain, the margin and the p-value."""
    suite = r.subject.split(":", 1)[0]
    if r.observed is None or r.p_value is None or r.margin is None:
        return f"{RULE}: {r.subject}: {r.limit}"
    if r.observed < 0:
        why = "it scores below the base"
    elif r.observed == 0:
        why = "no gain at all: it scores as the base does"
    elif r.observed < r.margin:
        why = f"the gain is below the margin {r.margin:g}"
    else:
        why = f"the gain is not significant (p >= alpha {alpha:g})"
    return (f"{RULE}: {suite}: the fine-tune ({REFERENCE}) does not beat the base on {r.metric}: "
            f"gain {r.observed:+.3g}, margin {r.margin:g}, p = {r.p_value:.3g} "
            f"(one-sided, {r.test}, n = {r.n}); {why}")
