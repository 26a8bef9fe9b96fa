"""Reading reports: a newer harness's added fields are ignored (card, gate, site read them); NaN is
never a pass and is written back as explicitly missing, so the report stays readable."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.records.common import TOLERANT
from harness.records.report import Report, load_report, report_json

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "data" / "demo_run"


def _harness(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _with_added_fields(report: dict) -> dict:
    """Fields a newer harness might add, at every level of the record."""
    report["energy_kwh"] = 1.5
    report["gate"]["verdict_url"] = "https://example.org"
    for rule in report["gate"]["rules"]:
        rule["effect_size"] = 0.1
    for lv in report["levels"]:
        lv["quant_recipe"] = {"k": "v"}
        for m in lv["metrics"].values():
            m["stderr"] = 0.01
    for part in ("comparisons", "checks", "suites"):
        for x in report[part]:
            x["added_later"] = True
    if report.get("provenance"):
        report["provenance"]["cuda"] = "12.8"
    return report


@pytest.fixture
def newer_run(tmp_path: Path) -> Path:
    run = tmp_path / "newer"
    run.mkdir()
    (run / "report.json").write_text(json.dumps(_with_added_fields(json.loads((DEMO / "report.json").read_text()))))
    shutil.copy(DEMO / "item_scores.json.gz", run)
    return run


def test_newer_report_is_read_by_gate_card_and_site(newer_run: Path, tmp_path: Path) -> None:
    old = load_report(DEMO)
    assert load_report(newer_run) == old  # the added fields are dropped, nothing else changes
    with pytest.raises(Exception, match="Extra inputs are not permitted"):
        Report.model_validate_json((newer_run / "report.json").read_bytes())  # strict when not reading
    gate = _harness("gate", newer_run, "--baseline", DEMO)
    assert gate.returncode in (0, 1) and "Gate" in gate.stdout, gate.stderr
    card = _harness("card", newer_run, "--out", tmp_path / "card")
    assert card.returncode == 0, card.stderr
    site = _harness("site", newer_run, "--out", tmp_path / "site")
    assert site.returncode == 0 and (tmp_path / "site" / "html" / "index.html").is_file(), site.stderr


def test_newer_schema_version_is_still_refused(tmp_path: Path) -> None:
    report = json.loads((DEMO / "report.json").read_text())
    report["schema_version"] = 2
    (tmp_path / "report.json").write_text(json.dumps(report))
    with pytest.raises(BadInput, match="schema_version"):
        load_report(tmp_path)


def test_nan_fails_its_rule_and_stays_readable(tmp_path: Path) -> None:
    report = json.loads((DEMO / "report.json").read_text())
    comp = next(c for c in report["comparisons"] if c["a"] == "bf16" and c["metric"] == "fc/call_exact")
    comp["p_value"] = float("nan")  # json.dumps writes NaN, which JSON readers accept
    kld_level = next(lv for lv in report["levels"] if "kld/p99" in lv["metrics"])
    kld_level["metrics"]["kld/p99"]["value"] = float("nan")
    (tmp_path / "report.json").write_text(json.dumps(report))
    shutil.copy(DEMO / "item_scores.json.gz", tmp_path)
    rep = load_report(tmp_path)
    assert "kld/p99" in rep.level(kld_level["name"]).not_computed and "kld/p99" not in rep.level(kld_level["name"]).metrics
    assert f"bf16 -> {comp['b']} fc/call_exact" in rep.not_computed

    proc = _harness("gate", tmp_path, "--update-report")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{comp['b']} fc/call_exact (vs bf16)" in proc.stdout and "could not be computed" in proc.stdout
    assert f"{kld_level['name']} kld/p99" in proc.stdout
    def no_constant(name: str) -> None:
        raise AssertionError(f"report.json holds the number {name}")
    json.loads((tmp_path / "report.json").read_text(), parse_constant=no_constant)
    again = load_report(tmp_path)  # the report written back is readable by gate, card and site
    assert not again.gate.passed
    assert Report.model_validate_json(report_json(again), context=TOLERANT) == again
    assert _harness("card", tmp_path, "--out", tmp_path / "card").returncode == 0
    assert _harness("gate", tmp_path).returncode == 1
