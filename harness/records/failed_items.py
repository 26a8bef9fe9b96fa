"""items.jsonl: every item a level got wrong (prompt, expected, output), one JSON object a line, for the
site's failed-item explorer.

The file holds model output and is read by the site builder, possibly from a run folder someone else
made: a line that is not an item is BadInput naming the file and line, values that are not strings are
shown as JSON, and keys a newer harness added are ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import field_validator

from harness.errors import BadInput
from harness.files import read_jsonl, write_atomic
from harness.records.common import TOLERANT, Record

FILE_NAME = "items.jsonl"
REQUIRED = ("level", "task", "item_id", "output")


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


class FailedItem(Record):
    level: str
    task: str
    item_id: str
    output: str
    prompt: str | None = None  # None: the writer had no prompt for it (the page then shows none)
    expected: str | None = None

    @field_validator("level", "task", "item_id", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return str(value)

    @field_validator("output", "prompt", "expected", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return as_text(value)  # an explicit null shows as `null`; an absent key stays None


def write_failed_items(run_dir: Path, items: list[FailedItem]) -> Path:
    path = run_dir / FILE_NAME
    # Field order as before (level, task, item_id, prompt, expected, output): the file reads as it did.
    order = ("level", "task", "item_id", "prompt", "expected", "output")
    lines = [json.dumps({k: getattr(i, k) for k in order if getattr(i, k) is not None}, ensure_ascii=False)
             for i in items]
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def load_failed_items(path: Path) -> list[FailedItem]:
    """The items of a run folder's items.jsonl (absent: none)."""
    if not path.exists():
        return []
    items = []
    for n, row in read_jsonl(path):
        if not isinstance(row, dict) or any(k not in row for k in REQUIRED):
            raise BadInput(path, f"an item needs the keys {', '.join(REQUIRED)}", line=n)
        items.append(FailedItem.model_validate(row, context=TOLERANT))
    return items
