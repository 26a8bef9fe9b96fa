"""A release's levels spread over the workers of a Ray cluster (`eval.workers` > 1): each level, an exported
artifact independent of the others, or each shard of its items (`eval.shards`, harness/evals/shards.py),
is one Ray task on one worker (one GPU when the cluster has GPUs, else its share of the CPUs), run by the
serial code (harness/evals/worker.py). The driver stays the results store's one writer: workers stream
their items back and the driver commits each batch as it arrives, so a killed worker or driver loses only
the items in flight; a shard whose worker died is resubmitted with the store as it then is, and a rerun
reuses every stored item. When every shard is done the driver builds the levels from the store with the
serial code (no model opened): the results and suites a serial run returns, by construction. A local
cluster (no `eval.cluster`) is a cluster of one host: the same code path as several hosts, which must see
the run folder at the same path."""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from contextlib import contextmanager

from harness import progress
from harness.errors import BadInput, StageError
from harness.evals.levels import Artifact, LevelResults, evaluate_levels
from harness.evals.shards import Shard, shards_per_level
from harness.evals.spread_driver import Committer, LevelRun, WorkerDisplay, level_placements, skipped_tasks
from harness.evals.store import ResultStore
from harness.evals.worker import Done
from harness.profiles.model import EvalSpec
from harness.records.placement import Placement
from harness.records.report import Suite

RETRIES = 2  # resubmissions of a level whose worker died, each from the store as it then is
# No message from any level in flight for this long (a task the cluster cannot place, a worker stuck in a
# load): the evaluation stops with one line instead of waiting forever; every stored item is kept.
STALL_S = "HARNESS_WORKER_STALL_S"
_STALL_DEFAULT_S = 1800.0
# Environment a worker needs to behave as the driver does (offline Hub, device and llama.cpp choices).
_ENV_PREFIXES = ("HARNESS_", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "LLAMA_CPP_LIB_PATH", "TRANSFORMERS_OFFLINE")


def evaluate_levels_spread(artifacts: list[Artifact], spec: EvalSpec, store: ResultStore, probes: dict
                           ) -> tuple[dict[str, LevelResults], list[Suite], dict[str, Placement]]:
    """What `evaluate_levels` returns (probes filled in as it does), plus where each level ran."""
    ray = _import_ray()
    n = shards_per_level(len(artifacts), spec.workers, spec.shards)
    runs = [LevelRun(a, Shard(k, n)) for a in artifacts for k in range(n)]
    with _connected(ray, spec):
        task = ray.remote(_level_stream()).options(max_retries=0, **_resources(ray, spec.workers))
        with WorkerDisplay() as display:
            _schedule(ray, task, spec, store, runs, Committer(store, display), display)
    out, suites = evaluate_levels(artifacts, spec, store, probes, stored=skipped_tasks(runs))
    return out, suites, level_placements(runs)


def preflight(spec: EvalSpec) -> None:
    """Before any stage runs: Ray is there, and the cluster at `eval.cluster` answers (a release finds out at
    once, not after hours of training)."""
    if spec.workers < 2:
        return
    ray = _import_ray()
    if spec.cluster:
        with _connected(ray, spec):
            pass


def _schedule(ray, task, spec: EvalSpec, store: ResultStore, runs: list[LevelRun], committer: Committer,
              display: WorkerDisplay) -> None:
    died, stall = _worker_death(ray), float(os.environ.get(STALL_S) or _STALL_DEFAULT_S)
    waiting, inflight = deque(runs), {}
    last = time.monotonic()
    while waiting or inflight:
        while waiting and len(inflight) < spec.workers:
            run = waiting.popleft()
            run.attempts += 1
            # The store as it is now: a resubmitted level redoes only what its dead worker had not sent.
            inflight[task.remote(run.artifact, spec, store.rows(run.artifact.sha256), run.attempts - 1,
                                 run.shard)] = run
        ready, _ = ray.wait(list(inflight), num_returns=1, timeout=5.0)
        if not ready and time.monotonic() - last > stall:
            names = ", ".join(r.label for r in inflight.values())
            raise StageError(f"eval {names}: no word from their workers for {stall:.0f} s (can the cluster place "
                             f"them? {ray.available_resources()} free); stored items are kept, rerun to resume")
        for gen in ready:
            run = inflight[gen]
            last = time.monotonic()
            try:
                msg = ray.get(next(gen), timeout=60)  # ready: its next message is already there
            except StopIteration:
                del inflight[gen]
                raise StageError(f"eval {run.label}: the worker ended without a result") from None
            except died as e:
                del inflight[gen]
                display.drop(run)
                if run.attempts > RETRIES:
                    raise StageError(f"eval {run.label}: its worker died {run.attempts} times "
                                     f"(last: {type(e).__name__}); stored items are kept, rerun to resume") from None
                progress.note(f"eval {run.label}: worker died ({type(e).__name__}), {run.committed} items "
                              "committed so far; resubmitted")
                waiting.appendleft(run)
                continue
            committer.handle(run, msg)
            if isinstance(msg, Done):
                del inflight[gen]


def _level_stream():
    from harness.evals.worker import level_stream

    return level_stream


def _worker_death(ray) -> tuple[type[BaseException], ...]:
    x = ray.exceptions
    return (x.WorkerCrashedError, x.NodeDiedError, x.OutOfMemoryError, x.LocalRayletDiedError, x.ObjectLostError)


def _resources(ray, workers: int) -> dict:
    """One GPU a worker when the cluster has GPUs (Ray pins it: CUDA_VISIBLE_DEVICES), else an equal share of
    the cluster's CPUs (the worker runs its threads on them: HARNESS_THREADS)."""
    total = ray.cluster_resources()
    if total.get("GPU", 0) >= 1 and os.environ.get("HARNESS_DEVICE", "") != "cpu":
        return {"num_gpus": 1, "num_cpus": 1}
    return {"num_cpus": max(1, int(total.get("CPU", 1)) // workers)}


@contextmanager
def _connected(ray, spec: EvalSpec):
    """A connection to the cluster at `eval.cluster`, else a local cluster of `eval.workers` CPU slots."""
    if ray.is_initialized():  # a caller's own connection: used as it is, left open
        yield
        return
    env = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)}
    options = {"include_dashboard": False, "logging_level": logging.WARNING, "runtime_env": {"env_vars": env}}
    if spec.cluster:
        try:
            ray.init(address=spec.cluster, **options)
        except (ConnectionError, ValueError, RuntimeError) as e:
            raise BadInput(None, f"eval.cluster {spec.cluster!r}: cannot connect to a Ray cluster there "
                           f"({str(e).strip()[:200]})") from None
    else:
        # This host's cores shared by the workers; a small object store: messages are batches of item
        # outputs, never model weights (those go by path).
        # address="local": a new cluster, never one that RAY_ADDRESS or another user's `ray start` left on a
        # shared host (its resources and code are not this run's).
        ray.init(address="local", num_cpus=max(spec.workers, os.cpu_count() or 1),
                 object_store_memory=256 * 2**20, **options)
    try:
        yield
    finally:
        ray.shutdown()


def _import_ray():
    try:
        import ray
    except ImportError:
        raise StageError("eval.workers > 1 spreads levels over a Ray cluster, and Ray is not installed: "
                         "pip install 'release-harness[distributed]' (or set eval.workers: 0)") from None
    return ray
