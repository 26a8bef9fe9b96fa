"""harness/runners/hf_attention.py: the GPU's decode attention equals transformers' SDPA path (which repeats
the KV heads) on padded batches, and greedy generation through it is the same, token for token."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from harness.runners import hf_attention


class _Attn(torch.nn.Module):
    num_key_value_groups = 4
    is_causal = True


def _inputs(q_len: int, mask_kind: str):
    torch.manual_seed(0)
    b, kv_heads, length, d = 3, 2, 11, 16
    query = torch.randn(b, kv_heads * 4, q_len, d)
    key, value = torch.randn(b, kv_heads, length, d), torch.randn(b, kv_heads, length, d)
    keep = torch.ones(b, 1, q_len, length, dtype=torch.bool)
    keep[1, ..., :4] = False  # left padding on two rows
    keep[2, ..., :9] = False
    if q_len > 1:
        keep &= torch.ones(q_len, length, dtype=torch.bool).tril(length - q_len)
    mask = keep if mask_kind == "bool" else torch.zeros(keep.shape).masked_fill(~keep, torch.finfo(torch.float32).min)
    return query, key, value, mask


@pytest.mark.parametrize("mask_kind", ["bool", "additive", "none"])
def test_decode_step_equals_sdpa_with_repeated_kv(mask_kind) -> None:
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    query, key, value, mask = _inputs(1, mask_kind)
    mask = None if mask_kind == "none" else mask
    got, _ = hf_attention.grouped_decode_attention(_Attn(), query, key, value, mask, scaling=0.25)
    want, _ = sdpa_attention_forward(_Attn(), query, key, value, mask, scaling=0.25)
    assert got.shape == want.shape == (3, 1, 8, 16)
    assert torch.allclose(got, want, atol=1e-5)
    if mask is not None:  # the padding really is masked: unmasked, row 2 differs
        free, _ = hf_attention.grouped_decode_attention(_Attn(), query, key, value, None, scaling=0.25)
        assert not torch.allclose(free[2], got[2], atol=1e-3)


def test_longer_queries_keep_the_sdpa_path() -> None:
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    query, key, value, mask = _inputs(5, "bool")
    got, _ = hf_attention.grouped_decode_attention(_Attn(), query, key, value, mask, scaling=0.25)
    want, _ = sdpa_attention_forward(_Attn(), query, key, value, mask, scaling=0.25)
    assert torch.equal(got, want)


@pytest.mark.parametrize("which", ["qwen35", "embedded"])
def test_greedy_generation_is_unchanged(which, qwen35_checkpoint: Path, embedded_hf_dir: Path) -> None:
    """Left-padded batch, greedy, float32 on the CPU: the registered attention gives the same tokens as
    transformers' SDPA (Qwen3.5's full-attention layers and SmolLM2's GQA 9/3 heads)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = qwen35_checkpoint if which == "qwen35" else embedded_hf_dir
    tok = AutoTokenizer.from_pretrained(path)
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    enc = tok(["Bonjour, je voudrais réserver un vol pour Lyon demain matin.", "Salut", "The weather in Paris is"],
              return_tensors="pt", padding=True)
    assert int(enc["attention_mask"].sum(1).min()) < enc["input_ids"].shape[1]  # padding is in play
    outs = {}
    for attn in ("sdpa", hf_attention.register()):
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation=attn).eval()
        assert model.config._attn_implementation == attn
        with torch.inference_mode():
            outs[attn] = model.generate(**enc, max_new_tokens=12, min_new_tokens=12, do_sample=False,
                                        pad_token_id=tok.pad_token_id)
    assert torch.equal(outs["sdpa"], outs[hf_attention.NAME])
