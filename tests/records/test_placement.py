"""levels[].placement in report.json (spread evaluation): written strictly, read tolerantly, absent in
serial and older reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.records.placement import Placement
from harness.records.report import load_report, report_json

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_run"
WHERE = {"node": "ab12", "node_ip": "10.0.0.2", "hostname": "gpu-2", "worker": "cd34", "pid": 4242}


def test_placement_round_trips_and_older_reports_have_none(tmp_path: Path) -> None:
    report = load_report(DEMO)
    assert all(lv.placement is None for lv in report.levels)
    placed = Placement(**WHERE, accelerators=["1"], engine="llama.cpp", device="gpu", items_computed=120)
    report.levels[0].placement = placed
    (tmp_path / "report.json").write_text(report_json(report))
    assert load_report(tmp_path).levels[0].placement == placed


def test_strict_on_write_tolerant_on_read(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Placement(**WHERE, rack="r7")
    raw = json.loads((DEMO / "report.json").read_text())
    raw["levels"][0]["placement"] = {**WHERE, "rack": "r7"}  # a newer harness's field
    (tmp_path / "report.json").write_text(json.dumps(raw))
    assert load_report(tmp_path).levels[0].placement == Placement(**WHERE)
