"""levels[].engine in report.json: written strictly, read tolerantly, absent in older reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.records.engine import EngineInfo
from harness.records.report import load_report, report_json

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_run"


def test_engine_round_trips_and_older_reports_have_none(tmp_path: Path) -> None:
    report = load_report(DEMO)
    assert all(lv.engine is None for lv in report.levels)
    engine = EngineInfo(engine="llama.cpp", device="cpu", device_name="2 threads")
    report.levels[0].engine = engine
    path = tmp_path / "report.json"
    path.write_text(report_json(report))
    assert load_report(path).levels[0].engine == engine


def test_strict_on_write_tolerant_on_read(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        EngineInfo(engine="llama.cpp", device="cpu", n_seq=64)
    raw = json.loads((DEMO / "report.json").read_text())
    raw["levels"][0]["engine"] = {"engine": "llama.cpp", "device": "cuda", "n_seq": 64}  # a newer harness's field
    (tmp_path / "report.json").write_text(json.dumps(raw))
    assert load_report(tmp_path).levels[0].engine == EngineInfo(engine="llama.cpp", device="cuda")
