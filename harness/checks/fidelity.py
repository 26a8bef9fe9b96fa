"""Conversion fidelity: the 16-bit GGUF must give the merged HF model's next-token distribution.

The kld stage already measures the converter's output against the merged HF model on held-out text
(KL(P_hf || P_gguf) per token); this turns its mean and max into a pass/fail check the gate can
require. A converter bug (a wrong rope or norm setting, an f16 overflow, a tensor mapped to the
wrong place) shows as a large KL on some tokens long before it shows in task scores.
"""

from __future__ import annotations

from harness.names import FIDELITY, check_name
from harness.records.report import Check, Metric


def fidelity_check(level: str, metrics: dict[str, Metric], max_mean: float, max_max: float) -> Check:
    name = check_name(FIDELITY, level)
    mean, worst = metrics.get("kld/mean"), metrics.get("kld/max")
    if mean is None or worst is None:
        return Check(name=name, level=level, passed=False,
                     detail=f"KL divergence of {level} against the merged HF model was not measured")
    passed = mean.value <= max_mean and worst.value <= max_max
    agree = metrics.get("kld/top1_agree")
    detail = (f"GGUF {level} vs merged HF model on {mean.n} held-out tokens: mean KL {mean.value:.3g} "
              f"(limit {max_mean:g}), max KL {worst.value:.3g} (limit {max_max:g})")
    if agree is not None:
        detail += f", top-1 agreement {agree.value:.4f}"
    return Check(name=name, level=level, passed=passed, detail=detail)
