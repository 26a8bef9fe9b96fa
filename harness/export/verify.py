"""Every exported GGUF is read back with gguf-py's GGUFReader before the export counts as done.

The record (architecture, file type by its `gguf.LlamaFileType` name, tensor count and types, key
metadata, sha256, size, bits per weight, the tools that wrote it) goes into the stage record and
from there into report.json, next to the level it describes.
"""

from __future__ import annotations

from pathlib import Path

from gguf import LlamaFileType

from harness.errors import StageError
from harness.models.inspect import read_gguf_info
from harness.report.model import GGUFRecord


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
    return GGUFRecord(
        file=path.name, sha256=sha256, size_bytes=path.stat().st_size, architecture=info.architecture,
        file_type=file_type_name(info.file_type), file_type_id=int(info.file_type), tensor_count=info.tensor_count,
        n_params=info.n_params, bits_per_weight=round(info.bits_per_weight, 4), tensor_types=info.tensor_types,
        metadata=info.metadata, converter=converter, quantizer=quantizer, imatrix=imatrix,
    )
