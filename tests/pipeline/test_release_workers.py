"""`harness release --workers 2`: the release's levels spread over a local Ray cluster of 2 workers give a
report.json identical in every score to the serial run (bench/compare_reports.py's comparison: every metric
with its interval, comparison, suite and check) and the same per-item scores, byte for byte; with a worker
killed mid-level, and with the driver itself killed mid-evaluation and rerun, nothing stored is lost or
computed again. The spread runs reuse the serial run's stages (hard links) and start from an empty results
store, so that every item is computed on the workers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"
sys.path.insert(0, str(ROOT / "bench"))

pytest.importorskip("ray")
pytestmark = pytest.mark.slow


def _release(out: Path, *args: str, env: dict | None = None, **kw):
    cmd = [sys.executable, "-m", "harness.cli", "release", str(TINY), "--out", str(out), "--no-site", *args]
    return subprocess.Popen(cmd, cwd=out, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _finish(proc) -> subprocess.CompletedProcess:
    stdout, stderr = proc.communicate(timeout=3000)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("serial")
    return out / "tiny", _finish(_release(out))


def _stages_only(serial_run: Path, out: Path) -> Path:
    run = out / "tiny"
    run.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(serial_run / "stages"), str(run / "stages")], check=True)
    return run


def _rows(run: Path) -> int:
    conn = sqlite3.connect(run / "results.sqlite")
    try:
        return conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    except sqlite3.OperationalError:  # the store's tables are not created yet
        return 0
    finally:
        conn.close()


def _same_scores(a: Path, b: Path) -> None:
    from compare_reports import differences

    from harness.records.items import scores_path
    from harness.records.report import load_report

    assert differences(load_report(a), load_report(b)) == []
    assert scores_path(a).read_bytes() == scores_path(b).read_bytes()


def test_two_workers_equal_the_serial_release_with_a_worker_killed_mid_level(serial, tmp_path) -> None:
    serial_run, first = serial
    assert first.returncode in (0, 1), first.stderr[-3000:]
    run = _stages_only(serial_run, tmp_path)
    proc = _finish(_release(tmp_path, "--workers", "2", env={"HARNESS_WORKER_EXIT_AFTER": "4"}))
    assert proc.returncode == first.returncode, proc.stderr[-3000:]
    assert "worker died" in proc.stderr and "resubmitted" in proc.stderr
    _same_scores(serial_run, run)
    report = json.loads((run / "report.json").read_text())
    assert all("placement" not in lv or lv["placement"] is None
               for lv in json.loads((serial_run / "report.json").read_text())["levels"])
    placements = {lv["name"]: lv["placement"] for lv in report["levels"]}
    assert all(p["attempts"] == 2 and p["engine"] == lv["engine"]["engine"] and p["pid"] > 0
               for p, lv in zip(placements.values(), report["levels"]))
    # Each item committed exactly once, though every level's first worker died mid-level.
    assert sum(p["items_computed"] for p in placements.values()) == _rows(serial_run) == _rows(run)


def test_a_driver_killed_mid_evaluation_resumes_from_every_committed_item(serial, tmp_path) -> None:
    serial_run, first = serial
    run = _stages_only(serial_run, tmp_path)
    proc = _release(tmp_path, "--workers", "2", start_new_session=True)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and proc.poll() is None:
        if (run / "results.sqlite").exists() and _rows(run) >= 20:
            break
        time.sleep(0.5)
    assert proc.poll() is None, "the release ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and everything of its session, the local cluster included
    proc.communicate()
    stored = _rows(run)
    again = _finish(_release(tmp_path, "--workers", "2"))
    assert again.returncode == first.returncode, again.stderr[-3000:]
    _same_scores(serial_run, run)
    placements = [lv["placement"] for lv in json.loads((run / "report.json").read_text())["levels"]]
    assert sum(p["items_computed"] for p in placements) == _rows(serial_run) - stored
