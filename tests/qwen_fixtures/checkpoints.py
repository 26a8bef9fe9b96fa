"""Tiny random-init checkpoints with the real Qwen3.5 and Qwen3 layouts, tokenizers and templates.

Qwen3.5-4B/9B are `Qwen3_5ForConditionalGeneration`: a text model (3 Gated DeltaNet layers, then one
full-attention layer), a vision tower, one MTP layer saved as `mtp.*` (transformers ignores those
weights on load), tied embeddings, EOS <|im_end|>, generation EOS [<|im_end|>, <|endoftext|>], no BOS.
The fixture keeps every one of those traits at hidden size 64; only the vocabulary is full size.
"""

from __future__ import annotations

import json
from pathlib import Path

from .tokenizer import FIRST_ADDED, VOCAB_SIZE, build_tokenizer
from .vendored import vendored_template

ENDOFTEXT, IM_START, IM_END = FIRST_ADDED, FIRST_ADDED + 1, FIRST_ADDED + 2
VISION_START, VISION_END, IMAGE_PAD, VIDEO_PAD = FIRST_ADDED + 9, FIRST_ADDED + 10, FIRST_ADDED + 12, FIRST_ADDED + 13
LAYER_TYPES = ["linear_attention"] * 3 + ["full_attention"]
# As the family's generation_config.json: two EOS ids, pad, sampling defaults; no BOS.
GENERATION = {"eos_token_id": [IM_END, ENDOFTEXT], "pad_token_id": ENDOFTEXT, "do_sample": True,
              "temperature": 0.6, "top_k": 20, "top_p": 0.95}


def _text_kwargs() -> dict:
    return dict(vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=128, num_attention_heads=2,
                num_key_value_heads=1, head_dim=32, tie_word_embeddings=True, eos_token_id=IM_END,
                pad_token_id=ENDOFTEXT, bos_token_id=None, max_position_embeddings=4096)


def build_qwen35(out: Path) -> None:
    """`Qwen3_5ForConditionalGeneration` with vision tower and MTP weights, Qwen3.5-4B template."""
    import torch
    from transformers import Qwen3_5Config, Qwen3_5ForConditionalGeneration, Qwen3_5TextConfig
    from transformers.models.qwen3_5.modeling_qwen3_5 import Qwen3_5DecoderLayer

    # 8 rotary dims of 32 (partial 0.25), split over time/height/width as the real [11, 11, 10] of 64.
    rope = {"rope_type": "default", "rope_theta": 10_000_000.0, "partial_rotary_factor": 0.25,
            "mrope_interleaved": True, "mrope_section": [2, 1, 1]}
    text = dict(_text_kwargs(), num_hidden_layers=len(LAYER_TYPES), layer_types=LAYER_TYPES,
                linear_num_key_heads=2, linear_num_value_heads=4, linear_key_head_dim=16, linear_value_head_dim=16,
                linear_conv_kernel_dim=4, rope_parameters=rope, attn_output_gate=True)
    vision = dict(depth=1, hidden_size=32, intermediate_size=64, num_heads=2, patch_size=16, spatial_merge_size=2,
                  temporal_patch_size=2, out_hidden_size=64, num_position_embeddings=64)
    config = Qwen3_5Config(text_config=text, vision_config=vision, image_token_id=IMAGE_PAD, video_token_id=VIDEO_PAD,
                           vision_start_token_id=VISION_START, vision_end_token_id=VISION_END, tie_word_embeddings=True)
    torch.manual_seed(0)
    model = Qwen3_5ForConditionalGeneration(config).to(torch.bfloat16)
    model.save_pretrained(out)
    # The MTP head as the real checkpoints store it: one full-attention decoder layer plus fc and norms.
    mtp_cfg = Qwen3_5TextConfig(**dict(text, num_hidden_layers=1, layer_types=["full_attention"]))
    layer = Qwen3_5DecoderLayer(mtp_cfg, 0)
    h = text["hidden_size"]
    mtp = {f"mtp.layers.0.{k}": v for k, v in layer.state_dict().items()}
    mtp["mtp.fc.weight"] = torch.randn(h, 2 * h) * 0.02
    for norm in ("pre_fc_norm_embedding", "pre_fc_norm_hidden", "norm"):
        mtp[f"mtp.{norm}.weight"] = torch.randn(h) * 0.02  # (1 + w) RMSNorms: near-zero weights
    _add_tensors(out / "model.safetensors", {k: v.to(torch.bfloat16).contiguous() for k, v in mtp.items()})
    _edit_json(out / "config.json", lambda c: c["text_config"].update(mtp_num_hidden_layers=1,
                                                                      mtp_use_dedicated_embeddings=False))
    (out / "generation_config.json").write_text(json.dumps(GENERATION, indent=2) + "\n")
    build_tokenizer("qwen35", out, vendored_template("Qwen3.5-4B.jinja"))


def build_qwen3(out: Path) -> None:
    """`Qwen3ForCausalLM` (2 layers, tied head), Qwen3-0.6B template."""
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    config = Qwen3Config(**dict(_text_kwargs(), bos_token_id=ENDOFTEXT, num_hidden_layers=2),
                         rope_parameters={"rope_type": "default", "rope_theta": 1_000_000.0})
    torch.manual_seed(0)
    Qwen3ForCausalLM(config).to(torch.bfloat16).save_pretrained(out)
    (out / "generation_config.json").write_text(json.dumps({**GENERATION, "bos_token_id": ENDOFTEXT}, indent=2) + "\n")
    build_tokenizer("qwen3", out, vendored_template("Qwen-Qwen3-0.6B.jinja"))


def _add_tensors(path: Path, extra: dict) -> None:
    from safetensors.torch import load_file, save_file

    tensors = load_file(path)
    clash = set(tensors) & set(extra)
    if clash:
        raise ValueError(f"{path}: already holds {sorted(clash)[:3]}")
    save_file({**tensors, **extra}, path, metadata={"format": "pt"})


def _edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data, indent=2) + "\n")
