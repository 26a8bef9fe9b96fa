"""The per-item results store: one SQLite file, so an eval killed half-way resumes where it stopped
and a rerun with nothing changed reads its answers instead of generating them again.

Rows are keyed by (artifact_sha, task, task_version, settings_hash, item_id): a new artifact, a new
version of a task or different generation settings never reuse stale outputs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from harness.errors import BadInput
from harness.records.common import TOLERANT
from harness.records.engine import EngineInfo
from harness.records.items import ItemResult


def _create_v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE items (
            artifact_sha TEXT NOT NULL, task TEXT NOT NULL, task_version TEXT NOT NULL,
            settings_hash TEXT NOT NULL, item_id TEXT NOT NULL,
            output TEXT NOT NULL, scores TEXT NOT NULL,
            PRIMARY KEY (artifact_sha, task, task_version, settings_hash, item_id)
        ) WITHOUT ROWID"""
    )


def _add_engines_v2(conn: sqlite3.Connection) -> None:
    # What last computed items of an artifact (EngineInfo JSON), for report.json: a rerun that reads
    # every item from the store still says what produced them.
    conn.execute("CREATE TABLE engines (artifact_sha TEXT PRIMARY KEY, engine TEXT NOT NULL) WITHOUT ROWID")


# MIGRATIONS[v] upgrades a store at schema version v to v + 1; version 0 is an empty file.
# A future schema change appends one function here and nothing else.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_create_v1, _add_engines_v2]
SCHEMA_VERSION = len(MIGRATIONS)


def settings_hash(settings: str) -> str:
    """sha256 of the caller's canonical JSON of generation settings: a fixed-size key."""
    return hashlib.sha256(settings.encode("utf-8")).hexdigest()


class ResultStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we open transactions ourselves, one per batch of items.
            # timeout: parallel evals of several levels may write the same file.
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as e:
            raise BadInput(self.path, f"cannot open results store: {e}") from None
        try:
            # WAL lets readers (report building) run while an eval is writing.
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed batch survives power loss too, not only a killed process.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            self._conn.close()
            raise BadInput(self.path, f"not a SQLite results store ({e})") from None
        except BadInput:
            self._conn.close()
            raise

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _read_version(self) -> int:
        tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "schema_version" not in tables:
            if tables:
                raise BadInput(self.path, "a SQLite file, but not a results store (no schema_version table)")
            return 0
        row = self._conn.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        with self._transaction() as conn:
            version = self._read_version()
            if version > SCHEMA_VERSION:
                raise BadInput(
                    self.path,
                    f"results store schema_version {version} is newer than this harness knows "
                    f"({SCHEMA_VERSION}); upgrade the harness",
                )
            if version == SCHEMA_VERSION:
                return
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for step in MIGRATIONS[version:]:
                step(conn)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    def get(self, artifact_sha: str, task: str, task_version: str, settings: str) -> dict[str, ItemResult]:
        """Stored results of one task on one artifact under one settings string, by item id."""
        rows = self._conn.execute(
            "SELECT item_id, output, scores FROM items WHERE artifact_sha=? AND task=? "
            "AND task_version=? AND settings_hash=?",
            (artifact_sha, task, task_version, settings_hash(settings)),
        )
        return {
            item_id: ItemResult(task=task, item_id=item_id, output=output, scores=json.loads(scores))
            for item_id, output, scores in rows
        }

    def rows(self, artifact_sha: str) -> list[tuple[str, str, str, str, str, str]]:
        """Every stored item of one artifact as (task, task_version, settings_hash, item_id, output, scores
        JSON): what a spread evaluation's worker is given, so that it reads the store without opening it."""
        return list(self._conn.execute(
            "SELECT task, task_version, settings_hash, item_id, output, scores FROM items WHERE artifact_sha=?",
            (artifact_sha,)))

    def put(self, artifact_sha: str, task_version: str, settings: str, results: Iterable[ItemResult]) -> None:
        """Insert or replace a batch in one committed transaction (all or nothing on a crash)."""
        key = settings_hash(settings)
        rows = [
            (artifact_sha, r.task, task_version, key, r.item_id, r.output, json.dumps(r.scores, sort_keys=True))
            for r in results
        ]
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def put_engine(self, artifact_sha: str, engine: EngineInfo) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO engines VALUES (?, ?)", (artifact_sha, engine.model_dump_json()))

    def engine(self, artifact_sha: str) -> EngineInfo | None:
        """What last computed items of this artifact (None: nothing recorded, e.g. a store from before)."""
        row = self._conn.execute("SELECT engine FROM engines WHERE artifact_sha=?", (artifact_sha,)).fetchone()
        return EngineInfo.model_validate_json(row[0], context=TOLERANT) if row else None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
