"""How often does the gate fail a release that did not change (A/A), and catch one that did?

From a run's real per-item scores (item_scores.json.gz next to report.json; default the demo run in
tests/data/demo_run), each replicate resamples the items per task with replacement, then builds two
A/A runs (harness/gate/simulate.py: every paired comparison's two sides swapped item by item at
random, so no level differs from another, but the disagreements between them are the real ones).
The first is gated against the second as its baseline, so forgetting, compression and regression
rules are all in play. Integrity checks and KLD limits are left out: they are deterministic for a
given artifact, with no sampling noise to cry wolf on.

The same A/A runs measure the target rule's false passes: base and bf16 swapped per item, the
fine-tune has no real gain, so each trained-for suite's gain test may pass at most alpha of the time
(it is uncorrected: harness/gate/target.py). Its holds (fc/relevance_acc) are drop rules, counted
with the false alarms.

Then, without the swaps, how often the real Q3_K_M and Q2_K levels of the demo fail compression:
the price of each multiplicity correction in missed collapses at the demo's small eval sets; and how
often the demo's real fine-tune passes each gain test.

Runs scored before fc/call_acc and fc/relevance_acc existed get both from call_exact per item, as
the scorer defines them (simulate.split_fc).

    python bench/gate_false_alarm.py [--run DIR] [--replicates 1000] [--seed 0] [--alpha 0.05]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.gate.multiplicity import METHODS
from harness.gate.policy import decide, evaluate_gate
from harness.gate.regression import Baseline
from harness.gate.rules import expand
from harness.gate.simulate import aa_run, bootstrap_items, rebuild, resample, split_fc
from harness.gate.target import is_gain
from harness.profiles.model import GateSpec
from harness.records.items import load_item_scores
from harness.records.report import Report, load_report

FAMILIES = ("forgetting", "target", "compression", "regression")  # target: its holds (drop rules)


def failed_families(rules, spec: GateSpec, method: str) -> set[str]:
    """Drop rules that failed (false alarms under A/A); the target's gain tests are not alarms."""
    tested = [r for r in rules if r.p_value is not None and not is_gain(r)]
    return {r.rule for r in decide(tested, spec.model_copy(update={"correction": method})) if not r.passed}


def gains_passed(rules) -> set[str]:
    """Suites whose gain test passed, and "all" when every target rule (gains and holds) passed."""
    target = [r for r in rules if r.rule == "target"]
    won = {r.subject.split(":", 1)[0] for r in target if is_gain(r) and r.passed}
    return won | ({"all"} if target and all(r.passed for r in target) else set())


def scenario(report: Report, ship_all: bool) -> Report:
    if not ship_all:
        return report
    return report.model_copy(update={"levels": [lv.model_copy(update={"shipped": True}) for lv in report.levels]})


def aa_rates(report, scores, spec, keep, replicates, rng, paired: bool):
    counts = {m: Counter() for m in METHODS}
    passes: Counter = Counter()
    tests = 0
    for _ in range(replicates):
        sample = resample(scores, bootstrap_items(scores, rng))
        cur, cur_scores = aa_run(report, sample, rng, keep)
        old, old_scores = aa_run(report, sample, rng, keep)
        base = Baseline(old, old_scores if paired else None, "A/A")
        result = evaluate_gate(cur, spec.model_copy(update={"correction": "none"}), base, cur_scores)
        tests = result.tests
        passes.update(gains_passed(result.rules))
        for m in METHODS:
            fam = failed_families(result.rules, spec, m)
            counts[m].update(fam | ({"any rule"} if fam else set()))
    return counts, passes, tests


def detection(report, scores, spec, keep, replicates, rng, levels=("q3_k_m", "q2_k")):
    hits = {m: Counter() for m in METHODS}
    gains: Counter = Counter()
    for _ in range(replicates):
        rep = rebuild(report, resample(scores, bootstrap_items(scores, rng)), keep, n_boot=200)
        rules = evaluate_gate(rep, spec.model_copy(update={"correction": "none"})).rules
        gains.update(gains_passed(rules))
        for m in METHODS:
            tested = [r for r in rules if r.p_value is not None and not is_gain(r)]
            bad = {r.subject.split()[0] for r in decide(tested, spec.model_copy(update={"correction": m}))
                   if not r.passed and r.rule == "compression"}
            hits[m].update(lv for lv in levels if lv in bad)
    return hits, gains


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, default=ROOT / "tests" / "data" / "demo_run")
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=GateSpec().alpha, help="significance level (default: the policy's)")
    a = ap.parse_args()
    report = load_report(a.run)
    scores = load_item_scores(a.run, report)
    if scores is None:
        raise SystemExit(f"{a.run}: no item_scores.json.gz (bench/item_scores_from_store.py rebuilds it)")
    scores = split_fc(scores)
    report = rebuild(report, scores)  # the metrics split_fc added, with their comparisons
    spec = GateSpec(required_checks=[], kld_max={}, alpha=a.alpha)  # the defaults, less the deterministic rules
    have = {m for lv in report.levels for m in lv.metrics}
    targeted = [m for s in spec.trained_for for m in [spec.target_metric(s), *spec.target_hold(s)] if m]
    keep = set(expand(spec.forgetting_metrics + spec.compression_metrics + spec.regression + targeted, have))
    rng = np.random.default_rng(a.seed)
    n = a.replicates
    suites = list(spec.trained_for)
    print(f"# A/A false alarms: {report.release} ({a.run}), {n} replicates, default policy: alpha {spec.alpha}, "
          f"tolerances forgetting {spec.forgetting_tolerance}, compression {spec.compression_tolerance}, "
          f"regression {spec.regression_tolerance}; default correction: {spec.correction}; target rule on "
          f"{', '.join(f'{s} ({spec.target_metric(s)})' for s in suites)}, margin {spec.target_margin:g}")
    false_passes = []
    for label, ship_all, paired in [("levels the demo ships, baseline paired", False, True),
                                    ("every level gated, baseline paired", True, True),
                                    ("every level gated, baseline unpaired", True, False)]:
        started = time.monotonic()
        counts, passes, tests = aa_rates(scenario(report, ship_all), scores, spec, keep, n, rng, paired)
        false_passes.append((label, passes))
        print(f"\n## {label}: {tests} statistical rules ({time.monotonic() - started:.0f} s)\n")
        print("| correction | " + " | ".join(FAMILIES) + " | any rule |")
        print("|---|" + "---:|" * (len(FAMILIES) + 1))
        for m in METHODS:
            cells = [f"{100 * counts[m][f] / n:.1f}%" for f in (*FAMILIES, "any rule")]
            print(f"| {m} | " + " | ".join(cells) + " |")
    print(f"\n## Target rule under A/A (no real gain): share of replicates passing, alpha {spec.alpha} uncorrected\n")
    print("| scenario | " + " | ".join(f"{s} gain" for s in suites) + " | every target rule |")
    print("|---|" + "---:|" * (len(suites) + 1))
    for label, passes in false_passes:
        print(f"| {label} | " + " | ".join(f"{100 * passes[x] / n:.1f}%" for x in (*suites, "all")) + " |")
    k = max(100, n // 5)
    hits, gains = detection(scenario(report, True), scores, spec, keep, k, rng)
    print(f"\n## Real drops caught (compression rule failed), {k} bootstrap replicates, every level gated\n")
    print("| correction | q3_k_m | q2_k |\n|---|---:|---:|")
    for m in METHODS:
        print(f"| {m} | {100 * hits[m]['q3_k_m'] / k:.1f}% | {100 * hits[m]['q2_k'] / k:.1f}% |")
    print(f"\n## The run's real fine-tune: share of the same {k} replicates passing the target rule\n")
    print("| " + " | ".join(f"{s} gain" for s in suites) + " | every target rule |")
    print("|" + "---:|" * (len(suites) + 1))
    print("| " + " | ".join(f"{100 * gains[x] / k:.1f}%" for x in (*suites, "all")) + " |")


if __name__ == "__main__":
    main()
