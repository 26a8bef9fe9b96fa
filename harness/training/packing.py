"""Padding-free batching: a micro-batch's examples concatenated into one row, no pad tokens.

Each example keeps its own position ids (they restart at 0), so attention stays within an example
(flash-attention's varlen path, or transformers' block-diagonal mask built from the position ids),
and the trainer masks the label at every restart, so no example is trained to predict the next
one's first token. The batch is the same examples either way: same steps, same loss mask
(tests/training/test_packing.py compares the trained token sets on the real mixture).

Where it cannot work it stays off, and the manifest says why:
- Hybrid linear-attention models (Qwen3.5's Gated DeltaNet) carry a recurrent and a causal-conv
  state along the row, so one example would leak into the next, unless the kernels take sequence
  boundaries (fla's `cu_seqlens`, causal-conv1d's `seq_idx`). On TRL + PEFT it stays off there;
  Unsloth turns it on only when its varlen shim finds those kernels and its exactness probe
  passes, and we record what Unsloth decided, read back from the trainer.
- With `max_seq_len` enforcing nothing: over-long examples were already dropped by the recipe,
  so TRL's `max_length` is left unset on the padding-free path (TRL refuses it there).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

PADDED = "padded, batches grouped by length"
PADDING_FREE = "padding-free (examples concatenated, position ids restart per example)"


class Packing(BaseModel):
    """What the manifest records: asked for by the profile, and what really ran."""

    model_config = ConfigDict(extra="forbid")
    requested: bool
    active: bool
    batching: str
    reason: str = ""  # why it is off when requested, or who decided


def is_hybrid(config) -> bool:
    """A model with linear-attention / recurrent layers (Qwen3.5, Qwen3-Next): state runs along the row."""
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    layer_types = getattr(text, "layer_types", None) or []
    return any("linear" in str(t) or "mamba" in str(t) for t in layer_types)


def plan(requested: bool, backend: str, config) -> tuple[bool, str]:
    """(ask the trainer for padding-free, the reason when not). Unsloth gets the request on hybrid
    models too: its own gate refuses unless the varlen kernels are there, and `outcome` reads it back."""
    if not requested:
        return False, "off in the profile (train.packing: false)"
    if backend == "trl" and is_hybrid(config):
        return False, ("linear-attention layers would carry state across concatenated examples "
                       "(no varlen kernels on the TRL + PEFT path)")
    return True, ""


def outcome(requested: bool, asked: bool, reason: str, trainer_args, backend: str, hybrid: bool,
            evidence: str = "") -> Packing:
    """The record of what ran: the trainer's args after construction (Unsloth may have turned it off)."""
    active = bool(getattr(trainer_args, "padding_free", False))
    if asked and not active:
        reason = f"{backend} turned it off" + (" (linear-attention layers: no varlen kernels, or Unsloth's "
                                               "exactness probe failed; see the log)" if hybrid else "")
    elif active and hybrid:
        reason = "sequence boundaries passed to the linear-attention kernels (Unsloth's varlen path)" + (
            f"; {evidence}" if evidence else "")
    return Packing(requested=requested, active=active, batching=PADDING_FREE if active else PADDED, reason=reason)
