"""item_scores.json.gz: written by the pipeline, read back by the gate, refused when it is not the report's."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.evals.aggregate import item_values, level_values
from harness.records.items import FILE_NAME, ItemResult, from_results, load_item_scores, write_item_scores
from harness.records.report import load_report

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_run"


def test_round_trip_matches_the_aggregates(tmp_path: Path) -> None:
    results = {"bf16": {"fc/bfcl_simple": [ItemResult("fc/bfcl_simple", "s1", "out", {"json_valid": 1.0}),
                                           ItemResult("fc/bfcl_simple", "s2", "out", {"json_valid": 0.0})],
                        "fr/mc": [ItemResult("fr/mc", "m1", "2", {"mc_acc": 1.0})]}}
    scores = from_results("demo", {"bf16": "ab" * 32}, results)
    path = write_item_scores(tmp_path, scores)
    assert path.name == FILE_NAME and path.read_bytes() == write_item_scores(tmp_path, scores).read_bytes()
    report = load_report(DEMO).model_copy(update={"levels": []})
    back = load_item_scores(tmp_path, report)
    assert back == scores
    assert level_values(back, "bf16") == item_values(results["bf16"])


def test_demo_scores_belong_to_the_demo_report() -> None:
    report = load_report(DEMO)
    scores = load_item_scores(DEMO, report)
    assert set(scores.levels) == {lv.name for lv in report.levels}
    assert load_item_scores(DEMO / "report.json", report) == scores  # the file or its folder


def test_missing_sidecar_is_none(tmp_path: Path) -> None:
    shutil.copy(DEMO / "report.json", tmp_path / "report.json")
    assert load_item_scores(tmp_path, load_report(tmp_path)) is None


def test_scores_of_another_run_are_refused(tmp_path: Path) -> None:
    shutil.copy(DEMO / FILE_NAME, tmp_path / FILE_NAME)
    report = load_report(DEMO)
    report.levels[3].sha256 = "f" * 64
    with pytest.raises(BadInput, match=f"{FILE_NAME}: level {report.levels[3].name} has artifact .* another run"):
        load_item_scores(tmp_path, report)


@pytest.mark.parametrize("content, message", [(b"not gzip", "not a gzip file"),
                                              (gzip.compress(b'{"release": 1}'), "not valid item scores")])
def test_damaged_sidecar_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / FILE_NAME).write_bytes(content)
    with pytest.raises(BadInput, match=message):
        load_item_scores(tmp_path, load_report(DEMO))
