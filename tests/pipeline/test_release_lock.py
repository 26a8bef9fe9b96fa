"""Two releases on one output folder: the second is refused at once, the first's files untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.pipeline.release import exclusive

ROOT = Path(__file__).resolve().parents[2]


def test_second_release_on_the_same_folder_is_refused(tmp_path):
    run_dir = tmp_path / "tiny"
    with exclusive(run_dir):  # the first release, in flight
        (run_dir / "marker").write_text("first")
        proc = subprocess.run([sys.executable, "-m", "harness.cli", "release", str(ROOT / "tests/data/tiny.yaml"),
                               "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [f"harness: error: {run_dir}: another release is running on this output folder"]
    assert sorted(p.name for p in run_dir.iterdir()) == [".lock", "marker"]
    with exclusive(run_dir):  # released when the first one ends
        pass
