"""Out of GPU memory during training: one line naming the profile settings to lower and the measured
peak, instead of a CUDA traceback. Raised through harness/errors.py's hierarchy (exit code 2)."""

from __future__ import annotations

import re
from contextlib import contextmanager

from harness.errors import StageError
from harness.profiles.model import TrainSpec


class TrainOutOfMemory(StageError):
    """Training ran out of accelerator memory; the message says what to lower."""


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def memory_note() -> str:
    """Peak allocated memory over the run and the card's size, where CUDA measured them."""
    import torch

    if not torch.cuda.is_available():
        return "peak not measured (no CUDA device)"
    total = torch.cuda.get_device_properties(0).total_memory
    return (f"peak {_gib(torch.cuda.max_memory_allocated())} allocated of {_gib(total)} on "
            f"{torch.cuda.get_device_name(0)}")


def advice(spec: TrainSpec) -> str:
    """The settings that shrink a step's memory, with their current values, largest effect first."""
    tips = []
    if spec.batch_size > 1:
        per_step = spec.batch_size * spec.grad_accum
        tips.append(f"train.batch_size ({spec.batch_size}; halve it and double train.grad_accum "
                    f"({spec.grad_accum}) to keep {per_step} examples a step)")
    tips.append(f"train.max_seq_len ({spec.max_seq_len})")
    if spec.method != "full":
        tips.append(f"train.lora.r ({spec.lora.r})")
    if spec.method == "lora":
        tips.append("or train.method: qlora (4-bit base)")
    return "lower " + ", ".join(tips)


@contextmanager
def oom_guard(spec: TrainSpec, where: str, progress=lambda: ""):
    """Turns torch.OutOfMemoryError (CUDA's, or any accelerator's) into TrainOutOfMemory.
    `progress` says how far training got (e.g. "at step 12/1500")."""
    import torch

    try:
        yield
    except torch.OutOfMemoryError as e:
        m = re.search(r"Tried to allocate ([\d.]+ \w+)", str(e))
        asked = f"tried to allocate {m.group(1)}" if m else ""
        note = memory_note()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()  # the caller's process may go on (tests, the bench)
        at = progress()
        raise TrainOutOfMemory(
            f"{where}: out of GPU memory{(' ' + at) if at else ''} ({note}"
            f"{'; ' + asked if asked else ''}): {advice(spec)}") from None
