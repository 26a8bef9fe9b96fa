"""The loss head on CPU: project only the positions that carry a label.

TRL's fused LM head (`fused_lm_head=True` in SFTTrainer.compute_loss) projects only labelled positions
through the head on Triton devices and every position elsewhere, to keep tile shapes fixed for
compiled backends. Eager CPU has no such constraint, and with the loss on the assistant turn only
most positions are prompt (the demo's tool schemas): projecting them through the 49k-row head is
wasted work (bench/train_cpu_head.py measures the step time both ways). The per-position values are
the same either way; only the unlabelled ones are no longer computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def labelled_positions_only() -> Iterator[bool]:
    """While open, TRL's fused head on CPU takes its compact path; yields whether it could (a TRL
    without that switch trains as before, only slower)."""
    import trl.trainer.utils as trl_utils

    chooser = getattr(trl_utils, "_use_triton", None)
    if chooser is None:
        yield False
        return
    trl_utils._use_triton = lambda device: device.type == "cpu" or chooser(device)
    try:
        yield True
    finally:
        trl_utils._use_triton = chooser
