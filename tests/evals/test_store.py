"""The per-item results store: keys, persistence and bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.evals.store import ResultStore
from harness.records.items import ItemResult

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


def test_a_future_migration_upgrades_in_place_and_keeps_rows(tmp_path: Path, monkeypatch) -> None:
    from harness.evals import store as store_mod

    path = tmp_path / "r.sqlite"
    with ResultStore(path) as s:
        s.put("sha", "1", SETTINGS, _items(5))

    def add_column(conn: sqlite3.Connection) -> None:  # what a schema v2 would append
        conn.execute("ALTER TABLE items ADD COLUMN seconds REAL")

    future = store_mod.SCHEMA_VERSION + 1
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, add_column])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", future)
    with ResultStore(path) as s:
        assert len(s.get("sha", TASK, "1", SETTINGS)) == 5
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT version FROM schema_version").fetchone()[0] == future
        assert "seconds" in [r[1] for r in c.execute("PRAGMA table_info(items)")]


def test_a_version_1_store_gains_the_engines_table_and_keeps_its_items(tmp_path: Path, monkeypatch) -> None:
    from harness.evals import store as store_mod
    from harness.records.engine import EngineInfo

    path = tmp_path / "r.sqlite"
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])  # a store written before engines
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 1)
    with ResultStore(path) as s:
        s.put("sha", "1", SETTINGS, _items(3))
    monkeypatch.undo()
    engine = EngineInfo(engine="llama.cpp", device="cpu", device_name="2 threads", batch_size=1)
    with ResultStore(path) as s:
        assert len(s.get("sha", TASK, "1", SETTINGS)) == 3 and s.engine("sha") is None
        s.put_engine("sha", engine)
    with ResultStore(path) as s:
        assert s.engine("sha") == engine and s.engine("other") is None


_WRITER = """
import sys, time
from harness.records.items import ItemResult
from harness.evals.store import ResultStore
s = ResultStore(sys.argv[1])
for b in range(10**6):
    s.put("sha", "1", "{}", [ItemResult(task="t", item_id=f"b{b}-{k}", output="x" * 500, scores={"ok": 1}) for k in range(8)])
    print(b, flush=True)
"""


def test_a_writer_killed_mid_batch_leaves_whole_batches(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "r.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    for _ in range(20):  # let it commit some batches, then kill it mid-write
        proc.stdout.readline()
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with ResultStore(path) as s:
        rows = s.get("sha", "t", "1", "{}")
    assert len(rows) >= 20 * 8 and len(rows) % 8 == 0  # every committed batch, and no half batch
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
