"""Run folders for the site tests: a report (its release and date changed) and optional failed items."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest


def _make_run(folder: Path, source: Path, release: str, created: str, items: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True)
    report = json.loads(source.read_text())
    report.update(release=release, created=created)
    (folder / "report.json").write_text(json.dumps(report))
    if items is not None:
        (folder / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    return folder


@pytest.fixture(scope="session")
def make_run() -> Callable[..., Path]:
    """make_run(folder, source_report, release, created, items=None) -> folder."""
    return _make_run
