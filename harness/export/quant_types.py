"""Quant type names validated against gguf-py's upstream table, never free-form strings."""

from __future__ import annotations

from gguf import LlamaFileType

from harness.errors import BadInput

# Types llama.cpp refuses to quantize to without an importance matrix.
_NEEDS_IMATRIX = {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S"}


def parse_quant_type(name: str, imatrix: bool = False) -> LlamaFileType:
    """'Q4_K_M' or 'q4_k_m' -> LlamaFileType.MOSTLY_Q4_K_M; unknown names are BadInput."""
    key = name.strip().upper().removeprefix("MOSTLY_")
    member = LlamaFileType.__members__.get(f"MOSTLY_{key}") or LlamaFileType.__members__.get(key)
    if member is None or key in {"GUESSED"}:
        known = ", ".join(sorted(m.removeprefix("MOSTLY_") for m in LlamaFileType.__members__ if m.startswith("MOSTLY_")))
        raise BadInput(None, f"unknown quant type {name!r} (known: {known})")
    if key in _NEEDS_IMATRIX and not imatrix:
        raise BadInput(None, f"quant type {name!r} needs an importance matrix: set export.imatrix: true")
    return member


def level_name(ftype: LlamaFileType) -> str:
    """The report's level name for a GGUF file type: MOSTLY_Q4_K_M -> 'q4_k_m'."""
    return ftype.name.removeprefix("MOSTLY_").lower()
