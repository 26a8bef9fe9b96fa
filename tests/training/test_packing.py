"""Padding-free batching keeps the assistant-only loss mask exact: on the real mixture, rendered
through the embedded model's template, the recipe's trainer trains exactly the same tokens of every
example with and without packing, and (on a model whose attention keeps examples apart) computes
the same loss. Where packing cannot keep examples apart (Qwen3.5's linear attention on the TRL
path) the recipe leaves it off and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.profiles.model import TrainSpec
from tests.training.conftest import llama_text, qwen35_text
from harness.training.packing import PADDING_FREE, is_hybrid, plan


def _trainer(tmp_path: Path, embedded_hf_dir: Path, packing: bool, model=None):
    from transformers import AutoTokenizer

    from harness.models.inspect import read_hf_info
    from harness.training.recipe import build_mixture, trl_trainer

    tok = AutoTokenizer.from_pretrained(embedded_hf_dir)
    spec = TrainSpec(max_steps=6, batch_size=4, max_seq_len=768, packing=packing, heldout_fraction=0.0)
    rows, _, _ = build_mixture(spec, read_hf_info(embedded_hf_dir).chat_template, tok)
    model = model if model is not None else llama_text(vocab=len(tok))
    trainer, packed = trl_trainer(model, tok, spec, tmp_path / f"p{int(packing)}", False, False, rows, [], [])
    return trainer, packed, rows


def _batches(trainer) -> list[dict]:
    """The training batches in order; the length-grouped sampler draws from the seed, as train() sets it."""
    from transformers import set_seed

    set_seed(trainer.args.seed)
    return list(trainer.get_train_dataloader())


def _trained(batch) -> list[list[tuple[int, int]]]:
    """Per example: (position in the example, token id) of every token the loss falls on."""
    labels = batch["labels"]
    out = []
    if "position_ids" in batch and labels.shape[0] == 1:  # padding-free: one row, positions restart at 0
        pos, lab = batch["position_ids"][0].tolist(), labels[0].tolist()
        starts = [i for i, p in enumerate(pos) if p == 0] + [len(pos)]
        for a, b in zip(starts, starts[1:]):
            out.append([(i - a, t) for i, t in enumerate(lab[a:b], a) if t != -100])
        return out
    for row in labels.tolist():
        out.append([(i, t) for i, t in enumerate(row) if t != -100])
    return out


@pytest.mark.slow
def test_packing_trains_exactly_the_same_tokens(tmp_path: Path, embedded_hf_dir: Path) -> None:
    import torch

    padded, p0, rows = _trainer(tmp_path, embedded_hf_dir, packing=False)
    packed, p1, _ = _trainer(tmp_path, embedded_hf_dir, packing=True)
    assert not p0.active and p1.active and p1.batching == PADDING_FREE
    got_padded, got_packed, losses = [], [], []
    for b0, b1 in zip(_batches(padded), _batches(packed)):
        assert b1["input_ids"].shape[0] == 1 and "attention_mask" not in b1  # one row, no padding
        n_real = int(b0["attention_mask"].sum())
        assert b1["input_ids"].shape[1] == n_real  # every token real: no padding at all
        e0, e1 = _trained(b0), _trained(b1)
        assert len(e0) == len(e1) == b0["input_ids"].shape[0]
        got_padded += e0
        got_packed += e1
        with torch.no_grad():  # same tokens, same logits: the examples do not see each other
            losses.append((padded.model(**b0).loss.item(), packed.model(**b1).loss.item()))
    assert len(got_padded) == len(rows) == 24
    assert got_padded == got_packed
    assert all(e for e in got_packed)  # every example has trained (assistant) tokens
    # The mask is the assistant turn: the completion's tokens, ending on the EOS token.
    eos = padded.processing_class.eos_token_id
    assert all(e[-1][1] == eos for e in got_packed)
    for a, b in losses:
        assert a == pytest.approx(b, rel=1e-5, abs=1e-6)


def test_hybrid_models_stay_padded_on_trl(tmp_path: Path, embedded_hf_dir: Path) -> None:
    """Gated DeltaNet state would run from one example into the next in a concatenated row."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_hf_dir)
    model = qwen35_text(vocab=len(tok))
    assert is_hybrid(model.config) and not is_hybrid(llama_text().config)
    _, packed, _ = _trainer(tmp_path, embedded_hf_dir, packing=True, model=model)
    assert packed.requested and not packed.active and "linear-attention" in packed.reason
    # Unsloth gets the request on hybrid models: its own gate checks the varlen kernels.
    assert plan(True, "unsloth", model.config) == (True, "")
    assert plan(False, "unsloth", model.config)[0] is False
