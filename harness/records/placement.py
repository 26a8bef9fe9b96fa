"""Where a level was evaluated when a release's levels are spread over the workers of a cluster
(`eval.workers`): node, worker process, accelerator, and what computed there. Persisted in report.json per
level (`placement`); absent in a serial run. A level whose items were split over several workers
(`eval.shards`) records each shard's placement in `shards`; the level's own fields are its first shard's."""

from __future__ import annotations

from typing import Literal

from harness.records.common import Record


class Placement(Record):
    schema_version: Literal[1] = 1
    node: str  # the cluster's node id (Ray)
    node_ip: str
    hostname: str
    worker: str  # the worker process's id in the cluster (Ray worker id)
    pid: int
    accelerators: list[str] = []  # GPU ids the cluster gave this worker; [] on CPU
    engine: str = ""  # what computed items there ("transformers" | "llama.cpp"); "" when every item was stored
    device: str = ""
    attempts: int = 1  # >1: a worker died mid-level and the level was resubmitted (stored items kept)
    items_computed: int = 0  # items committed for this level (shard) in this run (0: all came from the store)
    shard: int = 0  # which share of the level's items (0-based; harness/evals/shards.py)
    shards: list[Placement] = []  # every shard's placement, in order, when the level was split; else []
