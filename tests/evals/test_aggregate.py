"""Per-item results pooled into suite and task metrics, and paired across levels (harness/evals/aggregate.py)."""

from __future__ import annotations

from harness.evals.aggregate import compare, item_values, metrics
from harness.records.items import ItemResult


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


def test_fc_call_and_relevance_metrics_pool_apart_from_the_contract_metric() -> None:
    """The demo's trap: a model that never calls wins every irrelevance item, so the pooled
    fc/call_exact looks fair while fc/call_acc says it never makes a needed call."""
    from harness.evals.bfcl import bfcl_samples
    from harness.evals.fc import score_calls

    simple, irrelevant = bfcl_samples("simple_python")[:3], bfcl_samples("irrelevance")[:3]

    def run(output: str) -> dict[str, list[ItemResult]]:
        return {task: [ItemResult(task, s.id, output, score_calls(s, output)) for s in samples]
                for task, samples in (("fc/bfcl_simple", simple), ("fc/bfcl_irrelevance", irrelevant))}

    silent = metrics(run("I would rather not call a tool."))
    assert silent["fc/call_exact"].value == 0.5 and silent["fc/call_exact"].n == 6
    assert silent["fc/call_acc"].value == 0.0 and silent["fc/call_acc"].n == 3
    assert silent["fc/relevance_acc"].value == 1.0 and silent["fc/relevance_acc"].n == 3
    assert silent["fc/no_call"].value == 1.0 and silent["fc/parse_fail"].value == 0.0
    broken = metrics(run('<tool_call>{"name": "x", "arguments": {'))
    assert broken["fc/parse_fail"].value == 1.0 and broken["fc/no_call"].value == 0.0
    assert broken["fc/relevance_acc"].value == 0.0 and broken["fc/call_acc"].value == 0.0
