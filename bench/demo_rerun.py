"""First run vs cached rerun of `harness release demo`, side by side in one process tree.

Goal (issue 2): first run under 20 minutes on 2 cores once dependencies are installed; a rerun with
nothing changed under 5% of it. Usage: python bench/demo_rerun.py [--out DIR] [--profile demo]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, int]:
    started = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - started
    if proc.returncode not in (0, 1):  # 1 = the gate said no, still a complete run
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--out", type=Path, default=None, help="output root (default: a fresh temp folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-demo-"))
    shutil.rmtree(out / args.profile, ignore_errors=True)
    cmd = [sys.executable, "-m", "harness.cli", "release", args.profile, "--out", str(out)]
    first, rc1 = timed(cmd)
    rerun, rc2 = timed(cmd)
    print(f"profile        {args.profile}")
    print(f"first run      {first:8.1f} s   (goal < 1200 s)   exit {rc1}")
    print(f"cached rerun   {rerun:8.1f} s   exit {rc2}")
    print(f"rerun / first  {rerun / first:8.3f}     (goal < 0.05)")


if __name__ == "__main__":
    main()
