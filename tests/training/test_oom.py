"""Out of memory inside a training step becomes one line naming the profile settings to lower and the
measured peak: the real torch.OutOfMemoryError, raised from a forward hook in the middle of the
recipe's own TRL training loop, and through the CLI's exit-code mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import StageError
from harness.profiles.model import LoraSpec, TrainSpec
from harness.training.mixture import Example
from harness.training.oom import TrainOutOfMemory, advice, oom_guard

SPEC = TrainSpec(max_steps=3, batch_size=8, grad_accum=2, max_seq_len=4096, lora=LoraSpec(r=64, alpha=64),
                 heldout_fraction=0.0)


class _OOMOnStep2:
    """A TrainerCallback that arms a forward hook raising CUDA's error type once step 2 begins."""

    def __new__(cls):
        from transformers import TrainerCallback

        class Hook(TrainerCallback):
            def on_step_begin(self, args, state, control, model=None, **kw):
                import torch

                if state.global_step == 1:
                    def boom(*a):
                        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 3.79 GiB. GPU 0 has a "
                                                     "total capacity of 44.40 GiB of which 1.21 GiB is free.")
                    # Inside the forward pass, where a real allocation fails: the last decoder layer.
                    [m for n, m in model.named_modules() if n.endswith("layers.29")][0].register_forward_hook(boom)
        return Hook()


def test_oom_in_a_training_step_is_one_line(tmp_path: Path, embedded_hf_dir: Path) -> None:
    from harness.training.recipe import train_trl

    spec = SPEC.model_copy(update={"batch_size": 1, "grad_accum": 1, "max_seq_len": 256,
                                   "lora": LoraSpec(r=4, alpha=4, last_layers=1)})
    rows = [Example("t", str(i), "<|im_start|>user\nBonjour<|im_end|>\n<|im_start|>assistant\n",
                    "Salut !<|im_end|>") for i in range(3)]
    with pytest.raises(TrainOutOfMemory) as info:
        train_trl(embedded_hf_dir, spec, tmp_path, rows, [], [_OOMOnStep2()], log=lambda s: None)
    msg = str(info.value)
    assert "\n" not in msg and "Traceback" not in msg
    assert f"{tmp_path}: out of GPU memory at step 2/3" in msg
    assert "tried to allocate 3.79 GiB" in msg and "peak not measured (no CUDA device)" in msg
    assert "train.batch_size (1" not in msg  # batch 1 cannot be halved: not offered
    assert "train.max_seq_len (256)" in msg and "train.lora.r (4)" in msg
    assert isinstance(info.value, StageError) and info.value.exit_code == 2
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no CUDA traceback chained


def test_advice_names_the_profile_settings() -> None:
    text = advice(SPEC)
    assert text.startswith("lower train.batch_size (8; halve it and double train.grad_accum (2) to keep 16")
    assert "train.max_seq_len (4096)" in text and "train.lora.r (64)" in text and "qlora" in text


def test_other_errors_pass_through() -> None:
    with pytest.raises(ValueError):
        with oom_guard(SPEC, "x"):
            raise ValueError("not memory")


def test_cli_prints_one_line_and_exits_2(monkeypatch, capsys) -> None:
    """The CLI's one mapping (harness/cli main) turns the error into one stderr line, exit code 2."""
    import torch

    from harness import cli

    def train_command(*a, **k):
        with oom_guard(SPEC, "runs/9b/train"):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB.")
    monkeypatch.setattr(cli, "app", train_command)
    with pytest.raises(SystemExit) as ex:
        cli.main()
    err = capsys.readouterr().err
    assert ex.value.code == 2 and err.count("\n") == 1
    assert err.startswith("harness: error: runs/9b/train: out of GPU memory (peak not measured")
