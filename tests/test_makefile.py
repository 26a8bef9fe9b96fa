"""`make install-cuda`: the command it runs, read from `make -n` (the build itself needs nvcc and a GPU)."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
VERSION = importlib.metadata.version("llama-cpp-python")


def dry_run(venv: Path, *args: str) -> list[str]:
    """The shell lines `make install-cuda` would run with VENV=venv, continuation lines joined."""
    proc = subprocess.run(["make", "-n", "install-cuda", f"VENV={venv}", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.replace("\\\n", " ").splitlines()


def _pip_line(lines: list[str]) -> list[str]:
    (line,) = [ln for ln in lines if "CMAKE_ARGS=" in ln]
    return line.split()


def test_rebuilds_the_installed_version_from_the_kept_sdist_with_cuda():
    sdist = Path(sys.prefix) / "share" / "llama-cpp-python" / f"llama_cpp_python-{VERSION}.tar.gz"
    if not sdist.is_file():
        pytest.skip(f"{sdist} not kept (make install keeps it)")
    lines = dry_run(Path(sys.prefix))
    assert _pip_line(lines) == ['CMAKE_ARGS="-DGGML_CUDA=on"', f"{sys.prefix}/bin/python", "-m", "pip", "install",
                                "--no-deps", "--force-reinstall", "--no-cache-dir", "--no-binary", "llama-cpp-python",
                                str(sdist)]
    # then it checks that the new build offloads, and shows what each level will use
    after = lines[lines.index(next(ln for ln in lines if "CMAKE_ARGS=" in ln)) + 1:]
    assert "llama_supports_gpu_offload()" in after[0] and after[1] == f"{sys.prefix}/bin/harness doctor"


def test_without_the_sdist_the_same_version_from_the_registry(tmp_path):
    """A venv whose sdist was not kept: the same version by name, and CMake flags of one's own GPU."""
    (tmp_path / "bin").mkdir()
    python = tmp_path / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # this interpreter, so this version
    python.chmod(0o755)
    (tmp_path / ".installed").touch()
    pip = _pip_line(dry_run(tmp_path, "CUDA_CMAKE_ARGS=-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=89"))
    assert pip[:2] == ['CMAKE_ARGS="-DGGML_CUDA=on', '-DCMAKE_CUDA_ARCHITECTURES=89"']
    assert pip[-1] == f"llama-cpp-python=={VERSION}" and "--no-cache-dir" in pip
