"""From per-item results to metrics (per task, per declared group, pooled per suite) and paired comparisons."""

from __future__ import annotations

from collections import defaultdict

from harness.evals.registry import groups
from harness.names import BASELINE_PREFIX, metric_name, pools
from harness.records.items import ItemResult, ItemScores, load_item_scores
from harness.records.report import Comparison, Metric
from harness.stats import metric_summary, paired_comparison

Results = dict[str, list[ItemResult]]  # task name -> items


def item_values(results: Results) -> dict[str, dict[str, float]]:
    """metric name -> {item key -> value}; each item counts in its task metric, its group's pooled one
    (e.g. fc/bfcl/call_exact over every BFCL category) and its suite's pooled one (fc/call_exact)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    group = groups()
    for task_name, items in results.items():
        where = pools(task_name, group.get(task_name))
        for item in items:
            key = f"{task_name}:{item.item_id}"
            for metric, value in item.scores.items():
                for pool in where:
                    out[metric_name(pool, metric)][key] = value
    return dict(out)


def level_values(scores: ItemScores, level: str) -> dict[str, dict[str, float]]:
    """item_values of one level of a scores sidecar: pooled exactly as the report's metrics are."""
    return item_values(scores.results(level))


def metrics(results: Results) -> dict[str, Metric]:
    return {name: metric_summary(list(vals.values())) for name, vals in sorted(item_values(results).items()) if vals}


def compare(a_name: str, a: Results, b_name: str, b: Results) -> list[Comparison]:
    va, vb = item_values(a), item_values(b)
    out = []
    for metric in sorted(set(va) & set(vb)):
        if set(va[metric]) & set(vb[metric]):
            out.append(paired_comparison(va[metric], vb[metric], a_name=a_name, b_name=b_name, metric=metric))
    return out


def same_versions(report, baseline) -> set[str]:
    """Task names scored under the same version in two reports: only those pair item by item."""
    old = {su.name: su.version for su in baseline.suites}
    return {su.name for su in report.suites if old.get(su.name) == su.version}


def baseline_comparisons(current: ItemScores, baseline: ItemScores, tasks: set[str]) -> list[Comparison]:
    """Each level of this release against the same level of a baseline release, paired per item, on
    `tasks` (those of the same version in both: the gate refuses to compare the others)."""
    out = []
    for level in current.levels:
        if level in baseline.levels:
            out += compare(BASELINE_PREFIX + level, baseline.results(level, tasks), level, current.results(level, tasks))
    return out


def baseline_pairs(report_path, report, baseline_path, baseline) -> list[Comparison]:
    """Paired comparisons of a report (path + loaded Report) against a baseline's, from the
    item_scores.json.gz beside each; [] when either has none (the gate then compares intervals)."""
    cur, old = load_item_scores(report_path, report), load_item_scores(baseline_path, baseline)
    return baseline_comparisons(cur, old, same_versions(report, baseline)) if cur is not None and old is not None else []
