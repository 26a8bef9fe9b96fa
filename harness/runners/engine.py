"""What ran a level: engine, device, precision, batch, and the kernels that matter for speed.

Persisted in report.json per level, so a slow or odd number can be traced to the path that produced it
(a GPU run on transformers' PyTorch fallback for linear attention is 10x slower than on fla)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EngineInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")  # tolerant on read: a newer harness may add fields

    schema_version: int = 1
    engine: str  # "transformers" | "llama.cpp"
    device: str  # "cpu" | "cuda" | "cuda:1"
    device_name: str = ""
    dtype: str = ""  # compute dtype of HF levels; GGUF levels compute in their file's types
    batch_size: int = 1
    linear_attention: str = ""  # "fla" | "pytorch fallback (slow)" on models with linear attention, else ""
    causal_conv1d: str = ""
