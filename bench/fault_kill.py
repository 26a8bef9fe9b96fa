"""kill -9 at random points of a release, then rerun until it finishes; the report must be identical.

    python bench/fault_kill.py [--profile tests/data/tiny.yaml] [--kills 20] [--sweep] [--out /tmp/fault]

First an uninterrupted reference run. Then chains: start `harness release`, SIGKILL its process
group after a random delay, start again, ... until a run finishes by itself; a new chain starts
from an empty folder until --kills kills were made. After every kill and restart it checks that
nothing finished was lost: complete stages keep their stage.json (same mtime) and the results store
never loses rows (it commits every item, every batch of 8 on HF levels, so at most that is
recomputed). Each finished chain's report.json must equal the reference in every score. Prints
the stage each kill hit.

With --sweep, one more chain kills once inside every stage in order (base, train, merge, ...,
each eval level, kld, and just after kld while the report is written): it waits for the stage's
start line in the log, then kills after a random part of that stage's time in the reference run,
so short stages (merge takes under a second) are hit too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start(profile: str, out: Path, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "harness.cli", "release", profile, "--out", str(out), "--no-site"]
    env = dict(os.environ, COLUMNS="200")
    return subprocess.Popen(cmd, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # its own group: the kill takes its workers too


def finished_stages(run_dir: Path) -> dict[str, float]:
    return {str(p.parent.name): p.stat().st_mtime for p in (run_dir / "stages").glob("*/stage.json")}


def store_rows(run_dir: Path) -> int:
    db = run_dir / "results.sqlite"
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=30) as c:
        try:
            return c.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def in_flight(log: Path) -> str:
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith(("▶", "✓"))]
    last = lines[-1] if lines else "▶ startup"
    return last.split()[1] if last.startswith("▶") else f"after {last.split()[1]}"


def reference_stages(log: Path) -> list[tuple[str, float]]:
    """(stage, seconds) in run order from the reference log's `✓ stage 12.3s` lines."""
    out = []
    for ln in log.read_text(errors="replace").splitlines():
        if ln.startswith("✓ ") and ln.endswith("s") and "cached" not in ln:
            key, _, secs = ln[2:].rpartition(" ")
            out.append((key, float(secs[:-1])))
    return out


def wait_for_line(proc: subprocess.Popen, log: Path, prefix: str) -> bool:
    """Poll the log until a line starts with `prefix`; False when the process ended first."""
    while proc.poll() is None:
        if any(ln.startswith(prefix) for ln in log.read_text(errors="replace").splitlines()):
            return True
        time.sleep(0.05)
    return False


def snapshot(run_dir: Path) -> tuple[dict[str, float], int]:
    return finished_stages(run_dir), store_rows(run_dir)


def losses(run_dir: Path, before: tuple[dict[str, float], int]) -> str | None:
    """What a restart no longer finds of what was finished before the kill; None when nothing."""
    time.sleep(2)
    stages_now, rows_now = snapshot(run_dir)
    lost = [s for s, m in before[0].items() if stages_now.get(s) != m]
    return f"lost stages {lost}, rows {before[1]} -> {rows_now}" if lost or rows_now < before[1] else None


def kill(proc: subprocess.Popen, log: Path, run_dir: Path) -> tuple[str, tuple[dict[str, float], int]]:
    """SIGKILL the run's whole process group; returns the stage it hit and what was finished then."""
    stage, before = in_flight(log), snapshot(run_dir)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return stage, before


def scores(report: dict) -> dict:
    """Every score of a report: per level metrics, comparisons, checks, gate verdict."""
    return {"levels": {lv["name"]: lv["metrics"] for lv in report["levels"]},
            "comparisons": report.get("comparisons"), "checks": [(c["name"], c["passed"]) for c in report["checks"]],
            "gate": report["gate"]["passed"]}


def final_scores(run_dir: Path) -> dict | None:
    report = run_dir / "report.json"
    return scores(json.loads(report.read_text())) if report.exists() else None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default=str(ROOT / "tests" / "data" / "tiny.yaml"))
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--out", default="/tmp/fault")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-per-chain", type=int, default=6)
    p.add_argument("--sweep", action="store_true", help="then one chain that kills inside every stage in turn")
    a = p.parse_args()
    out, rng = Path(a.out), random.Random(a.seed)
    out.mkdir(parents=True, exist_ok=True)
    name = Path(a.profile).stem if a.profile.endswith(".yaml") else a.profile

    ref_root = out / "ref"
    if not (ref_root / name / "report.json").exists():
        t0 = time.monotonic()
        rc = start(a.profile, ref_root, out / "ref.log").wait()
        (out / "ref_time.json").write_text(json.dumps(time.monotonic() - t0))
        print(f"reference run: exit {rc}, {time.monotonic() - t0:.0f} s", flush=True)
    ref = scores(json.loads((ref_root / name / "report.json").read_text()))
    ref_s = max(60.0, float(json.loads((out / "ref_time.json").read_text())) if (out / "ref_time.json").exists() else 240.0)

    kills, hit, chains, violations, identical = 0, Counter(), 0, [], 0
    while kills < a.kills:
        chains += 1
        root = out / f"chain{chains}"
        run_dir = root / name
        n_kills = rng.randint(1, a.max_per_chain)
        before: tuple[dict, int] | None = None
        attempt = 0
        while True:
            attempt += 1
            log = out / f"chain{chains}-{attempt}.log"
            proc = start(a.profile, root, log)
            if before is not None and (lost := losses(run_dir, before)):  # a restart must find all finished work
                violations.append(f"chain {chains} attempt {attempt}: {lost}")
            if attempt <= n_kills and kills < a.kills:
                delay = rng.uniform(3, ref_s / 3)
                try:
                    proc.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    stage, before = kill(proc, log, run_dir)
                    kills += 1
                    hit[stage] += 1
                    print(f"kill {kills:2d}: chain {chains} attempt {attempt} after {delay:5.1f}s in {stage} "
                          f"({len(before[0])} stages done, {before[1]} items stored)", flush=True)
                    continue
            rc = proc.wait()
            same = final_scores(run_dir) == ref
            identical += same
            print(f"chain {chains}: finished after {attempt} starts, exit {rc}, report identical to reference: {same}",
                  flush=True)
            if not same:
                violations.append(f"chain {chains}: report differs from the reference")
            break

    if a.sweep:
        chains += 1
        targets = [(f"▶ {k}", d) for k, d in reference_stages(out / "ref.log")]
        targets.append((f"✓ {targets[-1][0][2:]}", 0.5))  # after the last stage: report and gate being written
        root, attempt, before = out / f"chain{chains}", 0, None
        run_dir = root / name
        for prefix, seconds in targets + [(None, 0.0)]:
            attempt += 1
            log = out / f"chain{chains}-{attempt}.log"
            proc = start(a.profile, root, log)
            if before is not None and (lost := losses(run_dir, before)):
                violations.append(f"sweep attempt {attempt}: {lost}")
            if prefix is None:
                break
            if not wait_for_line(proc, log, prefix):
                violations.append(f"sweep attempt {attempt}: the run ended before `{prefix}`")
                continue
            delay = rng.uniform(0, seconds)
            time.sleep(delay)
            if proc.poll() is not None:
                print(f"sweep attempt {attempt}: finished before the kill, {delay:.1f}s after `{prefix}`", flush=True)
                before = snapshot(run_dir)
                continue
            stage, before = kill(proc, log, run_dir)
            kills += 1
            hit[stage] += 1
            print(f"kill {kills:2d}: sweep attempt {attempt} {delay:5.1f}s after `{prefix}` in {stage} "
                  f"({len(before[0])} stages done, {before[1]} items stored)", flush=True)
        rc = proc.wait()
        same = final_scores(run_dir) == ref
        identical += same
        print(f"sweep: finished after {attempt} starts, exit {rc}, report identical to reference: {same}", flush=True)
        if not same:
            violations.append("sweep: report differs from the reference")

    print(f"\nkills {kills} over {chains} chains; stages hit: {dict(sorted(hit.items()))}")
    print(f"finished chains with a report identical to the uninterrupted run: {identical}/{chains}")
    print(f"violations (lost stages or items, different scores): {len(violations)}")
    for v in violations:
        print("  " + v)
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
