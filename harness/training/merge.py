"""Merge a LoRA adapter into its base and save a 16-bit HF folder, carrying over what must not drift:
the chat template, the tokenizer and its special tokens, and the generation config."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.errors import CheckFailed

CARRIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
           "chat_template.jinja", "generation_config.json")


def merge_or_save(base_dir: Path, train_dir: Path, out: Path, dtype: str = "bfloat16") -> dict:
    """The train stage's output as a 16-bit HF folder: a LoRA adapter merged into its base, or a fully
    fine-tuned model saved as is."""
    if (train_dir / "full").is_dir():
        return save_full(base_dir, train_dir / "full", out, dtype)
    return merge(base_dir, train_dir / "adapter", out, dtype)


def save_full(base_dir: Path, model_dir: Path, out: Path, dtype: str = "bfloat16") -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, use_safetensors=True)
    model.to(getattr(torch, dtype)).save_pretrained(out, safe_serialization=True)
    _carry(base_dir, out)
    return {"dtype": dtype, "tied": bool(model.config.tie_word_embeddings), "method": "full"}


def _carry(base_dir: Path, out: Path) -> None:
    """The base's own files, byte for byte: a trainer's tokenizer copy may have been re-serialised."""
    for name in CARRIED:
        if (base_dir / name).exists():
            shutil.copy2(base_dir / name, out / name)


def merge(base_dir: Path, adapter_dir: Path, out: Path, dtype: str = "bfloat16") -> dict:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32, use_safetensors=True)
    model = PeftModel.from_pretrained(base, adapter_dir)
    trained_head = model.get_output_embeddings().weight.detach().clone()
    merged = model.merge_and_unload()
    merged_head = merged.get_output_embeddings().weight.detach()
    if not torch.equal(trained_head, merged_head):
        raise CheckFailed(f"{out}: merged lm_head differs from the trained head (max abs diff "
                          f"{(trained_head - merged_head).abs().max().item():.3g})")
    merged.to(getattr(torch, dtype)).save_pretrained(out, safe_serialization=True)
    _carry(base_dir, out)
    return {"dtype": dtype, "tied": bool(merged.config.tie_word_embeddings)}
