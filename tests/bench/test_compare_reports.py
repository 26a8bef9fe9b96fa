"""bench/compare_reports.py: identical runs pass, a moved score is named and fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "data" / "demo_run"


def _compare(a: Path, b: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bench" / "compare_reports.py"), str(a), str(b)],
                          capture_output=True, text=True, timeout=120)


def test_identical_runs_pass_and_a_moved_score_fails(tmp_path: Path) -> None:
    same = _compare(DEMO, DEMO)
    assert same.returncode == 0 and " 0 differ; item_scores.json.gz identical" in same.stdout
    moved = tmp_path / "run"
    shutil.copytree(DEMO, moved)
    raw = json.loads((moved / "report.json").read_text())
    level = raw["levels"][1]
    name = sorted(level["metrics"])[0]
    level["metrics"][name]["value"] += 0.01
    (moved / "report.json").write_text(json.dumps(raw))
    diff = _compare(DEMO, moved)
    assert diff.returncode == 1 and f"level {level['name']} {name}" in diff.stdout and " 1 differ;" in diff.stdout
