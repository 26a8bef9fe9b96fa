"""What ran a level: engine, device, precision, batch, and the kernels that matter for speed.

Persisted in report.json per level (and in the results store beside the items it produced), so a slow
or odd number can be traced to the path that produced it (a GPU run on transformers' PyTorch fallback
for linear attention is 10x slower than on fla)."""

from __future__ import annotations

from typing import Literal

from harness.records.common import Record


class EngineInfo(Record):
    schema_version: Literal[1] = 1
    engine: str  # "transformers" | "llama.cpp"
    device: str  # "cpu" | "cuda" | "cuda:1" | "gpu"
    device_name: str = ""
    dtype: str = ""  # compute dtype of HF levels; GGUF levels compute in their file's types
    batch_size: int = 1
    linear_attention: str = ""  # "fla" | "pytorch fallback (slow)" on models with linear attention, else ""
    causal_conv1d: str = ""
    note: str = ""  # where the level's engine departed from its usual path, and why
    # The lm-eval model that scored the level's general tasks: "hflm" (lm-eval's HF model, HF levels on the
    # CPU), "harness-hf" (the runner's own batched scoring, HF levels on the GPU), "harness-llama" (GGUF).
    lm_eval: str = ""
