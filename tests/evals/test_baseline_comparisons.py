"""Each level against the same level of a baseline release, paired per item (harness.evals.aggregate)."""

from __future__ import annotations

import pytest

from harness.evals.aggregate import BASELINE_PREFIX, baseline_comparisons, baseline_pairs, same_versions
from harness.records.gate import GateResult
from harness.records.items import ItemResult, from_results, write_item_scores
from harness.records.report import Level, Report, Suite

TASK = "fc/bfcl_simple"


def _scores(release: str, values: dict[str, list[float]], sha: str = "s"):
    results = {lv: {TASK: [ItemResult(TASK, f"id{i}", "", {"call_exact": v}) for i, v in enumerate(vals)]}
               for lv, vals in values.items()}
    return from_results(release, {lv: f"{sha}-{lv}" for lv in values}, results)


def test_pairs_items_of_the_same_level():
    old = _scores("v1", {"bf16": [1] * 12 + [0] * 4, "q4_k_m": [1] * 16}, sha="old")
    new = _scores("v2", {"bf16": [0] * 10 + [1] * 2 + [0] * 4, "q4_k_m": [1] * 16, "q2_k": [0] * 16}, sha="new")
    comps = {(c.a, c.b, c.metric): c for c in baseline_comparisons(new, old, {TASK})}
    c = comps[(BASELINE_PREFIX + "bf16", "bf16", "fc/call_exact")]
    assert c.n == 16 and c.delta == pytest.approx(-10 / 16) and c.test == "mcnemar"
    assert c.p_value == pytest.approx(2 / 1024)  # 10 items lost, none gained: exact McNemar 2 * 0.5^10
    assert (BASELINE_PREFIX + "bf16", "bf16", f"{TASK}/call_exact") in comps  # per task
    assert (BASELINE_PREFIX + "bf16", "bf16", "fc/bfcl/call_exact") in comps  # per group
    same = comps[(BASELINE_PREFIX + "q4_k_m", "q4_k_m", "fc/call_exact")]
    assert same.delta == 0.0 and same.p_value == 1.0
    assert not any(b == "q2_k" for _, b, _ in comps)  # no such level in the baseline


def test_tasks_of_another_version_do_not_pair():
    old, new = _scores("v1", {"bf16": [1, 1, 1]}), _scores("v2", {"bf16": [0, 0, 0]})
    assert baseline_comparisons(new, old, set()) == []


def _report(name: str, version: str) -> Report:
    level = Level(name="bf16", kind="hf", path="x", sha256=f"{name}-bf16", size_bytes=1, bits_per_weight=16.0)
    return Report(release=name, created="now", levels=[level], gate=GateResult(passed=True),
                  suites=[Suite(name=TASK, version=version, n_items=4)])


def test_same_versions_names_only_equal_tasks():
    assert same_versions(_report("a", "1"), _report("b", "1")) == {TASK}
    assert same_versions(_report("a", "1"), _report("b", "2")) == set()


def test_baseline_pairs_from_run_folders(tmp_path):
    def run(name: str, values: list[float]):
        folder = tmp_path / name
        folder.mkdir()
        report = _report(name, "1")
        (folder / "report.json").write_text(report.model_dump_json())
        return folder, report, _scores(name, {"bf16": values}, sha=name)

    cur_dir, cur, cur_scores = run("new", [0, 0, 0, 0])
    old_dir, old, old_scores = run("old", [1, 1, 1, 1])
    assert baseline_pairs(cur_dir, cur, old_dir, old) == []  # no item files yet: nothing to pair
    write_item_scores(cur_dir, cur_scores)
    write_item_scores(old_dir, old_scores)
    pooled = next(c for c in baseline_pairs(cur_dir / "report.json", cur, old_dir, old) if c.metric == "fc/call_exact")
    assert (pooled.a, pooled.b, pooled.n, pooled.delta) == ("baseline:bf16", "bf16", 4, -1.0)
