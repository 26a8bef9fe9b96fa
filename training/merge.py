"""Merge a LoRA adapter into its base and save a 16-bit HF folder, carrying over what must not drift:
the chat template, the tokenizer and its special tokens, and the generation config."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.errors import CheckFailed

CARRIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
           "chat_template.jinja", "generation_config.json")


def merge(base_dir: Path, adapter_dir: Path, out: Path, dtype: str = "bfloat16") -> dict:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, adapter_dir)
    trained_head = model.get_output_embeddings().weight.detach().clone()
    merged = model.merge_and_unload()
    merged_head = merged.get_output_embeddings().weight.detach()
    if not torch.equal(trained_head, merged_head):
        raise CheckFailed(f"{out}: merged lm_head differs from the trained head (max abs diff "
                          f"{(trained_head - merged_head).abs().max().item():.3g})")
    merged.to(getattr(torch, dtype)).save_pretrained(out, safe_serialization=True)
    # The base's own files, byte for byte: the adapter's tokenizer copy may have been re-serialised.
    for name in CARRIED:
        if (base_dir / name).exists():
            shutil.copy2(base_dir / name, out / name)
    return {"dtype": dtype, "tied": bool(merged.config.tie_word_embeddings)}
