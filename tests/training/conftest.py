"""Tiny random-init models of the architectures the recipe adapts: Qwen3.5 (hybrid Gated DeltaNet +
full attention, with and without the vision tower and an MTP block) and a plain Llama-style model.
Built from configs on CPU in a second; no hub download."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# 3 linear-attention layers then 1 full-attention layer, as in Qwen3.5-4B/9B (32 layers there).
QWEN35_TEXT = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=4, num_attention_heads=2,
                   num_key_value_heads=1, head_dim=32, linear_num_key_heads=2, linear_num_value_heads=4,
                   linear_key_head_dim=16, linear_value_head_dim=16, linear_conv_kernel_dim=4,
                   tie_word_embeddings=True)
VISION = dict(depth=1, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=4,
              temporal_patch_size=1, spatial_merge_size=2)


def qwen35_multimodal(vocab: int = 512, mtp: bool = True):
    """Qwen3_5ForConditionalGeneration with its vision tower, plus an `mtp` block laid out as the
    checkpoints store it (transformers itself drops MTP weights): the names LoRA must never touch."""
    import torch
    from transformers import Qwen3_5Config, Qwen3_5ForConditionalGeneration
    from transformers.models.qwen3_5.modeling_qwen3_5 import Qwen3_5DecoderLayer

    torch.manual_seed(0)
    cfg = Qwen3_5Config(text_config={**QWEN35_TEXT, "vocab_size": vocab}, vision_config=VISION, tie_word_embeddings=True)
    model = Qwen3_5ForConditionalGeneration(cfg)
    if mtp:
        model.mtp = torch.nn.Module()
        model.mtp.layers = torch.nn.ModuleList([Qwen3_5DecoderLayer(cfg.text_config, layer_idx=3)])
        model.mtp.fc = torch.nn.Linear(128, 64, bias=False)
    return model


def qwen35_text(vocab: int = 512):
    import torch
    from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig

    torch.manual_seed(0)
    return Qwen3_5ForCausalLM(Qwen3_5TextConfig(**QWEN35_TEXT, vocab_size=vocab))


def llama_text(vocab: int = 512):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                        num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=True))


def save_with_tokenizer(model, tokenizer_dir: Path, out: Path) -> Path:
    """A base folder as the base stage writes one: safetensors, config, and the tokenizer and chat
    template of `tokenizer_dir` (the embedded model's: a real BPE tokenizer and template)."""
    from transformers import GenerationConfig

    model.save_pretrained(out, safe_serialization=True)
    for f in tokenizer_dir.iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
            shutil.copy2(f, out / f.name)
    GenerationConfig(eos_token_id=model.config.eos_token_id).save_pretrained(out)
    return out


@pytest.fixture
def qwen35_base(tmp_path: Path, embedded_hf_dir: Path) -> Path:
    """A tiny Qwen3.5 text model with the embedded model's tokenizer (vocab 49152)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_hf_dir)
    model = qwen35_text(vocab=len(tok))
    model.config.eos_token_id = tok.eos_token_id
    return save_with_tokenizer(model, embedded_hf_dir, tmp_path / "qwen35")
