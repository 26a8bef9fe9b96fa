"""The rules on one report: forgetting, compression, tail KLD and integrity checks.

Statistical rules (forgetting, compression) are built here with their paired test but without a
verdict: significance is decided for all of them together in policy.decide, after the correction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fnmatch import fnmatchcase

from harness.names import BASE, LOWER_IS_BETTER_LEAVES, lower_is_better  # noqa: F401  (re-exported)
from harness.names import BF16 as REFERENCE
from harness.profiles.model import GateSpec
from harness.records.gate import GateRule
from harness.records.report import Comparison, Level, Report

def expand(patterns: Iterable[str], available: Iterable[str]) -> list[str]:
    """Metric names matching each entry (an exact name or an fnmatch pattern), in entry order; a pattern
    never matches a lower-is-better rate (name one exactly to gate it, knowing the rule reads drops)."""
    have = sorted(set(available))
    out: list[str] = []
    for p in patterns:
        found = ([m for m in have if fnmatchcase(m, p) and not lower_is_better(m)] if any(c in p for c in "*?[")
                 else [p] if p in have else [])
        out += [m for m in found if m not in out]
    return out


def level(report: Report, name: str) -> Level | None:
    return next((lv for lv in report.levels if lv.name == name), None)


def gated(lv: Level, spec: GateSpec) -> bool:
    return lv.shipped and (spec.ship is None or lv.name in spec.ship)


def missing(rule: str, subject: str, why: str) -> GateRule:
    """A rule that cannot be evaluated fails: the gate never passes by omission."""
    return GateRule(rule=rule, subject=subject, observed=None, passed=False, limit=why)


def drop_p(comp: Comparison) -> float:
    """One-sided p-value of a drop, from the comparison's two-sided one.

    Only drops fail a rule, so the question is one-sided: is b worse than a? For each test in the
    report (exact McNemar, paired bootstrap, Wald) the two-sided p is twice the smaller tail, so
    the tail on the side of the observed delta is half of it; a gain has the far tail, >= 1/2.
    """
    half = comp.p_value / 2
    return half if comp.delta < 0 else 1.0 - half


def tested(rule: str, subject: str, metric: str, reference: str, tolerance: float, comp: Comparison) -> GateRule:
    """A statistical rule awaiting its verdict (policy.decide sets passed, p_adjusted and limit)."""
    return GateRule(rule=rule, subject=subject, observed=comp.delta, limit="", passed=True, metric=metric,
                    reference=reference, tolerance=tolerance, p_value=drop_p(comp), test=comp.test, n=comp.n)


def drop_rules(rule: str, report: Report, ref: Level, lv: Level, patterns: list[str],
                spec: GateSpec) -> list[GateRule]:
    metrics = expand(patterns, set(lv.metrics) & set(ref.metrics))
    if not metrics:
        return [missing(rule, lv.name, f"none of {', '.join(patterns)} scored on both {ref.name} and {lv.name}")]
    rules = []
    for m in metrics:
        subject = f"{lv.name} {m} (vs {ref.name})"
        comp = next((c for c in report.comparisons if (c.a, c.b, c.metric) == (ref.name, lv.name, m)), None)
        pair = f"{ref.name} -> {lv.name}"
        why = (f"the paired comparison {pair} for {m} could not be computed (NaN)"
               if f"{pair} {m}" in report.not_computed else f"no paired comparison {pair} for {m} in the report")
        rules.append(missing(rule, subject, why) if comp is None else
                     tested(rule, subject, m, ref.name, spec.tolerance(rule, m), comp))
    return rules


def forgetting(report: Report, spec: GateSpec) -> list[GateRule]:
    """The fine-tuned 16-bit model against the base, on general knowledge."""
    if not spec.forgetting_metrics:
        return []
    base, tuned = level(report, BASE), level(report, REFERENCE)
    if base is None or tuned is None:
        return [missing("forgetting", f"{REFERENCE} (vs {BASE})", f"level {BASE if base is None else REFERENCE} "
                                                                  "is missing from the report")]
    return drop_rules("forgetting", report, base, tuned, spec.forgetting_metrics, spec)


def compression(report: Report, spec: GateSpec, gguf: list[Level]) -> list[GateRule]:
    """Each gated GGUF level against the 16-bit model, per metric (suite pooled or per task)."""
    if not gguf or not spec.compression_metrics:
        return []
    ref = level(report, REFERENCE)
    if ref is None:
        return [missing("compression", REFERENCE, f"reference level {REFERENCE} is missing from the report")]
    return [r for lv in gguf for r in drop_rules("compression", report, ref, lv, spec.compression_metrics, spec)]


def kld(spec: GateSpec, gguf: list[Level]) -> list[GateRule]:
    """Tail divergence limits on the point values: KLD is measured on the same fixed text for every
    level, so an unchanged artifact always gives the same number (there is no A/A noise to test)."""
    rules = []
    for lv in gguf:
        for metric, bound, is_max in [(m, v, True) for m, v in spec.kld_max.items()] + \
                                     [(m, v, False) for m, v in spec.kld_min.items()]:
            subject, got = f"{lv.name} {metric}", lv.metrics.get(metric)
            if got is None or not math.isfinite(got.value):
                why = "could not be computed (NaN)" if metric in lv.not_computed or got is not None else "not measured"
                rules.append(missing("kld", subject, f"{metric} {why}"))
                continue
            ok = got.value <= bound if is_max else got.value >= bound
            limit = f"{'<=' if is_max else '>='} {bound:g} (95% CI {got.ci_low:.3g}-{got.ci_high:.3g})"
            rules.append(GateRule(rule="kld", subject=subject, observed=got.value, passed=ok, metric=metric,
                                  limit=limit))
    return rules


def checks(report: Report, spec: GateSpec, gated_names: list[str]) -> list[GateRule]:
    """Every check in the report must pass, except those about a level the gate does not gate (a
    published-but-not-shipped q2_k may fail its EOS probe); every required one must be there."""
    ungated = {lv.name for lv in report.levels} - set(gated_names)
    rules = [GateRule(rule="checks", subject=c.name, observed=None, passed=c.passed,
                      limit="must pass" if c.passed or not c.detail else f"must pass ({c.detail})")
             for c in report.checks if c.level is None or c.level not in ungated]
    names = [c.name for c in report.checks]
    for pattern in spec.required_checks:
        per_level = "{level}" in pattern
        wanted = [pattern.replace("{level}", n) for n in gated_names if n != BASE] if per_level else [pattern]
        rules += [missing("checks", w, "required check missing from the report")
                  for w in wanted if not any(fnmatchcase(n, w) for n in names)]
    return rules
