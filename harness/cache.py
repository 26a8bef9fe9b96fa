"""Stage outputs addressed by a hash of their inputs.

A stage writes into a partial folder; only when it finishes is the folder renamed to its final,
hash-named place with a `stage.json` record inside. A rerun with the same inputs finds the record and
does no work; a run killed half-way leaves only a partial folder, wiped on the next attempt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from harness.files import write_atomic
from harness.records.common import TOLERANT

RECORD = "stage.json"
Out = TypeVar("Out", bound=BaseModel)


class StageRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    stage: str
    key: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] = {}
    finished: str


def input_key(stage: str, version: int, inputs: dict[str, Any]) -> str:
    blob = json.dumps({"stage": stage, "version": version, "inputs": inputs}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class StageCache:
    def __init__(self, root: Path):
        self.root = root / "stages"
        self.partial_root = self.root / ".partial"

    def path(self, stage: str, key: str) -> Path:
        return self.root / f"{stage}-{key[:16]}"

    def lookup(self, stage: str, key: str) -> StageRecord | None:
        record = self.path(stage, key) / RECORD
        if not record.is_file():
            return None
        return StageRecord.model_validate_json(record.read_text())

    def run(
        self,
        stage: str,
        version: int,
        inputs: dict[str, Any],
        work: Callable[[Path], dict[str, Any]],
        usable: Callable[[dict[str, Any]], bool] | None = None,
    ) -> tuple[Path, StageRecord, bool]:
        """Run `work(partial_dir) -> outputs` unless a finished record exists (and its outputs are
        `usable`: an older harness may have recorded less). Returns (dir, record, cached)."""
        key = input_key(stage, version, inputs)
        final = self.path(stage, key)
        found = self.lookup(stage, key)
        if found is not None and (usable is None or usable(found.outputs)):
            return final, found, True
        partial = self.partial_root / final.name
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
        outputs = work(partial)
        record = StageRecord(
            stage=stage, key=key, inputs=inputs, outputs=outputs,
            finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        write_atomic(partial / RECORD, record.model_dump_json(indent=2))
        if final.exists():  # a stale folder without a record: an older crash
            shutil.rmtree(final)
        os.replace(partial, final)
        return final, record, False


@dataclass(frozen=True)
class Stage(Generic[Out]):
    """A finished stage: its name, folder, key, inputs and typed outputs."""

    name: str
    path: Path
    key: str
    inputs: dict[str, Any]
    outputs: Out


def run_stage(cache: StageCache, name: str, version: int, inputs: dict[str, Any], work: Callable[[Path], Out],
              out: type[Out], detail: str = "") -> Stage[Out]:
    """cache.run with typed outputs (each stage declares its model), announced on the progress display.
    Outputs are read tolerantly (fields a newer harness added are ignored); a record missing a field
    the model needs is from an older harness, and the stage runs again."""
    from harness import progress

    def announced(partial: Path) -> dict[str, Any]:
        with progress.stage(name, detail):
            return out.model_validate(work(partial)).model_dump(mode="json")

    def usable(outputs: dict[str, Any]) -> bool:
        try:
            out.model_validate(outputs, context=TOLERANT)
        except ValidationError:
            return False
        return True

    path, record, was_cached = cache.run(name, version, inputs, announced, usable)
    if was_cached:
        progress.cached(name, path.name)
    return Stage(record.stage, path, record.key, record.inputs, out.model_validate(record.outputs, context=TOLERANT))


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_tree(folder: Path) -> str:
    """Hash of every file's relative path and content, for HF folders."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != RECORD:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(sha256_file(p).encode())
    return h.hexdigest()
