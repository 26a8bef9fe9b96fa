"""The training manifest: everything needed to reproduce a candidate, persisted as typed JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from harness.profiles.model import TrainProjection
from harness.training.packing import Packing


class DataFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    path: str
    sha256: str
    records: int
    train: int
    heldout: int
    weight: float


class AdaptedModules(BaseModel):
    """The modules that really carry a LoRA adapter, read back from the PEFT model."""

    model_config = ConfigDict(extra="forbid")
    names: dict[str, int]  # leaf name (q_proj, in_proj_qkv, ...) -> how many modules of that name
    count: int
    resolved: str  # "auto (...)" or "as the profile names them"


class TrainManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    base_model: str
    base_revision: str  # sha256 of the base HF folder's files
    backend: str
    method: str
    device: str
    data: list[DataFile]
    hyperparameters: dict[str, float | int | str | list[str] | None]
    seed: int
    steps: int
    train_examples: int
    heldout_examples: int
    final_loss: float | None
    heldout_loss: float | None
    wall_seconds: float
    gpu_hours: float
    cost: float
    versions: dict[str, str]
    lm_head: str  # how the head was handled: "frozen (tied)", "modules_to_save", ...
    # Added later (defaults keep older manifests readable).
    adapted: AdaptedModules | None = None  # None: full fine-tuning
    packing: Packing | None = None
    projected: TrainProjection | None = None  # the profile's measured projection, beside the actuals above
