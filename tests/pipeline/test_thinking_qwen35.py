"""The thinking setting end to end on the tiny Qwen3.5 checkpoint (Qwen3_5ForConditionalGeneration, the
official template), through evaluate_levels and the real transformers runner: thinking on stores every
generation (eval items and EOS probe) with the opener its prompt left open; off stores plain answers;
both modes keep their own results in one store."""

from __future__ import annotations

import pytest

from harness.evals.levels import Artifact, evaluate_levels
from harness.evals.store import ResultStore
from harness.profiles.model import EvalSpec


@pytest.mark.slow
def test_modes_on_the_tiny_qwen35(qwen35_checkpoint, tmp_path):
    artifact = Artifact("base", "hf", qwen35_checkpoint, "qwen35-sha")
    out = {}
    with ResultStore(tmp_path / "r.sqlite") as store:
        for mode in ("on", "off"):
            spec = EvalSpec(tasks=["fr/short", "fr/mc"], limit=1, thinking=mode, max_new_tokens=3,
                            thinking_max_new_tokens=6, n_ctx=1024)
            probes: dict = {}
            results, _ = evaluate_levels([artifact], spec, store, probes)
            out[mode] = (results["base"], probes["base"])
    (on, on_probe), (off, off_probe) = out["on"], out["off"]
    assert all(i.output.startswith("<think>\n") for i in [*on["fr/short"], *on_probe])
    assert not any(i.output.startswith("<think>") for i in [*off["fr/short"], *off_probe])
    assert all(i.scores["bound"] == 64.0 for i in on_probe)  # max(probe bound, reasoning budget)
    # Multiple choice is scored after the closed block in both modes: the same stored answer.
    assert on["fr/mc"][0].output == off["fr/mc"][0].output
