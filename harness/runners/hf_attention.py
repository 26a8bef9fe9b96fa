"""Attention for HF levels on the GPU: a decode step's grouped-query attention without copying the KV cache.

transformers' SDPA path hands a padded batch's mask to `scaled_dot_product_attention`, and with a mask it
cannot use SDPA's own grouped-query support, so it repeats every layer's cached keys and values to the
query heads first (`repeat_kv`): at each decode step a full copy of the cache, times the group size.
On the H200 (random-init Qwen3.5-4B shape, 64 BFCL prompts of ~3k padded tokens, bench/gpu_decode.py)
those copies were 27 of a step's 49 ms of GPU time. Here a one-token query (every decode step) attends
with its heads grouped per KV head, as two batched matmuls over the cache as stored; longer queries
(prefill, scoring) keep transformers' SDPA path and its fast kernels."""

from __future__ import annotations

NAME = "harness_sdpa"


def grouped_decode_attention(module, query, key, value, attention_mask, dropout: float = 0.0,
                             scaling: float | None = None, is_causal: bool | None = None, **kwargs):
    """query [B, H, 1, D], key/value [B, H_kv, L, D], mask [B, 1, 1, L] (bool, True = attend) or additive;
    returns [B, 1, H, D] as transformers' attention functions do. Head h reads KV head h // (H / H_kv),
    repeat_kv's order. Scores in bf16 as eager attention has them, softmax in float32."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    groups = getattr(module, "num_key_value_groups", 1)
    if query.shape[2] != 1 or groups == 1 or kwargs.get("position_bias") is not None or dropout:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout,
                                      scaling=scaling, is_causal=is_causal, **kwargs)
    b, h, _, d = query.shape
    kv_heads = key.shape[1]
    q = query.reshape(b, kv_heads, groups, d)
    scores = torch.matmul(q, key.transpose(-1, -2)).float() * (scaling if scaling is not None else d ** -0.5)
    if attention_mask is not None:
        mask = attention_mask[:, :, -1:, : key.shape[2]]  # [B, 1, 1, L]: broadcasts over (H_kv, groups)
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    probs = scores.softmax(-1).to(value.dtype)
    out = torch.matmul(probs, value)  # [B, H_kv, groups, D_v]
    return out.reshape(b, h, 1, value.shape[-1]).transpose(1, 2).contiguous(), None


def register() -> str:
    """Registers NAME with transformers (the attention function, and SDPA's mask format); returns NAME
    for `attn_implementation`."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(NAME, grouped_decode_attention)
    AttentionMaskInterface.register(NAME, sdpa_mask)
    return NAME
