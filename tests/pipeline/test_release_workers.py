"""`harness release --workers 2`: the release's levels spread over a local Ray cluster of 2 workers give a
report.json identical in every score to the serial run (bench/compare_reports.py's comparison: every metric
with its interval, comparison, suite and check) and the same per-item scores, byte for byte; with a worker
killed mid-level, and with the driver itself killed mid-evaluation and rerun, nothing stored is lost or
computed again. The spread runs reuse the serial run's stages (hard links) and start from an empty results
store, so that every item is computed on the workers.

Every wait is bounded (CI must never hang): each release runs in its own session with its output in files
(a Ray process that outlived its driver could hold a pipe open forever), is waited for with a timeout, and
its whole session (the local cluster included) is killed when it overruns and when the test ends."""

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

from tests.pipeline.conftest import TINY

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

pytest.importorskip("ray")
pytestmark = pytest.mark.slow

RELEASE_S = 900  # one spread release of the tiny profile (its stages linked from the serial run: evaluation only)
_started: list[subprocess.Popen] = []


def _release(out: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "harness.cli", "release", str(TINY), "--out", str(out), "--no-site", *args]
    n = len(_started)
    proc = subprocess.Popen(cmd, cwd=out, env={**os.environ, **(env or {})}, start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=(out / f"stdout{n}.txt").open("w"),
                            stderr=(out / f"stderr{n}.txt").open("w"))
    proc.out, proc.n = out, n
    _started.append(proc)
    return proc


def _kill(proc: subprocess.Popen) -> None:
    """The release and everything of its session: its local Ray cluster's processes too."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


@pytest.fixture(scope="module", autouse=True)
def _no_leftovers():
    yield
    for proc in _started:
        _kill(proc)


def _finish(proc: subprocess.Popen, timeout: float = RELEASE_S) -> subprocess.CompletedProcess:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
    stdout, stderr = ((proc.out / f"{s}{proc.n}.txt").read_text() for s in ("stdout", "stderr"))
    if proc.returncode == -signal.SIGKILL:
        pytest.fail(f"the release ran past {timeout:.0f} s and was killed; its stderr ends:\n{stderr[-3000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def serial(tiny_release) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """The session's serial release (tests/pipeline/conftest.py): its folder, its first report, its process."""
    assert tiny_release.proc.returncode in (0, 1), tiny_release.proc.stderr[-3000:]
    return tiny_release.run, tiny_release.first, tiny_release.proc


def _stages_only(serial_run: Path, out: Path) -> Path:
    run = out / "tiny"
    run.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(serial_run / "stages"), str(run / "stages")], check=True, timeout=60)
    return run


def _rows(run: Path) -> int:
    conn = sqlite3.connect(run / "results.sqlite", timeout=10)
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
    serial_run, first_report, first = serial
    run = _stages_only(serial_run, tmp_path)
    proc = _finish(_release(tmp_path, "--workers", "2", env={"HARNESS_WORKER_EXIT_AFTER": "4"}))
    assert proc.returncode == first.returncode, proc.stderr[-3000:]
    assert "worker died" in proc.stderr and "resubmitted" in proc.stderr
    _same_scores(first_report, run)
    report = json.loads((run / "report.json").read_text())
    assert all("placement" not in lv or lv["placement"] is None
               for lv in json.loads((first_report / "report.json").read_text())["levels"])
    # 5 levels on 2 workers: each split in 2 shards (harness/evals/shards.py), recorded in `shards`.
    placements = {lv["name"]: _shards(lv["placement"]) for lv in report["levels"]}
    assert all(len(ps) == 2 and all(p["attempts"] == 2 and p["engine"] == lv["engine"]["engine"] and p["pid"] > 0
                                    for p in ps) for ps, lv in zip(placements.values(), report["levels"]))
    # Each item committed exactly once, though every shard's first worker died mid-level.
    assert sum(p["items_computed"] for ps in placements.values() for p in ps) == _rows(serial_run) == _rows(run)


def _shards(placement: dict) -> list[dict]:
    return placement["shards"] or [placement]


def test_a_driver_killed_mid_evaluation_resumes_from_every_committed_item(serial, tmp_path) -> None:
    serial_run, first_report, first = serial
    run = _stages_only(serial_run, tmp_path)
    proc = _release(tmp_path, "--workers", "2")
    deadline = time.monotonic() + RELEASE_S
    while time.monotonic() < deadline and proc.poll() is None:
        if (run / "results.sqlite").exists() and _rows(run) >= 20:
            break
        time.sleep(0.5)
    reached = _rows(run) if (run / "results.sqlite").exists() else 0
    assert proc.poll() is None and reached >= 20, f"the release ended, or stored {reached} items only, in time"
    _kill(proc)  # the driver and everything of its session, the local cluster included
    stored = _rows(run)
    again = _finish(_release(tmp_path, "--workers", "2"))
    assert again.returncode == first.returncode, again.stderr[-3000:]
    _same_scores(first_report, run)
    placements = [lv["placement"] for lv in json.loads((run / "report.json").read_text())["levels"]]
    assert sum(p["items_computed"] for lv in placements for p in _shards(lv)) == _rows(serial_run) - stored
