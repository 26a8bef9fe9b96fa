"""TRL's fused LM head on CPU with labelled positions only (harness/training/cpu_head.py): the switch
takes, is undone on exit, and gives the same loss and gradients as projecting every position."""

from __future__ import annotations

import pytest

from tests.training.conftest import llama_text

torch = pytest.importorskip("torch")


def _loss_and_grad(model, ids, labels):
    model.zero_grad()
    out = model(input_ids=ids, labels=labels, fused_lm_head=True)
    out.loss.backward()
    return out.loss.item(), model.model.layers[-1].mlp.down_proj.weight.grad.clone(), out.label_mask


def test_compact_path_takes_and_matches_every_position() -> None:
    import trl.trainer.utils as trl_utils

    from harness.training.cpu_head import labelled_positions_only

    model = llama_text()
    trl_utils.add_fused_lm_head(model)
    ids = torch.randint(0, 512, (3, 40), generator=torch.Generator().manual_seed(1))
    labels = ids.clone()
    labels[:, :30] = -100  # the prompt: no loss
    labels[2, :] = -100  # a row with nothing to learn

    cpu = torch.device("cpu")
    assert not trl_utils._use_triton(cpu)  # TRL's own default off Triton: every position
    every = _loss_and_grad(model, ids, labels)
    with labelled_positions_only() as active:
        assert active and trl_utils._use_triton(cpu)
        compact = _loss_and_grad(model, ids, labels)
    assert not trl_utils._use_triton(cpu)  # undone on exit

    assert compact[0] == pytest.approx(every[0], rel=1e-6)
    assert torch.allclose(compact[1], every[1], rtol=1e-5, atol=1e-7)
    assert int(compact[2].sum()) == 2 * 10  # positions 29..38 predict the labelled 30..39


def test_undone_when_training_fails() -> None:
    import trl.trainer.utils as trl_utils

    from harness.training.cpu_head import labelled_positions_only

    with pytest.raises(RuntimeError), labelled_positions_only():
        raise RuntimeError("out of memory")
    assert not trl_utils._use_triton(torch.device("cpu"))
