"""The training manifest: everything needed to reproduce a candidate, persisted as typed JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DataFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    path: str
    sha256: str
    records: int
    train: int
    heldout: int
    weight: float


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
