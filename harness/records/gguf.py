"""The verification record of a GGUF file, kept in the export stage's record and in report.json."""

from __future__ import annotations

from harness.records.common import Record


class GGUFRecord(Record):
    """A GGUF file as read back with gguf-py's GGUFReader right after it was written."""

    file: str
    sha256: str
    size_bytes: int
    architecture: str
    file_type: str  # a gguf.LlamaFileType name, e.g. MOSTLY_Q4_K_M
    file_type_id: int
    tensor_count: int
    n_params: int
    bits_per_weight: float  # tensor bytes * 8 / parameters
    tensor_types: dict[str, int] = {}  # ggml type -> tensors of that type (shows K-quant fallbacks)
    metadata: dict[str, str] = {}  # general.name, tokenizer model, context length, imatrix keys, ...
    converter: str = ""  # the tool that wrote the 16-bit GGUF
    quantizer: str = ""  # the llama.cpp that quantized it ("" for the converter's own output)
    imatrix: str = ""  # how its importance matrix was made ("" when none was used)

