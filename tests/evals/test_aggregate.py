"""Per-item results pooled into suite and task metrics, and paired across levels (harness/evals/aggregate.py)."""

from __future__ import annotations

from harness.evals.aggregate import compare, item_values, metrics
from harness.evals.core import ItemResult


def _results(values: dict[str, list[float]]) -> dict[str, list[ItemResult]]:
    return {task: [ItemResult(task, str(i), "", {"acc": v}) for i, v in enumerate(vals)] for task, vals in values.items()}


def test_suite_metric_pools_its_tasks_and_task_metrics_stay_separate() -> None:
    res = _results({"general/a": [1, 0, 1, 1], "general/b": [0, 0]})
    m = metrics(res)
    assert m["general/acc"].n == 6 and abs(m["general/acc"].value - 0.5) < 1e-12
    assert m["general/a/acc"].value == 0.75 and m["general/b/acc"].n == 2
    # item keys are namespaced by task: the same item id in two tasks are two items
    assert len(item_values(res)["general/acc"]) == 6


def test_comparison_pairs_items_and_reports_the_delta() -> None:
    a = _results({"general/a": [1, 1, 1, 1, 0, 0]})
    b = _results({"general/a": [0, 0, 1, 1, 0, 0]})
    comp = {c.metric: c for c in compare("bf16", a, "q2_k", b)}["general/acc"]
    assert comp.a == "bf16" and comp.b == "q2_k" and comp.n == 6
    assert abs(comp.delta - (-2 / 6)) < 1e-12 and comp.test == "mcnemar"
