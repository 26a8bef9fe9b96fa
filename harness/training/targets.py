"""LoRA targets resolved from the model's own module names, by architecture.

`target_modules: auto` adapts every linear layer of the text decoder's blocks: attention and MLP
projections, and, on hybrid models such as Qwen3.5, the Gated DeltaNet (linear-attention)
projections `in_proj_qkv`, `in_proj_z`, `in_proj_b`, `in_proj_a` and `out_proj`, which a fixed
list of attention/MLP names silently leaves frozen (3 of every 4 Qwen3.5 layers). A profile may
still name its own targets; each must exist in the model. Never adapted: the vision tower and the
multi-token-prediction (MTP) head, which the GGUF export drops, and MoE routers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from harness.errors import BadInput, StageError
from harness.training.lm_head import HEAD_NAMES

# A decoder block's linear layer: `...layers.N.<anything>.<name>`.
_BLOCK = re.compile(r"(^|\.)layers\.\d+\.")
# Parts never adapted: the exported text model has none of them.
_EXCLUDED = re.compile(r"(^|\.)(visual|vision_tower|vision_model|vision|mtp)(\.|$)")
# MoE routers: adapting them changes which experts fire, not what they compute.
_ROUTERS = {"gate", "router", "shared_expert_gate"}
# The names `auto` resolves to on the architectures we know (for the docs and the tests).
ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
LINEAR_ATTENTION = ("in_proj_qkv", "in_proj_z", "in_proj_b", "in_proj_a", "out_proj")


@dataclass(frozen=True)
class TargetPlan:
    names: list[str]  # leaf names handed to PEFT/Unsloth as target_modules
    exclude: str | None  # PEFT exclude_modules regex, when a leaf name also occurs outside the decoder
    description: str


def _linear_modules(model) -> dict[str, str]:
    """full module name -> leaf name, for every linear layer (bitsandbytes' 4-bit layers subclass Linear)."""
    import torch

    return {n: n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


def _in_decoder(full: str) -> bool:
    return bool(_BLOCK.search(full)) and not _EXCLUDED.search(full)


def resolve_targets(model, requested: list[str] | str) -> TargetPlan:
    """The LoRA target names for `model`: `auto`, or the profile's own list checked against the model.
    lm_head / embed_tokens pass through untouched: harness/training/lm_head.py routes them."""
    linear = _linear_modules(model)
    in_decoder = {leaf for full, leaf in linear.items() if _in_decoder(full)} - _ROUTERS
    if requested == "auto":
        names = sorted(in_decoder)
        if not names:
            raise StageError(f"{type(model).__name__}: no linear layer in its decoder blocks to adapt")
        how = "auto (every linear layer of the decoder blocks)"
    else:
        leaves = set(linear.values())
        unknown = [n for n in requested if n not in HEAD_NAMES and n not in leaves]
        if unknown:
            raise BadInput("profile", f"train.lora.target_modules: {', '.join(unknown)} not in "
                           f"{type(model).__name__} (its decoder's linear layers: {', '.join(sorted(in_decoder))})")
        names = [n for n in requested if n not in HEAD_NAMES]
        how = "as the profile names them"
    heads = [] if requested == "auto" else [n for n in requested if n in HEAD_NAMES]
    outside = {leaf for full, leaf in linear.items() if not _in_decoder(full) and leaf in names}
    exclude = rf".*{_EXCLUDED.pattern}.*" if outside else None  # PEFT full-matches it on module names
    return TargetPlan([*names, *heads], exclude, how)


def adapted_modules(peft_model) -> Counter:
    """leaf name -> count of the modules that really carry a LoRA adapter after get_peft_model;
    an adapter on the vision tower or MTP is a bug caught here, before any step runs."""
    found = [n for n, m in peft_model.named_modules() if hasattr(m, "lora_A")]  # PEFT's LoraLayer wrappers
    stray = [n for n in found if _EXCLUDED.search(n)]
    if stray:
        raise StageError(f"LoRA adapters landed outside the text decoder: {', '.join(stray[:3])}")
    return Counter(n.rsplit(".", 1)[-1] for n in found)
