"""Files written whole or not at all: a crash or a full disk never leaves half a report behind."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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
