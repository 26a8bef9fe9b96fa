"""One serial release of the tiny profile for the whole session: the end-to-end checks and the spread
(`--workers`) comparison both read it, so CI trains and exports the tiny model once. The first run's report and
per-item scores are copied aside before any test reruns the release in place (a rerun with `--baseline` adds
comparisons to report.json), so the spread tests compare against the serial run as it first came out."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"


@dataclass(frozen=True)
class TinyRelease:
    out: Path  # the --out folder; the release is out / "tiny"
    proc: subprocess.CompletedProcess
    seconds: float
    first: Path  # report.json and item_scores.json.gz as the first run wrote them

    @property
    def run(self) -> Path:
        return self.out / "tiny"


def harness(*args: str, cwd: Path, timeout: float = 3000) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def tiny_release(tmp_path_factory) -> TinyRelease:
    from harness.records.items import scores_path

    out = tmp_path_factory.mktemp("runs")
    started = time.monotonic()
    proc = harness("release", str(TINY), "--out", str(out), cwd=out)
    seconds = time.monotonic() - started
    first = tmp_path_factory.mktemp("first_run")
    for f in (out / "tiny" / "report.json", scores_path(out / "tiny")):
        if f.is_file():
            shutil.copy2(f, first / f.name)
    return TinyRelease(out, proc, seconds, first)
