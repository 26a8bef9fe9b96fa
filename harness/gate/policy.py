"""The release gate: a report (and optionally a baseline run) against the profile's policy.

Decision rule of every statistical rule. From the paired comparison of metric m from a reference R
to a level L (delta = L - R on the same items), the rule fails only when the drop is both

* material:    delta < -tolerance (per rule, or per metric in gate.tolerances), and
* significant: p_adjusted < alpha, where p is the one-sided p-value of a drop (exact McNemar for
  pass/fail scores, paired bootstrap otherwise; half the two-sided p in the report's comparison)
  and p_adjusted is Holm's correction over every statistical rule of this gate (gate.correction;
  with "none", the demo's 29 rules fail an unchanged release 10% of the time and 45 rules 25%;
  with Holm, under 1%: bench/gate_false_alarm.py).

A material drop that is not significant passes (the eval set is too small to tell it from noise:
grow the set, not the tolerance); a significant drop within tolerance passes (real, small enough to
ship). Only drops fail: scores are higher-is-better.

Rules (harness/gate/rules.py, regression.py):
* forgetting  - base -> bf16 on gate.forgetting_metrics.
* target      - base -> bf16 on each suite of gate.trained_for: a gain is required, the inverse
  question, decided apart (harness/gate/target.py); its holds are drop rules like the above.
* compression - bf16 -> each gated GGUF level, on gate.compression_metrics (names or patterns).
* regression  - baseline run -> this run, each gated level in both (not the base), on
  gate.regression_metrics; paired per item when both runs left item_scores.json.gz, else an
  unpaired Wald test. Runs on other suites, suite versions or item sets are refused (exit 2).
* kld         - gate.kld_max / gate.kld_min on each gated GGUF level's point values.
* checks      - every check in the report passes; each of gate.required_checks is present.
A gated level is shipped and listed in gate.ship (when set). A rule that cannot be evaluated (a
missing level, metric or comparison) fails: the gate never passes by omission.
"""

from __future__ import annotations

import math

from harness.gate import rules as R
from harness.gate.multiplicity import adjust
from harness.gate.regression import Baseline, regression
from harness.gate.target import decide_gain, failure_line, is_gain, target
from harness.profiles.model import GateSpec
from harness.records.gate import GateResult, GateRule
from harness.records.items import ItemScores
from harness.records.report import Comparison, Report


def _number(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def decide(rules: list[GateRule], spec: GateSpec) -> list[GateRule]:
    """Verdicts of the statistical rules, with p-values adjusted across all of them together.

    A rule whose delta or p-value could not be computed (NaN) fails: every comparison with NaN is
    false, so `delta < -tolerance and p < alpha` would otherwise pass it. It still counts in the
    correction's family, as p = 1 (the most conservative stand-in). The target rule's gain tests are
    decided apart, uncorrected (harness/gate/target.py says why)."""
    tested = [r for r in rules if (r.p_value is not None or r.test is not None) and not is_gain(r)]
    ps = [r.p_value if _number(r.p_value) else 1.0 for r in tested]
    adjusted = dict(zip(map(id, tested), adjust(ps, spec.correction)))
    out = []
    for r in rules:
        if is_gain(r):
            out.append(decide_gain(r, spec))
            continue
        if id(r) not in adjusted:
            out.append(r)
            continue
        if not (_number(r.p_value) and _number(r.observed) and _number(r.tolerance)):
            out.append(r.model_copy(update={"passed": False, "p_value": None, "p_adjusted": None,
                                            "observed": r.observed if _number(r.observed) else None,
                                            "limit": f"could not be computed (delta {r.observed}, p {r.p_value}, "
                                                     f"{r.test}, n = {r.n}): a rule never passes on it"}))
            continue
        p_adj = adjusted[id(r)]
        failed = r.observed < -r.tolerance and p_adj < spec.alpha
        name = "p" if spec.correction == "none" else f"p_{spec.correction}"
        limit = (f"delta >= -{r.tolerance:g} or {name} >= {spec.alpha:g} "
                 f"(p = {r.p_value:.3g}, {name} = {p_adj:.3g}, {r.test}, n = {r.n})")
        out.append(r.model_copy(update={"p_adjusted": p_adj, "passed": not failed, "limit": limit}))
    return out


def _tests(rules: list[GateRule]) -> int:
    """The statistical rules sharing the correction."""
    return sum(r.p_value is not None or r.test is not None for r in rules if r.rule != "kld" and not is_gain(r))


def one_liner(r: GateRule, alpha: float) -> str:
    if r.rule == "target" and (is_gain(r) or r.observed is None):
        return failure_line(r, alpha)
    if r.rule == "checks":
        return f"checks: {r.subject}: {r.limit}"
    observed = "n/a" if r.observed is None else f"{r.observed:.4g}"
    return f"{r.rule}: {r.subject}: observed {observed}, limit {r.limit}"


def evaluate_gate(report: Report, spec: GateSpec, baseline: Baseline | None = None,
                  scores: ItemScores | None = None, pairs: list[Comparison] | None = None) -> GateResult:
    """Apply every rule; the release ships only when none failed. `scores` are this run's per-item
    scores (item_scores.json.gz), needed only to pair the baseline regression per item; `pairs`, the
    comparisons with the baseline the caller already made from them (see regression)."""
    gated = [lv for lv in report.levels if R.gated(lv, spec)]
    gguf = [lv for lv in gated if lv.kind == "gguf"]
    rules = R.forgetting(report, spec) + target(report, spec) + R.compression(report, spec, gguf)
    record = None
    if baseline is not None:
        more, paired = regression(report, scores, baseline, spec, pairs)
        rules += more
        record = baseline.record(paired)
    rules = decide(rules, spec) + R.kld(spec, gguf) + R.checks(report, spec, [lv.name for lv in gated])
    return GateResult(passed=all(r.passed for r in rules), failures=[one_liner(r, spec.alpha) for r in rules if not r.passed],
                      rules=rules, alpha=spec.alpha, correction=spec.correction,
                      tests=_tests(rules), baseline=record)
