"""The known-errors table (harness/errors.py): third-party and OS exceptions the harness states in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput, StageError, known_error

ROOT = Path(__file__).resolve().parents[1]


def test_a_path_that_cannot_be_written_names_it(tmp_path):
    with pytest.raises(OSError) as caught:
        open(tmp_path, "w")  # a folder: EISDIR
    err = known_error(caught.value)
    assert isinstance(err, BadInput) and err.exit_code == 2 and err.where == str(tmp_path)


def test_a_full_disk_without_a_file_name_names_the_out_folder():
    err = known_error(OSError(28, "No space left on device"), "runs")
    assert str(err).startswith("runs: disk full (No space left on device)") and "rerun" in str(err)


def test_unknown_errors_are_bugs_and_keep_their_traceback():
    assert known_error(ValueError("a bug")) is None
    assert known_error(RuntimeError("something else")) is None
    assert known_error(OSError(5, "Input/output error")) is None  # EIO: not the user's input


def test_gpu_out_of_memory_outside_training_names_the_way_out():
    import torch

    err = known_error(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total "
                                             "capacity of 44 GiB"))
    assert isinstance(err, StageError) and "Tried to allocate" not in str(err).split("(")[0]
    assert "HARNESS_DEVICE=cpu" in str(err) and "\n" not in str(err)


@pytest.mark.parametrize("lib", ["empty", "not a library"])
def test_llama_cpp_lib_path_without_a_usable_libllama_is_one_line(tmp_path, lib):
    """LLAMA_CPP_LIB_PATH (a user's own llama.cpp build) pointing at the wrong folder: exit 2, one line."""
    sys.path.insert(0, str(ROOT / "tests"))
    from gguf_files import write_tiny_llama_gguf

    gguf = write_tiny_llama_gguf(tmp_path / "tiny.gguf", 2)
    folder = tmp_path / "build"
    folder.mkdir()
    if lib != "empty":
        (folder / "libllama.so").write_text("not an ELF file\n")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "eval", str(gguf), "--task", "fr/mc", "--limit", "1",
                           "--out", str(tmp_path / "ev")], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LLAMA_CPP_LIB_PATH": str(folder)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    line = proc.stderr.strip().splitlines()[-1]  # after the progress display's stage line
    assert sum(ln.startswith("harness: error:") for ln in proc.stderr.splitlines()) == 1
    assert line.startswith(f"harness: error: $LLAMA_CPP_LIB_PATH: llama.cpp's library cannot be loaded from {folder}")
    assert "point LLAMA_CPP_LIB_PATH at the folder holding your build's libllama.so" in line
