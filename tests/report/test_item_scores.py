"""harness/report/items.py (item_scores.json) and baseline comparisons paired per item (aggregate)."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.evals.aggregate import BASELINE_PREFIX, baseline_comparisons
from harness.evals.core import ItemResult
from harness.report import items as item_file


def _level(task: str, values: list[float], extra: dict[int, float] | None = None) -> list[ItemResult]:
    out = []
    for i, v in enumerate(values):
        scores = {"call_exact": v}
        if extra and i in extra:
            scores["json_valid"] = extra[i]
        out.append(ItemResult(task, f"id{i}", "out", scores))
    return out


def _scores(release: str, values: dict[str, list[float]], version: str = "v1", sha: str = "s") -> item_file.ItemScores:
    results = {lv: {"fc/bfcl_simple": _level("fc/bfcl_simple", v, {0: 1.0})} for lv, v in values.items()}
    return item_file.build(release, [(lv, f"{sha}-{lv}") for lv in values], results, {"fc/bfcl_simple": version})


def test_build_round_trip_and_missing_metrics(tmp_path) -> None:
    scores = _scores("demo", {"bf16": [1, 0, 1], "q4_k_m": [1, 1, 0]})
    t = scores.level("bf16").tasks["fc/bfcl_simple"]
    assert t.ids == ["id0", "id1", "id2"] and t.version == "v1"
    assert t.scores == {"call_exact": [1.0, 0.0, 1.0], "json_valid": [1.0, None, None]}
    (tmp_path / "report.json").write_text("{}")
    (tmp_path / item_file.FILE).write_text(scores.model_dump_json())
    for where in (tmp_path, tmp_path / "report.json"):  # a run folder or the report beside it
        loaded = item_file.load(where, {"bf16": "s-bf16"})
        assert loaded == scores
    back = loaded.level("bf16").results()["fc/bfcl_simple"]
    assert back[0].scores == {"call_exact": 1.0, "json_valid": 1.0} and back[1].scores == {"call_exact": 0.0}


def test_load_absent_is_none_and_foreign_or_broken_files_are_bad_input(tmp_path) -> None:
    assert item_file.load(tmp_path) is None
    (tmp_path / item_file.FILE).write_text(_scores("demo", {"bf16": [1, 0]}).model_dump_json())
    with pytest.raises(BadInput, match="belongs to another run"):
        item_file.load(tmp_path, {"bf16": "other-sha"})
    (tmp_path / item_file.FILE).write_text('{"schema_version": 1, "release": "x", "levels": [{"name": "a", '
                                           '"sha256": "s", "tasks": {"t": {"version": "v", "ids": ["a", "b"], '
                                           '"scores": {"m": [1.0]}}}}]}')
    with pytest.raises(BadInput, match="item_scores.json.*1 values for 2 ids"):
        item_file.load(tmp_path)


def test_baseline_comparisons_pair_items_of_the_same_level() -> None:
    old = _scores("v1", {"bf16": [1] * 12 + [0] * 4, "q4_k_m": [1] * 16}, sha="old")
    new = _scores("v2", {"bf16": [0] * 10 + [1] * 2 + [0] * 4, "q4_k_m": [1] * 16, "q2_k": [0] * 16}, sha="new")
    comps = {(c.a, c.b, c.metric): c for c in baseline_comparisons(new, old)}
    c = comps[(BASELINE_PREFIX + "bf16", "bf16", "fc/call_exact")]
    assert c.n == 16 and c.delta == pytest.approx(-10 / 16) and c.test == "mcnemar"
    assert c.p_value == pytest.approx(2 / 1024)  # 10 items lost, none gained: exact McNemar 2 * 0.5^10
    assert (BASELINE_PREFIX + "bf16", "bf16", "fc/bfcl_simple/call_exact") in comps  # per task
    assert (BASELINE_PREFIX + "bf16", "bf16", "fc/bfcl/call_exact") in comps  # per group
    same = comps[(BASELINE_PREFIX + "q4_k_m", "q4_k_m", "fc/call_exact")]
    assert same.delta == 0.0 and same.p_value == 1.0
    assert not any(b == "q2_k" for _, b, _ in comps)  # no such level in the baseline


def test_baseline_comparisons_skip_tasks_of_another_version() -> None:
    old = _scores("v1", {"bf16": [1, 1, 1]}, version="bfcl-v4-simple_python-1")
    new = _scores("v2", {"bf16": [0, 0, 0]}, version="bfcl-v4-simple_python-1+ast2")
    assert baseline_comparisons(new, old) == []


def test_baseline_pairs_from_report_folders(tmp_path) -> None:
    from harness.evals.aggregate import baseline_pairs
    from harness.report.model import GateResult, Level, Report

    def run(name: str, values: list[float], sha: str):
        folder = tmp_path / name
        folder.mkdir()
        scores = _scores(name, {"bf16": values}, sha=sha)
        level = Level(name="bf16", kind="hf", path="x", sha256=f"{sha}-bf16", size_bytes=1, bits_per_weight=16.0)
        report = Report(release=name, created="now", levels=[level], gate=GateResult(passed=True))
        (folder / "report.json").write_text(report.model_dump_json())
        return folder, report, scores

    cur_dir, cur, cur_scores = run("new", [0, 0, 0, 0], "n")
    old_dir, old, old_scores = run("old", [1, 1, 1, 1], "o")
    assert baseline_pairs(cur_dir, cur, old_dir, old) == []  # no item files yet: nothing to pair
    (cur_dir / item_file.FILE).write_text(cur_scores.model_dump_json())
    (old_dir / item_file.FILE).write_text(old_scores.model_dump_json())
    comps = baseline_pairs(cur_dir / "report.json", cur, old_dir, old)
    pooled = next(c for c in comps if c.metric == "fc/call_exact")
    assert (pooled.a, pooled.b, pooled.n, pooled.delta) == ("baseline:bf16", "bf16", 4, -1.0)
