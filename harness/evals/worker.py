"""The worker side of a spread evaluation (harness/evals/spread.py): one level, or one shard of its items
(harness/evals/shards.py), evaluated by the serial code (`evaluate_levels`) on a cluster worker, with the
results store replaced by a stand-in that reads a snapshot of the level's stored items and sends every
write to the driver, the store's one writer. Ray runs `level_stream` as a streaming task: each message is
yielded as it happens, so a worker that dies loses only the items it had not yet sent. Nothing here
imports Ray."""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from harness import progress
from harness.errors import BadInput, HarnessError
from harness.evals.shards import WHOLE, Shard
from harness.evals.store import settings_hash
from harness.records.engine import EngineInfo
from harness.records.items import ItemResult

# Test hook (fault injection): the worker process exits after sending this many computed items, on the
# level's first attempt only, so that the driver's resubmission can be seen to lose nothing.
EXIT_AFTER = "HARNESS_WORKER_EXIT_AFTER"


@dataclass(frozen=True)
class Started:
    node: str
    node_ip: str
    hostname: str
    worker: str
    pid: int
    accelerators: list[str]


@dataclass(frozen=True)
class Put:  # a batch for ResultStore.put, committed by the driver
    task_version: str
    settings: str
    results: list[ItemResult]


@dataclass(frozen=True)
class Engine:
    info: EngineInfo


@dataclass(frozen=True)
class Bar:
    description: str
    total: int
    advanced: int


@dataclass(frozen=True)
class Done:
    # {task: why} for the tasks skipped here (a Hub task that failed on this worker). The items themselves
    # went as Put messages: the driver builds the level from the store.
    skipped: dict[str, str]


@dataclass(frozen=True)
class Failed:  # a HarnessError on the worker, raised again by the driver (its exit code and one line)
    kind: str
    where: str | None
    what: str
    line: int | None = None


Message = Started | Put | Engine | Bar | Done | Failed


@dataclass
class WorkerStore:
    """What `evaluate_levels` uses of a ResultStore, for one artifact: reads from the snapshot, writes sent."""

    artifact_sha: str
    rows: list[tuple[str, str, str, str, str, str]]
    send: Callable[[object], None]
    exit_after: int | None = None  # EXIT_AFTER, when armed for this attempt
    sent_items: int = field(default=0)

    def get(self, artifact_sha: str, task: str, task_version: str, settings: str) -> dict[str, ItemResult]:
        assert artifact_sha == self.artifact_sha
        key = settings_hash(settings)
        return {r[3]: ItemResult(task, r[3], r[4], json.loads(r[5])) for r in self.rows
                if r[0] == task and r[1] == task_version and r[2] == key}

    def put(self, artifact_sha: str, task_version: str, settings: str, results) -> None:
        results = list(results)
        if self.exit_after is not None and self.sent_items >= self.exit_after:
            os._exit(17)  # the fault-injection hook: a worker dying mid-level
        self.send(Put(task_version, settings, results))
        key = settings_hash(settings)
        self.rows += [(r.task, task_version, key, r.item_id, r.output, json.dumps(r.scores, sort_keys=True))
                      for r in results]
        self.sent_items += len(results)

    def put_engine(self, artifact_sha: str, engine: EngineInfo) -> None:
        self.send(Engine(engine))


def verify_file(artifact) -> None:
    """The model reaches the worker by path (a shared filesystem): it must be the very file the driver
    hashed. A missing path is left to the serial code (items all stored: nothing opens it; else the open
    fails naming it)."""
    from harness.cache import sha256_file, sha256_tree

    if not artifact.path.exists():
        return
    sha = sha256_tree(artifact.path) if artifact.kind == "hf" else sha256_file(artifact.path)
    if sha != artifact.sha256:
        raise BadInput(artifact.path, f"on worker host {socket.gethostname()} this {artifact.kind} level "
                       f"{artifact.name!r} has sha256 {sha[:12]}, the release hashed {artifact.sha256[:12]}: "
                       "every worker must see the same files at the same path")


def run_level(artifact, spec, rows, send, where: Started, attempt: int = 0, shard: Shard = WHOLE) -> None:
    """Evaluate one level (its `shard`) with the serial code, every store write and bar sent through `send`."""
    from harness.evals.levels import evaluate_levels

    send(where)
    progress.quiet_libraries()  # a fresh worker process: the libraries' own bars and warnings off, as in the driver
    try:
        verify_file(artifact)
        armed = os.environ.get(EXIT_AFTER)
        store = WorkerStore(artifact.sha256, list(rows), send, int(armed) if armed and attempt == 0 else None)
        progress.send_bars(lambda d, t, n: send(Bar(d, t, n)))
        probes: dict | None = {} if shard.index == 0 else None  # the level's EOS probe runs once
        _, suites = evaluate_levels([artifact], spec, store, probes, shard=shard)
        send(Done({s.name: s.skipped for s in suites if s.skipped}))
    except HarnessError as e:
        send(Failed(type(e).__name__, getattr(e, "where", None), getattr(e, "what", str(e)), getattr(e, "line", None)))
    finally:
        progress.send_bars(None)


_END = object()


def level_stream(artifact, spec, rows, attempt: int = 0, shard: Shard = WHOLE) -> Iterator[Message]:
    """The Ray task: `run_level` in a thread (the serial code calls the store, it does not yield), its
    messages yielded as they come; an unexpected error is raised here, with its traceback."""
    import ray

    ctx = ray.get_runtime_context()
    # llama.cpp's threads (and torch's, through OMP_NUM_THREADS, which Ray sets) on the CPUs given to this task.
    os.environ["HARNESS_THREADS"] = str(max(1, int(ctx.get_assigned_resources().get("CPU", 1))))
    where = Started(ctx.get_node_id(), ray.util.get_node_ip_address(), socket.gethostname(), ctx.get_worker_id(),
                    os.getpid(), [str(g) for g in ray.get_gpu_ids()])
    yield from _stream(lambda send: run_level(artifact, spec, rows, send, where, attempt, shard))


def _stream(work) -> Iterator[Message]:
    q: queue.Queue = queue.Queue()
    crashed: list[BaseException] = []

    def target() -> None:
        try:
            work(q.put)
        except BaseException as e:  # noqa: BLE001  re-raised in the generator below
            crashed.append(e)
        finally:
            q.put(_END)

    threading.Thread(target=target, daemon=True, name="harness-level").start()
    while (msg := q.get()) is not _END:
        yield msg
    if crashed:
        raise crashed[0]
