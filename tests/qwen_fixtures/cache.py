"""A folder built once and reused by every later test session, keyed by a hash of its recipe.

A build goes to a scratch folder renamed into place, so two concurrent test runs (or helpers sharing the
machine) never see a half-written model; a changed recipe gets a new key, never a stale folder.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE = Path(os.environ.get("HARNESS_TEST_CACHE") or Path(tempfile.gettempdir()) / "harness-test-cache")


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def build_once(target: Path, build: Callable[[Path], None]) -> Path:
    """`target` (a folder), built by `build(scratch)` unless a previous session left it complete."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        build(scratch)
        try:
            scratch.rename(target)
        except OSError:
            if not target.is_dir():  # not a lost race with another session: a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
