"""What produced an output: installed package versions and digests of source code. Stage inputs key on
them (a new converter or a changed recipe is a changed input) and report.json records them."""

from __future__ import annotations

import hashlib
import importlib.util
from importlib import metadata
from pathlib import Path


def version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def code_digest(package: str) -> str:
    """Hash of a package's Python sources: a changed recipe is a changed input."""
    spec = importlib.util.find_spec(package)
    root = Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else None
    h = hashlib.sha256()
    for f in sorted(root.glob("*.py")) if root else []:
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()
