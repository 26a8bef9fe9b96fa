"""harness/runners/hf_decode.py, on the CPU in float32: the GPU's greedy loop (chunked prefill, joined
caches, finished rows dropped) gives generate's tokens, token for token, on Qwen3.5's hybrid cache and on
the embedded model's plain one."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from harness.runners import hf_decode

PROMPTS = ["Bonjour, je voudrais réserver un vol pour Lyon demain matin, s'il vous plaît.", "Salut",
           "The weather in Paris is", "Donne-moi la liste des fonctions disponibles pour la météo.", "Merci"]


def _reference(model, encoded, limits, eos, pad):
    width = max(len(e) for e in encoded)
    ids = torch.tensor([[pad] * (width - len(e)) + e for e in encoded])
    mask = torch.tensor([[0] * (width - len(e)) + [1] * len(e) for e in encoded])
    with torch.inference_mode():
        gen = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max(limits), do_sample=False,
                             eos_token_id=sorted(eos) or None, pad_token_id=pad)
    outs = []
    for row, limit in enumerate(limits):
        new = gen[row, width: width + limit].tolist()
        cut = next((k + 1 for k, t in enumerate(new) if t in eos), len(new))
        outs.append(new[:cut])
    return outs


def _hybrid_model():
    """A random Qwen3.5 text model (3 Gated DeltaNet layers + 1 full attention, GQA 4/2): the embedded
    fixture's weights repeat one token forever, which would not tell a broken cache apart; these vary."""
    from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig

    torch.manual_seed(0)
    cfg = Qwen3_5TextConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=4, num_attention_heads=4,
                            num_key_value_heads=2, head_dim=16, linear_num_key_heads=2, linear_num_value_heads=4,
                            linear_key_head_dim=16, linear_value_head_dim=16, vocab_size=500, initializer_range=0.5)
    return Qwen3_5ForCausalLM(cfg).eval()


@pytest.mark.parametrize("which", ["qwen35", "embedded"])
def test_greedy_loop_equals_generate(which, embedded_hf_dir: Path) -> None:
    if which == "qwen35":
        model, pad = _hybrid_model(), 0
        gen = torch.Generator().manual_seed(1)
        encoded = [torch.randint(1, 500, (n,), generator=gen).tolist() for n in (17, 3, 9, 20, 5)]
    else:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(embedded_hf_dir)
        model = AutoModelForCausalLM.from_pretrained(embedded_hf_dir, dtype=torch.float32).eval()
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        encoded = [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    limits = [14, 3, 9, 14, 1]
    model.generation_config.eos_token_id = None  # no EOS but the test's own
    # An EOS that really comes up: a token that row 0 or 3 (limit 14) generates from its third on and not
    # before, so that this row stops early on it.
    free = _reference(model, encoded, [14] * 5, set(), pad)
    assert all(len(set(row)) > 2 for row in free[:1])  # the outputs move: a wrong cache would show
    r, k = next((r, k) for r in (0, 3) for k in range(2, 12) if free[r][k] not in free[r][:k])
    eos = {free[r][k]}
    want = _reference(model, encoded, limits, eos, pad)
    assert len(want[r]) == k + 1 and want[r][-1] in eos
    assert [len(w) for w in want] != limits  # rows end at different steps
    width = max(len(e) for e in encoded)
    for budget in (width * 2, 10**6):  # prefill in chunks of 2 rows (joined caches), and in one forward
        got = hf_decode.greedy(model, encoded, limits, eos, pad, prefill_tokens=budget)
        assert got == want


def test_greedy_with_chunks_of_their_own_width_equals_generate() -> None:
    """Rows sorted by length as the runner passes them, cut into chunks of different widths (the short rows'
    chunk is narrower, its attention caches left-padded when joined): generate's tokens still."""
    model, pad = _hybrid_model(), 0
    gen = torch.Generator().manual_seed(2)
    encoded = [torch.randint(1, 500, (n,), generator=gen).tolist() for n in (3, 4, 4, 5, 12, 14, 30)]
    limits = [6] * len(encoded)
    model.generation_config.eos_token_id = None
    want = _reference(model, encoded, limits, set(), pad)
    chunks = hf_decode.prefill_chunks([len(e) for e in encoded], 10**6)
    assert len(chunks) == 1  # under MIN_CHUNK: one chunk; so force the cuts
    old = hf_decode.MIN_CHUNK
    try:
        hf_decode.MIN_CHUNK = 8
        chunks = hf_decode.prefill_chunks([len(e) for e in encoded], 10**6)
        widths = [max(len(e) for e in encoded[a:b]) for a, b in chunks]
        assert len(chunks) >= 3 and len(set(widths)) == len(widths)  # chunks of different widths
        assert hf_decode.greedy(model, encoded, limits, set(), pad) == want
    finally:
        hf_decode.MIN_CHUNK = old


def test_prefill_chunks_keep_the_budget_and_cut_where_lengths_jump() -> None:
    lengths = [100] * 50 + [130] * 50 + [400] * 10 + [3000] * 3
    chunks = hf_decode.prefill_chunks(lengths, 20_000)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(lengths)
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    for s, e in chunks:
        assert (e - s) * max(lengths[s:e]) <= 20_000 or e - s == 1
        assert max(lengths[s:e]) <= hf_decode.CUT_RATIO * lengths[s] or (e - s) * lengths[s] < hf_decode.MIN_CHUNK
    padded = sum((e - s) * max(lengths[s:e]) for s, e in chunks)
    assert padded < 1.1 * sum(lengths)  # one forward at the widest would be 113 x 3000 = 20x the real tokens
