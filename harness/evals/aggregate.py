"""From per-item results to metrics (suite-level pooled and per task) and paired comparisons."""

from __future__ import annotations

from collections import defaultdict

from harness.evals.core import ItemResult
from harness.evals.stats import metric_summary, paired_comparison
from harness.report.model import Comparison, Metric

Results = dict[str, list[ItemResult]]  # task name -> items


def item_values(results: Results) -> dict[str, dict[str, float]]:
    """metric name -> {item key -> value}; each item counts in its task metric and its suite's pooled one."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for task_name, items in results.items():
        suite = task_name.split("/", 1)[0]
        for item in items:
            key = f"{task_name}:{item.item_id}"
            for metric, value in item.scores.items():
                out[f"{task_name}/{metric}"][key] = value
                out[f"{suite}/{metric}"][key] = value
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
