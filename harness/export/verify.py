"""Every exported GGUF is read back with gguf-py's GGUFReader, and loaded and decoded by llama.cpp (the
engine that evaluates it), before the export counts as done.

The record (architecture, file type by its `gguf.LlamaFileType` name, tensor count and types, key
metadata, sha256, size, bits per weight, the tools that wrote it) goes into the stage record and
from there into report.json, next to the level it describes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gguf import LlamaFileType

from harness.errors import StageError
from harness.models.inspect import read_gguf_info
from harness.records.gguf import GGUFRecord


def file_type_name(value: int | None) -> str:
    try:
        return LlamaFileType(int(value)).name if value is not None else "missing"
    except ValueError:
        return f"unknown ({value})"


def verify_gguf(path: Path, expected: LlamaFileType, sha256: str, converter: str, quantizer: str = "",
                imatrix: str = "") -> GGUFRecord:
    """The record of `path`; a file that is not what was asked for fails the stage (StageError)."""
    info = read_gguf_info(path)  # a damaged file is BadInput naming it
    problems = []
    if info.file_type != int(expected):
        problems.append(f"file type is {file_type_name(info.file_type)}, {expected.name} was asked for")
    if not info.architecture:
        problems.append("no general.architecture")
    if info.tensor_count == 0 or info.n_params == 0:
        problems.append("no tensors")
    if "tokenizer.ggml.model" not in info.metadata:
        problems.append("no tokenizer (tokenizer.ggml.model)")
    if problems:
        raise StageError(f"{path}: exported GGUF failed verification: {'; '.join(problems)}")
    verify_loads(path)
    return GGUFRecord(
        file=path.name, sha256=sha256, size_bytes=path.stat().st_size, architecture=info.architecture,
        file_type=file_type_name(info.file_type), file_type_id=int(info.file_type), tensor_count=info.tensor_count,
        n_params=info.n_params, bits_per_weight=round(info.bits_per_weight, 4), tensor_types=info.tensor_types,
        metadata=info.metadata, converter=converter, quantizer=quantizer, imatrix=imatrix,
    )


def verify_loads(path: Path) -> None:
    """llama.cpp loads `path` and decodes a few tokens, in a child process: a file it refuses (or
    aborts on) fails the export with llama.cpp's reason, not the eval with a traceback."""
    proc = subprocess.run([sys.executable, "-m", "harness.runners.llama_load", str(path)], capture_output=True,
                          text=True, check=False)
    if proc.returncode == 0:
        return
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
    if proc.returncode == 2 and lines:  # the child's own one line: "<path>: llama.cpp cannot load ..."
        why = lines[-1].removeprefix(f"{path}: ")
    else:  # killed inside llama.cpp (GGML_ASSERT, a signal): its last words
        why = next((ln for ln in reversed(lines) if "GGML" in ln or "error" in ln.lower()), lines[-1] if lines else "")
        why = f"llama.cpp exited with status {proc.returncode}" + (f": {why}" if why else "")
    raise StageError(f"{path}: exported GGUF failed verification: {why}")
