"""Rebuild item_scores.json.gz for a run made before the pipeline wrote it, from its results.sqlite.

Each level's rows are selected by the level's artifact sha256 and each suite's task version; a task
stored under more than one settings hash, or with another item count than report.json says, is
refused rather than guessed. The per-item scores must reproduce every metric value and n of
report.json exactly, or nothing is written.

    python bench/item_scores_from_store.py RUN_DIR [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.evals.aggregate import level_values
from harness.records.items import FILE_NAME, ItemScores, LevelScores, write_item_scores
from harness.records.report import load_report
from harness.stats import metric_summary


def rebuild(run_dir: Path) -> ItemScores:
    report = load_report(run_dir)
    conn = sqlite3.connect(f"file:{run_dir / 'results.sqlite'}?mode=ro", uri=True)
    levels = {}
    for level in report.levels:
        tasks = {}
        for suite in report.suites:
            rows = conn.execute("SELECT settings_hash, item_id, scores FROM items WHERE artifact_sha=? AND task=? "
                                "AND task_version=?", (level.sha256, suite.name, suite.version)).fetchall()
            if not rows:
                continue  # e.g. the kld pseudo-suite
            if len({r[0] for r in rows}) != 1 or len(rows) != suite.n_items:
                raise SystemExit(f"{level.name} {suite.name}: {len(rows)} rows under "
                                 f"{len({r[0] for r in rows})} settings, report says {suite.n_items} items")
            tasks[suite.name] = {item_id: json.loads(scores) for _, item_id, scores in rows}
        levels[level.name] = LevelScores(sha256=level.sha256, tasks=tasks)
    scores = ItemScores(release=report.release, levels=levels)
    for level in report.levels:
        for metric, values in level_values(scores, level.name).items():
            want, got = level.metrics.get(metric), metric_summary(list(values.values()))
            if want is None or (round(want.value, 9), want.n) != (round(got.value, 9), got.n):
                raise SystemExit(f"{level.name} {metric}: report.json {want} but the store gives {got}")
    return scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--out", type=Path, help=f"output folder (default RUN_DIR; the file is {FILE_NAME})")
    args = ap.parse_args()
    path = write_item_scores(args.out or args.run_dir, rebuild(args.run_dir))
    print(f"{path}: {path.stat().st_size} bytes, metrics match report.json")


if __name__ == "__main__":
    main()
