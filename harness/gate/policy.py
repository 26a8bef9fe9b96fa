"""The release gate: turn a report (and optionally a baseline report) into a pass/fail verdict.

Decision rule. With the paired comparison of metric m from reference level R to level L
(delta = L - R, paired per item), a rule fails only when the drop is both

* material:    delta < -tolerance, and
* significant: p_value < alpha (the profile's gate.alpha, 0.05 by default).

Why the p-value and not "ci_high < 0": for continuous scores the p-value is the paired bootstrap
one, the dual of the percentile CI, so at alpha = 0.05 both rules agree; for pass/fail scores it is
the exact McNemar test, which stays valid with few discordant items, where a percentile bootstrap
CI is too narrow. It also makes alpha a real setting instead of a fixed 95%. A material drop that
is not significant passes (the eval set is too small to tell it from noise: grow the set, not the
tolerance); a significant drop within tolerance passes (real but small enough to ship).

Rules, each one GateRule:
* forgetting  - base -> bf16 on gate.forgetting_metrics, tolerance gate.forgetting_tolerance.
* compression - bf16 -> each gated GGUF level (kind gguf, shipped, in gate.ship when set), on each
  gate.compression_metrics both levels scored, tolerance gate.compression_tolerance.
* kld_p99     - each gated GGUF level's kld/p99 <= gate.max_kld_p99, when that is set.
* checks      - every integrity check passed (one rule per failed check), except checks about a level the
  gate does not gate (Check.level outside gate.ship); each kind in gate.required_checks (e.g. fidelity)
  has at least one check in the report.
* regression  - against a baseline release: for each gated level in both reports (never "base"),
  fail when value < baseline - compression_tolerance and the two 95% intervals do not overlap
  (items cannot be paired across reports, so disjoint intervals stand in for significance).
  Reports whose shared suites differ in version or item count are refused (BadInput).
A needed comparison or metric that is missing fails its rule: the gate never passes by omission.
"""

from __future__ import annotations

from harness.errors import BadInput
from harness.profiles.model import GateSpec
from harness.report.model import Comparison, GateResult, GateRule, Level, Report

BASE, REFERENCE = "base", "bf16"


def _comparison(report: Report, a: str, b: str, metric: str) -> Comparison | None:
    return next((c for c in report.comparisons if (c.a, c.b, c.metric) == (a, b, metric)), None)


def _level(report: Report, name: str) -> Level | None:
    return next((lv for lv in report.levels if lv.name == name), None)


def _gated(level: Level, spec: GateSpec) -> bool:
    return level.shipped and (spec.ship is None or level.name in spec.ship)


def _drop_rule(rule: str, report: Report, ref: str, level: str, metric: str, tol: float, alpha: float) -> GateRule:
    subject = f"{level} {metric} (vs {ref})"
    comp = _comparison(report, ref, level, metric)
    if comp is None:
        return GateRule(rule=rule, subject=subject, observed=None, passed=False,
                        limit=f"no paired comparison {ref} -> {level} for {metric} in the report")
    failed = comp.delta < -tol and comp.p_value < alpha
    limit = f"delta >= -{tol:g} or p >= {alpha:g} (p = {comp.p_value:.3g}, {comp.test}, n = {comp.n})"
    return GateRule(rule=rule, subject=subject, observed=comp.delta, limit=limit, passed=not failed)


def _forgetting(report: Report, spec: GateSpec) -> list[GateRule]:
    return [
        _drop_rule("forgetting", report, BASE, REFERENCE, m, spec.forgetting_tolerance, spec.alpha)
        for m in spec.forgetting_metrics
    ]


def _compression(report: Report, spec: GateSpec, gguf: list[Level]) -> list[GateRule]:
    ref = _level(report, REFERENCE)
    if not gguf:
        return []
    if ref is None:
        return [GateRule(rule="compression", subject=REFERENCE, observed=None, passed=False,
                         limit=f"reference level {REFERENCE} is missing from the report")]
    rules: list[GateRule] = []
    for lv in gguf:
        shared = [m for m in spec.compression_metrics if m in lv.metrics and m in ref.metrics]
        if not shared:  # an unevaluated level must not pass silently
            rules.append(GateRule(rule="compression", subject=lv.name, observed=None, passed=False,
                                  limit=f"no compression metric scored on both {REFERENCE} and {lv.name}"))
        tol = spec.compression_tolerance
        rules += [_drop_rule("compression", report, REFERENCE, lv.name, m, tol, spec.alpha) for m in shared]
    return rules


def _kld(spec: GateSpec, gguf: list[Level]) -> list[GateRule]:
    if spec.max_kld_p99 is None:
        return []
    rules = []
    for lv in gguf:
        metric = lv.metrics.get("kld/p99")
        value = metric.value if metric is not None else None
        rules.append(GateRule(rule="kld_p99", subject=f"{lv.name} kld/p99", observed=value,
                              limit=f"<= {spec.max_kld_p99:g}" if value is not None else "kld/p99 not measured",
                              passed=value is not None and value <= spec.max_kld_p99))
    return rules


def _checks(report: Report, spec: GateSpec) -> list[GateRule]:
    ungated = {lv.name for lv in report.levels if not _gated(lv, spec)}
    rules = [GateRule(rule="checks", subject=c.name, observed=None, passed=False,
                      limit=f"must pass ({c.detail})" if c.detail else "must pass")
             for c in report.checks if not c.passed and c.level not in ungated]
    for kind in spec.required_checks:
        if not any(c.name == kind or c.name.startswith(f"{kind}:") for c in report.checks):
            rules.append(GateRule(rule="checks", subject=kind, observed=None, passed=False,
                                  limit=f"required, but the report holds no {kind} check"))
    return rules


def _require_same_suites(report: Report, baseline: Report) -> None:
    old = {s.name: s for s in baseline.suites}
    for cur in report.suites:
        prev = old.get(cur.name)
        if prev is not None and (prev.version, prev.n_items) != (cur.version, cur.n_items):
            raise BadInput(None, f"cannot compare with baseline {baseline.release}: suite {cur.name} is "
                                 f"version {prev.version} ({prev.n_items} items) there and version "
                                 f"{cur.version} ({cur.n_items} items) here")


def _regression(report: Report, baseline: Report, spec: GateSpec) -> list[GateRule]:
    _require_same_suites(report, baseline)
    tol = spec.compression_tolerance
    rules = []
    for lv in report.levels:
        old = _level(baseline, lv.name)
        if lv.name == BASE or old is None or not _gated(lv, spec):
            continue
        for m in spec.compression_metrics:
            if m not in lv.metrics or m not in old.metrics:
                continue
            cur, prev = lv.metrics[m], old.metrics[m]
            failed = cur.value < prev.value - tol and cur.ci_high < prev.ci_low
            rules.append(GateRule(rule="regression", subject=f"{lv.name} {m} (vs {baseline.release})",
                                  observed=cur.value - prev.value, passed=not failed,
                                  limit=f"delta >= -{tol:g} or 95% intervals overlap (baseline {prev.value:.3g})"))
    return rules


def _one_liner(r: GateRule) -> str:
    if r.rule == "checks":
        return f"checks: {r.subject} failed: {r.limit}"
    observed = "n/a" if r.observed is None else f"{r.observed:.4g}"
    return f"{r.rule}: {r.subject}: observed {observed}, limit {r.limit}"


def evaluate_gate(report: Report, spec: GateSpec, baseline: Report | None = None) -> GateResult:
    """Apply every gate rule; the release ships only when no rule failed."""
    gguf = [lv for lv in report.levels if lv.kind == "gguf" and _gated(lv, spec)]
    rules = _forgetting(report, spec) + _compression(report, spec, gguf) + _kld(spec, gguf) + _checks(report, spec)
    if baseline is not None:
        rules += _regression(report, baseline, spec)
    failures = [_one_liner(r) for r in rules if not r.passed]
    return GateResult(passed=not failures, failures=failures, rules=rules)
