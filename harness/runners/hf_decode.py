"""Greedy decoding of a large batch on the GPU, for HF levels: what `model.generate` does for a padded batch,
with two changes that only cost or save memory and time.

- The prefill runs in row chunks under a token budget and their caches are joined: generate's one
  forward over 128 BFCL prompts ran the H200 out of memory (bench/RESULTS.md), so batches stayed at 64
  although a decode step of 256 rows costs far less than four of 64 (bench/gpu_decode.py).
- Rows that are done (EOS or their own token limit) leave the batch once a quarter of it is done: a
  trained model's answers stop at very different lengths, and generate keeps decoding finished rows
  until the longest is done.

Positions and masks are generate's (left padding; position = count of real tokens before, from 0), so
on the CPU in float32 the tokens are generate's, token for token (tests/runners/test_hf_decode.py)."""

from __future__ import annotations

PREFILL_TOKENS = 98_304  # padded tokens per prefill forward: 32 rows of ~3k tokens fit beside 256 rows' caches
CUT_RATIO, MIN_CHUNK = 1.25, 16_384


def prefill_chunks(lengths: list[int], budget: int) -> list[tuple[int, int]]:
    """Row ranges [s, e) of `lengths` (ascending) for the prefill forwards: at most `budget` padded tokens
    each, and a new chunk where a row is over CUT_RATIO times the chunk's first once the chunk holds
    MIN_CHUNK padded tokens (BFCL prompts of one batch range from 0.3k to 7k tokens: padded to the widest,
    a level's prefill computed 2.3x its real tokens, 1.1x so)."""
    chunks, s, widest = [], 0, 0
    for i, n in enumerate(lengths):
        padded = (i - s) * widest  # the chunk so far
        if i > s and ((i - s + 1) * max(widest, n) > budget or (n > CUT_RATIO * lengths[s] and padded >= MIN_CHUNK)):
            chunks.append((s, i))
            s, widest = i, 0
        widest = max(widest, n)
    chunks.append((s, len(lengths)))
    return chunks


def join_caches(caches, width: int | None = None):
    """One cache over the rows of several, layer by layer; attention layers' keys and values of a chunk
    narrower than `width` are left-padded with zeros (masked, as generate's padding is)."""
    import torch

    first = caches[0]
    for i, layer in enumerate(first.layers):
        parts = [c.layers[i] for c in caches]
        for name in ("conv_states", "recurrent_states"):  # linear-attention layers: per-row states
            states = getattr(layer, name, None)
            for s in states or {}:
                if states[s] is not None:
                    states[s] = torch.cat([getattr(p, name)[s] for p in parts])
        if getattr(layer, "keys", None) is not None and layer.keys.numel():
            w = width or max(p.keys.shape[-2] for p in parts)
            pad = lambda x: torch.nn.functional.pad(x, (0, 0, w - x.shape[-2], 0))  # noqa: E731
            layer.keys = torch.cat([pad(p.keys) for p in parts])
            layer.values = torch.cat([pad(p.values) for p in parts])
    return first


def keep_rows(cache, rows) -> None:
    """Only `rows` (a LongTensor of batch indices) stay in the cache, layer by layer, in place."""
    for layer in cache.layers:
        for name in ("conv_states", "recurrent_states"):
            states = getattr(layer, name, None)
            for s in states or {}:
                if states[s] is not None:
                    states[s] = states[s].index_select(0, rows)
        if getattr(layer, "keys", None) is not None and layer.keys.numel():
            layer.keys = layer.keys.index_select(0, rows)
            layer.values = layer.values.index_select(0, rows)


def greedy(model, encoded: list[list[int]], limits: list[int], eos: set[int], pad: int,
           prefill_tokens: int = PREFILL_TOKENS) -> list[list[int]]:
    """New tokens of each prompt (up to its limit, cut after the first EOS, kept); every limit >= 1."""
    import torch
    from transformers import DynamicCache

    device = model.device
    width = max(len(e) for e in encoded)
    mask = torch.tensor([[0] * (width - len(e)) + [1] * len(e) for e in encoded], device=device)
    pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
    caches, firsts = [], []
    with torch.inference_mode():
        for s, e in prefill_chunks([len(x) for x in encoded], prefill_tokens):
            w = max(len(x) for x in encoded[s:e])  # each chunk padded to its own widest row
            ids = torch.tensor([[pad] * (w - len(x)) + x for x in encoded[s:e]], device=device)
            out = model(input_ids=ids, attention_mask=mask[s:e, width - w:], position_ids=pos[s:e, width - w:],
                        past_key_values=DynamicCache(config=model.config), use_cache=True, logits_to_keep=1)
            caches.append(out.past_key_values)
            firsts.append(out.logits[:, -1].argmax(-1))
            del out
        cache = join_caches(caches, width) if len(caches) > 1 else caches[0]
        del caches
        nxt, pos = torch.cat(firsts), pos[:, -1]
        outs: list[list[int]] = [[] for _ in encoded]
        finished = lambda i: len(outs[i]) >= limits[i] or (outs[i] and outs[i][-1] in eos)  # noqa: E731
        live = list(range(len(encoded)))  # the prompt of each cache row
        while True:
            for i, t in zip(live, nxt.tolist(), strict=True):
                if not finished(i):
                    outs[i].append(t)
            still = [r for r, i in enumerate(live) if not finished(i)]
            if not still:
                return outs
            if len(live) - len(still) >= max(1, len(live) // 4):  # a quarter of the rows done: drop them
                keep = torch.tensor(still, device=device)
                keep_rows(cache, keep)
                live, nxt, pos, mask = [live[r] for r in still], nxt[keep], pos[keep], mask[keep]
            mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
            pos = pos + 1
            out = model(input_ids=nxt[:, None], attention_mask=mask, position_ids=pos[:, None],
                        past_key_values=cache, use_cache=True)
            nxt = out.logits[:, -1].argmax(-1)
            del out
