"""item_scores.json.gz: every level's per-item scores, written next to report.json.

report.json carries metrics and the paired comparisons within one run; pairing a run with another
one (the gate's baseline regression) needs the per-item scores of both. They live in a gzip sidecar
rather than in report.json, which the card and the site read whole: a full 9b evaluation holds
hundreds of thousands of item scores. Each level records the artifact sha256, so scores are never
paired with a report they do not belong to.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from harness.errors import BadInput
from harness.files import write_atomic
from harness.records.common import TOLERANT, Record, first_error
from harness.records.report import Report

FILE_NAME = "item_scores.json.gz"



@dataclass(frozen=True)
class ItemResult:
    """One item of one task on one level, as the results store keeps it and the scores sidecar pairs it."""

    task: str
    item_id: str
    output: str
    scores: dict[str, float]  # metric name (without suite prefix) -> per-item value


TaskScores = dict[str, dict[str, float]]  # item id -> metric (no suite prefix) -> value


class LevelScores(Record):
    sha256: str
    tasks: dict[str, TaskScores]  # task name ("fc/bfcl_simple") -> its items


class ItemScores(Record):
    schema_version: Literal[1] = 1
    release: str
    levels: dict[str, LevelScores]

    def results(self, level: str, tasks: set[str] | None = None) -> dict[str, list[ItemResult]]:
        """The per-item results of one level (some tasks, or all), as harness.evals.aggregate pools them."""
        return {task: [ItemResult(task, item_id, "", dict(scores)) for item_id, scores in items.items()]
                for task, items in self.levels[level].tasks.items() if tasks is None or task in tasks}

    def item_ids(self, level: str) -> dict[str, set[str]]:
        return {task: set(items) for task, items in self.levels[level].tasks.items()}


def from_results(release: str, shas: dict[str, str], results: dict) -> ItemScores:
    """From the pipeline's results (level -> task -> [ItemResult]) and each level's artifact sha256."""
    return ItemScores(release=release, levels={
        name: LevelScores(sha256=shas[name], tasks={task: {i.item_id: dict(i.scores) for i in items}
                                                    for task, items in by_task.items()})
        for name, by_task in results.items()})


def write_item_scores(run_dir: Path, scores: ItemScores) -> Path:
    path = run_dir / FILE_NAME
    # mtime=0: the same scores give the same bytes, so the file's hash says whether scores changed.
    data = gzip.compress(scores.model_dump_json().encode("utf-8"), mtime=0)
    write_atomic(path, data)
    return path


def scores_path(report_path: Path) -> Path:
    return (report_path if report_path.is_dir() else report_path.parent) / FILE_NAME


def load_item_scores(report_path: Path, report: Report) -> ItemScores | None:
    """The sidecar next to a report (None when there is none); it must belong to that report."""
    path = scores_path(report_path)
    if not path.is_file():
        return None
    try:
        scores = ItemScores.model_validate_json(gzip.decompress(path.read_bytes()), context=TOLERANT)
    except (OSError, EOFError):
        raise BadInput(path, "not a gzip file") from None
    except ValidationError as e:
        raise BadInput(path, f"not valid item scores: {first_error(e)}") from None
    for level in report.levels:
        got = scores.levels.get(level.name)
        if got is not None and got.sha256 != level.sha256:
            raise BadInput(path, f"level {level.name} has artifact {got.sha256[:12]} here but {level.sha256[:12]} "
                                 "in report.json: these scores belong to another run")
    return scores
