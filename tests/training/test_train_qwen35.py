"""The recipe end to end on a tiny Qwen3.5 (hybrid Gated DeltaNet + full attention) on CPU: the
manifest lists every adapted module, linear-attention projections included, and records that
packing was asked for and why it stayed off on this path; the adapter merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.profiles.model import LoraSpec, TrainProjection, TrainSpec
from tests.training.test_targets import QWEN35_COUNTS


@pytest.mark.slow
def test_qwen35_trains_with_linear_attention_adapters(tmp_path: Path, qwen35_base: Path) -> None:
    from harness.training.manifest import TrainManifest
    from harness.training.merge import merge_or_save
    from harness.training.recipe import train

    projected = TrainProjection(device="H200", peak_gib=1.5, step_s=0.25, wall_h=0.01, cost=0.02, source="test")
    spec = TrainSpec(backend="trl", max_steps=2, batch_size=2, max_seq_len=512, packing=True,
                     lora=LoraSpec(r=4, alpha=8), heldout_fraction=0.02, projected=projected)
    out = tmp_path / "train"
    out.mkdir()
    manifest = train(qwen35_base, spec, out, "tiny-qwen35", "sha", log=lambda s: None)
    again = TrainManifest.model_validate_json(manifest.model_dump_json())  # persisted and read back
    assert again.adapted.names == QWEN35_COUNTS and again.adapted.count == 31
    assert again.adapted.resolved.startswith("auto")
    assert again.hyperparameters["adapted_modules"] == 31
    assert {"in_proj_qkv", "in_proj_z", "in_proj_b", "in_proj_a", "out_proj"} <= set(again.hyperparameters["target_modules"])
    assert again.packing.requested and not again.packing.active and "linear-attention" in again.packing.reason
    assert again.hyperparameters["batching"] == again.packing.batching
    # The projection travels to the card's recipe table (it lists the hyperparameters), beside the actuals.
    assert again.projected == projected and again.hyperparameters["projected"].startswith("0.01 h (0.25 s/step)")
    saved = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert "in_proj_qkv" in saved["target_modules"]
    facts = merge_or_save(qwen35_base, out, tmp_path / "merged")
    assert facts["tied"] is True
