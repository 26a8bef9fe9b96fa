"""Which parts of a multimodal checkpoint the text model leaves out, read from safetensors headers.

Qwen3.5 checkpoints are `Qwen3_5ForConditionalGeneration`: a text model, a vision tower and a
multi-token-prediction (MTP) head. The release is a text model (the GGUF ladder, the evals), so the base
stage keeps the text model only, on purpose, and says what it left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.records.base import DroppedPart

# prefix -> (part, why it is left out); a prefix matches the start of a tensor name.
PARTS = {
    "model.visual.": ("vision tower", "the release is a text model: llama.cpp runs a vision tower from a separate "
                      "mmproj GGUF, which this harness neither exports nor evaluates"),
    "visual.": ("vision tower", "the release is a text model (no mmproj GGUF is exported or evaluated)"),
    "mtp.": ("MTP head", "multi-token prediction serves only speculative decoding; transformers does not load it, "
             "so training cannot update it and the merged model could not carry it; the GGUFs are converted "
             "with --no-mtp"),
    "model.mtp.": ("MTP head", "multi-token prediction serves only speculative decoding and is not trained; "
                   "the GGUFs are converted with --no-mtp"),
}


def tensor_shapes(folder: Path) -> dict[str, list[int]]:
    """Every tensor name and shape in a folder's safetensors files, from their headers alone."""
    shapes: dict[str, list[int]] = {}
    for path in sorted(Path(folder).glob("*.safetensors")):
        with open(path, "rb") as f:
            header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
        shapes.update({k: v["shape"] for k, v in header.items() if k != "__metadata__"})
    return shapes


def split_parts(shapes: dict[str, list[int]]) -> tuple[list[DroppedPart], dict[str, list[int]]]:
    """(the parts a text model leaves out, the remaining tensors)."""
    dropped: dict[str, list[tuple[str, list[int]]]] = {}
    kept = {}
    for name, shape in shapes.items():
        prefix = next((p for p in PARTS if name.startswith(p)), None)
        if prefix is None:
            kept[name] = shape
        else:
            dropped.setdefault(prefix, []).append((name, shape))
    parts = []
    for prefix, tensors in dropped.items():
        params = sum(_count(shape) for _, shape in tensors)
        part, why = PARTS[prefix]
        parts.append(DroppedPart(name=part, prefix=prefix, tensors=len(tensors), params=params, reason=why))
    return parts, kept


def _count(shape: list[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
