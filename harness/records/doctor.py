"""What `harness doctor --json` prints: the engine, device, precision and batch each level of a profile will
get, and the machine behind them (versions, GPUs, llama.cpp build, kernels). Read by scripts that check a
machine before a release (a CI job on a GPU runner), so typed and versioned like the stored formats."""

from __future__ import annotations

from typing import Literal

from harness.records.common import Record
from harness.records.engine import EngineInfo


class LevelPlan(Record):
    name: str
    kind: str  # "hf" | "gguf"
    engine: EngineInfo | None = None  # None: the level cannot run as configured (see problem)
    n_gpu_layers: int | None = None  # GGUF: layers offloaded (-1 all, 0 none)
    note: str = ""
    problem: str = ""  # what `harness release` would stop on (exit 2)


class Diagnosis(Record):
    schema_version: Literal[1] = 1
    profile: str | None = None
    versions: dict[str, str]  # package -> version, "" when not installed
    gpus: list[str]  # GPUs the NVIDIA driver sees (whatever torch was built for)
    torch_cuda: bool | None = None  # torch.cuda.is_available(); None: not asked ($HARNESS_DEVICE set)
    hf_device: str = ""
    llama_library: str = ""
    llama_gpu_offload: bool | None = None  # llama_supports_gpu_offload(); None: the library did not load
    llama_gpu_env: str = "auto"  # $HARNESS_LLAMA_GPU
    kernels: dict[str, bool]  # fla, causal_conv1d -> it imports (as transformers then uses it)
    levels: list[LevelPlan] = []
    problems: list[str] = []
