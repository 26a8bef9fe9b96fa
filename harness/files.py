"""Files written whole or not at all (a crash or a full disk never leaves half a report behind), and
JSONL read line by line (a bad line is BadInput naming the file and the line)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from harness.errors import BadInput


def _write_atomic(path: Path, data: str | bytes) -> None:
    # A name of its own per writer: two processes writing one file (two `gate --update-report`)
    # must not share, and rename away, each other's temp file. The last complete write wins.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, data)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise BadInput(path, f"cannot read: {e.strerror}") from None


def read_jsonl(path: Path, raw: bytes | None = None) -> list[tuple[int, Any]]:
    """(line number, value) of each non-blank line of a JSONL file; `raw`: its bytes, when the caller
    read them already (to hash them). What each value must be is the caller's to check."""
    try:
        text = (read_bytes(path) if raw is None else raw).decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    rows = []
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines: U+2028 is valid inside a JSON string
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            raise BadInput(path, f"invalid JSON: {e.msg}", n) from None
        except RecursionError:
            raise BadInput(path, "JSON nested too deeply", n) from None
    return rows
