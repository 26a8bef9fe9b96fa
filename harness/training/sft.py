"""The pieces both training backends share (TRL + PEFT in recipe.py, Unsloth in unsloth_backend.py): what a
backend reports back, the dataset format, the SFTConfig arguments, the adapted-modules record and the
guarded fit. Both import this; neither imports the other at module level."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.profiles.model import TrainSpec
from harness.training.lm_head import HeadPlan
from harness.training.manifest import AdaptedModules
from harness.training.mixture import Example
from harness.training.oom import oom_guard
from harness.training.packing import Packing
from harness.training.targets import adapted_modules


@dataclass
class BackendRun:
    """What a backend reports back to the shared manifest code."""

    head: HeadPlan
    heldout_loss: float | None
    precision: str
    versions: dict[str, str] = field(default_factory=dict)
    head_changed: bool | None = None  # None: no head trained, or not verified by this backend
    tied_kept: bool | None = None  # None: untied model or no head trained
    head_note: str = ""  # the post-training head verification, appended to the manifest's lm_head
    packing: Packing | None = None
    adapted: AdaptedModules | None = None  # None: full fine-tuning


def to_dataset(rows: list[Example]):
    """The prompt/completion format: TRL then puts the loss on the completion (assistant turn) only."""
    from datasets import Dataset

    return Dataset.from_list([{"prompt": e.prompt, "completion": e.completion} for e in rows])


def sft_args(spec: TrainSpec, out: Path, bf16: bool, padding_free: bool = False) -> dict[str, Any]:
    """SFTConfig arguments both backends share; no checkpoints, the stage is the unit.
    Padding-free: TRL enforces no max_length there, and none is needed: build_mixture dropped
    every example longer than max_seq_len."""
    return dict(
        bf16=bf16, output_dir=str(out / "trainer"), max_steps=spec.max_steps, per_device_train_batch_size=spec.batch_size,
        gradient_accumulation_steps=spec.grad_accum, learning_rate=spec.learning_rate, lr_scheduler_type="cosine",
        warmup_steps=max(1, spec.max_steps // 20), logging_steps=5, save_strategy="no", report_to="none",
        seed=spec.seed, data_seed=spec.seed, max_length=None if padding_free else spec.max_seq_len,
        completion_only_loss=True, padding_free=padding_free,
        per_device_eval_batch_size=spec.batch_size, dataloader_num_workers=0, disable_tqdm=True,
        shuffle_dataset=False, train_sampling_strategy="group_by_length",
    )


def adapted_record(peft_model, resolved: str) -> AdaptedModules:
    names = adapted_modules(peft_model)
    return AdaptedModules(names=dict(sorted(names.items())), count=sum(names.values()), resolved=resolved)


def fit_guarded(trainer, spec: TrainSpec, where: str, has_heldout: bool) -> float | None:
    """trainer.train() then the held-out loss; out of memory becomes one line (harness/training/oom.py)."""
    with oom_guard(spec, where, lambda: f"at step {trainer.state.global_step + 1}/{spec.max_steps}"):
        trainer.train()
        return trainer.evaluate()["eval_loss"] if has_heldout else None
