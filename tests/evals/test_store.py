"""The per-item results store: keys, persistence and bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.evals.core import ItemResult
from harness.evals.store import ResultStore

SETTINGS = '{"max_new_tokens":160,"temperature":0}'
TASK = "fc/bfcl_simple"


def _items(n: int, output: str = "out") -> list[ItemResult]:
    return [ItemResult(task=TASK, item_id=f"i{k}", output=f"{output}{k}", scores={"json_valid": k % 2}) for k in range(n)]


def test_round_trip(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        store.put("sha1", "1", SETTINGS, _items(3))
        got = store.get("sha1", TASK, "1", SETTINGS)
    assert got == {r.item_id: r for r in _items(3)}


def test_rerun_returns_stored_items_and_replaces(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        store.put("sha1", "1", SETTINGS, _items(2))
        store.put("sha1", "1", SETTINGS, _items(4, output="new"))  # a resumed run rewrites and adds
        got = store.get("sha1", TASK, "1", SETTINGS)
    assert sorted(got) == ["i0", "i1", "i2", "i3"]
    assert got["i0"].output == "new0"


def test_settings_version_and_sha_are_separate(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        store.put("sha1", "1", SETTINGS, _items(2))
        assert store.get("sha1", TASK, "1", '{"max_new_tokens":80}') == {}
        assert store.get("sha1", TASK, "2", SETTINGS) == {}
        assert store.get("sha2", TASK, "1", SETTINGS) == {}
        assert store.get("sha1", "fc/other", "1", SETTINGS) == {}
        assert len(store.get("sha1", TASK, "1", SETTINGS)) == 2


def test_reopening_after_close_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "r.sqlite"
    store = ResultStore(path)
    store.put("sha1", "1", SETTINGS, _items(5))
    store.close()
    with ResultStore(path) as again:
        assert len(again.get("sha1", TASK, "1", SETTINGS)) == 5
    journal = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


def test_garbage_file_is_bad_input_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    path.write_bytes(b"this is not a database at all, just some text\n" * 100)
    with pytest.raises(BadInput, match="results.sqlite"):
        ResultStore(path)


def test_newer_schema_version_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    ResultStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(BadInput, match="newer"):
        ResultStore(path)
