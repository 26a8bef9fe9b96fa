"""Official chat templates by name (temporary: replaced by the vendored-template fixture of h/fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def vendored(name: str) -> str:
    path = Path(os.environ.get("HARNESS_TEMPLATES", "/tmp/thinking-templates")) / f"{name}.jinja"
    if not path.is_file():
        pytest.skip(f"template {name} not available")
    return path.read_text(encoding="utf-8")
