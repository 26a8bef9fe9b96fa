"""item_scores.json: every level's per-item scores, written next to report.json.

It lets a later release pair its items with this one's (paired bootstrap, McNemar) instead of only
comparing intervals: `--baseline` on a run folder (or a report.json with this file beside it).
report.json stays small; this file holds one list of ids per task and one value per item and metric.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from harness.errors import BadInput
from harness.evals.core import ItemResult

FILE = "item_scores.json"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskItems(_Record):
    version: str  # the task's full version: items pair only between equal versions
    ids: list[str]
    scores: dict[str, list[float | None]]  # metric -> one value per id (None: not scored on that item)

    @model_validator(mode="after")
    def _aligned(self) -> TaskItems:
        bad = [m for m, v in self.scores.items() if len(v) != len(self.ids)]
        if bad:
            raise ValueError(f"metric {bad[0]} has {len(self.scores[bad[0]])} values for {len(self.ids)} ids")
        return self


class LevelItems(_Record):
    name: str
    sha256: str
    tasks: dict[str, TaskItems]

    def results(self, tasks: set[str] | None = None) -> dict[str, list[ItemResult]]:
        """The per-item results of some tasks (all by default), as the aggregation reads them."""
        out = {}
        for name, t in self.tasks.items():
            if tasks is None or name in tasks:
                out[name] = [ItemResult(name, item_id, "", {m: v[i] for m, v in t.scores.items() if v[i] is not None})
                             for i, item_id in enumerate(t.ids)]
        return out


class ItemScores(_Record):
    schema_version: Literal[1] = 1
    release: str
    levels: list[LevelItems]

    def level(self, name: str) -> LevelItems | None:
        return next((lv for lv in self.levels if lv.name == name), None)


def build(release: str, levels: list[tuple[str, str]], results: dict[str, dict[str, list[ItemResult]]],
          versions: dict[str, str]) -> ItemScores:
    """levels: (name, sha256) in report order; results: level -> task -> items; versions: task -> version."""
    out = []
    for name, sha in levels:
        tasks = {}
        for task, items in results[name].items():
            metrics = sorted({m for it in items for m in it.scores})
            tasks[task] = TaskItems(version=versions.get(task, ""), ids=[it.item_id for it in items],
                                    scores={m: [it.scores.get(m) for it in items] for m in metrics})
        out.append(LevelItems(name=name, sha256=sha, tasks=tasks))
    return ItemScores(release=release, levels=out)


def path_for(report_path: Path) -> Path:
    """The item file beside a report.json, or inside a run folder."""
    return (report_path if report_path.is_dir() else report_path.parent) / FILE


def load(report_path: Path, shas: dict[str, str] | None = None) -> ItemScores | None:
    """The item scores beside a report (None when it has none). `shas` (level -> sha256, from that
    report) must agree: a file left over from another run would pair the wrong items."""
    path = path_for(report_path)
    if not path.is_file():
        return None
    try:
        items = ItemScores.model_validate_json(path.read_bytes())
    except ValidationError as e:
        err = e.errors()[0]
        raise BadInput(path, f"not valid item scores: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    for lv in items.levels:
        expected = (shas or {}).get(lv.name)
        if expected is not None and expected != lv.sha256:
            raise BadInput(path, f"level {lv.name} has sha256 {lv.sha256[:12]}... here but {expected[:12]}... in "
                                 "its report.json: this file belongs to another run")
    return items
