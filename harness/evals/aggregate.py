"""From per-item results to metrics (per task, per declared group, pooled per suite) and paired comparisons."""

from __future__ import annotations

from collections import defaultdict

from harness.evals import registry  # noqa: F401  (registers every task and its group)
from harness.evals.core import GROUPS, ItemResult
from harness.evals.stats import metric_summary, paired_comparison
from harness.report.items import ItemScores
from harness.report.model import Comparison, Metric

Results = dict[str, list[ItemResult]]  # task name -> items
# Comparisons against a baseline release name their `a` side "baseline:<level>" (b: the same level
# in this release), so they never collide with the within-release ones the gate looks up by level.
BASELINE_PREFIX = "baseline:"


def item_values(results: Results) -> dict[str, dict[str, float]]:
    """metric name -> {item key -> value}; each item counts in its task metric, its group's pooled one
    (e.g. fc/bfcl/call_exact over every BFCL category) and its suite's pooled one (fc/call_exact)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for task_name, items in results.items():
        pools = [task_name, *([GROUPS[task_name]] if task_name in GROUPS else []), task_name.split("/", 1)[0]]
        for item in items:
            key = f"{task_name}:{item.item_id}"
            for metric, value in item.scores.items():
                for pool in pools:
                    out[f"{pool}/{metric}"][key] = value
    return dict(out)


def metrics(results: Results) -> dict[str, Metric]:
    return {name: metric_summary(list(vals.values())) for name, vals in sorted(item_values(results).items()) if vals}


def compare(a_name: str, a: Results, b_name: str, b: Results) -> list[Comparison]:
    va, vb = item_values(a), item_values(b)
    out = []
    for metric in sorted(set(va) & set(vb)):
        if set(va[metric]) & set(vb[metric]):
            out.append(paired_comparison(va[metric], vb[metric], a_name=a_name, b_name=b_name, metric=metric))
    return out


def baseline_comparisons(current: ItemScores, baseline: ItemScores) -> list[Comparison]:
    """Each level of this release against the same level of a baseline release, paired per item, on
    the tasks whose version is the same in both (others cannot pair: the gate refuses those)."""
    out = []
    for level in current.levels:
        old = baseline.level(level.name)
        if old is None:
            continue
        same = {t for t, items in level.tasks.items() if t in old.tasks and old.tasks[t].version == items.version}
        if same:
            out += compare(BASELINE_PREFIX + level.name, old.results(same), level.name, level.results(same))
    return out


def baseline_pairs(report_path, report, baseline_path, baseline) -> list[Comparison]:
    """Paired comparisons of a report (path + loaded Report) against a baseline's, from the
    item_scores.json beside each; [] when either has none (the gate then compares intervals)."""
    from harness.report import items

    cur = items.load(report_path, {lv.name: lv.sha256 for lv in report.levels})
    old = items.load(baseline_path, {lv.name: lv.sha256 for lv in baseline.levels})
    return baseline_comparisons(cur, old) if cur is not None and old is not None else []
