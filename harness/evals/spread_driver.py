"""The driver side of a spread evaluation, without Ray: each level's (or shard's) state, the handling of its
worker's messages (the driver is the results store's one writer: every batch a worker sends is committed
here, at once), the display of every worker, and what the workers tell the driver's assembly of the levels
from the store (tasks a worker skipped; where each level ran)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness import progress
from harness.errors import BadInput, CheckFailed
from harness.evals.levels import Artifact
from harness.evals.shards import WHOLE, Shard
from harness.evals.worker import Bar, Done, Engine, Failed, Put, Started
from harness.records.engine import EngineInfo
from harness.records.placement import Placement


@dataclass
class LevelRun:
    artifact: Artifact
    shard: Shard = WHOLE
    attempts: int = 0
    where: Started | None = None
    engine: EngineInfo | None = None
    committed: int = 0  # items committed for this level in this run, every attempt
    done: Done | None = None
    started: float = field(default_factory=time.monotonic)
    bar: int | None = None  # its row in the display

    @property
    def label(self) -> str:
        return self.artifact.name + self.shard.label


class Committer:
    """Applies one worker's messages: store writes committed as they come, progress drawn, results kept."""

    def __init__(self, store, display: WorkerDisplay | None = None):
        self.store, self.display = store, display

    def handle(self, run: LevelRun, msg) -> None:
        sha = run.artifact.sha256
        if isinstance(msg, Put):
            self.store.put(sha, msg.task_version, msg.settings, msg.results)
            run.committed += len(msg.results)
        elif isinstance(msg, Engine):
            self.store.put_engine(sha, msg.info)
            run.engine = msg.info
        elif isinstance(msg, Started):
            run.where = msg
        elif isinstance(msg, Done):
            run.done = msg
        elif isinstance(msg, Failed):
            raise failure(msg)
        if self.display is not None:
            self.display.show(run, msg)


def failure(msg: Failed) -> Exception:
    """The worker's HarnessError as the driver raises it: same exit code, same one line."""
    if msg.kind == "CheckFailed":
        return CheckFailed(msg.what)
    return BadInput(msg.where, msg.what, msg.line)


def placement(run: LevelRun) -> Placement | None:
    w = run.where
    if w is None:
        return None
    return Placement(node=w.node, node_ip=w.node_ip, hostname=w.hostname, worker=w.worker, pid=w.pid,
                     accelerators=list(w.accelerators), engine=run.engine.engine if run.engine else "",
                     device=run.engine.device if run.engine else "", attempts=run.attempts,
                     items_computed=run.committed, shard=run.shard.index)


def level_placements(runs: list[LevelRun]) -> dict[str, Placement]:
    """Level -> where it ran: its one worker's placement, or its first shard's with every shard's in `shards`."""
    by_level: dict[str, list[LevelRun]] = {}
    for run in runs:
        by_level.setdefault(run.artifact.name, []).append(run)
    out = {}
    for name, level_runs in by_level.items():
        places = [p for r in level_runs if (p := placement(r)) is not None]
        if places:
            split = level_runs[0].shard.count > 1
            out[name] = places[0].model_copy(update={"shards": places}) if split else places[0]
    return out


def skipped_tasks(runs: list[LevelRun]) -> dict[str, str]:
    """{task: why} for the tasks a worker skipped (a Hub task that failed there): the assembly skips them on
    every level, as the serial path drops a task skipped on any level, so that levels stay paired."""
    skipped: dict[str, str] = {}
    for run in runs:
        skipped.update({name: why for name, why in run.done.skipped.items() if name not in skipped})
    return skipped


class WorkerDisplay:
    """One line per level in flight, naming its worker (host, pid, GPU), with the bar of its current task."""

    def __init__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=progress.console, transient=True)

    def __enter__(self) -> WorkerDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def show(self, run: LevelRun, msg) -> None:
        name = run.label
        if isinstance(msg, Started):
            gpu = f", GPU {','.join(msg.accelerators)}" if msg.accelerators else ""
            again = f" (attempt {run.attempts})" if run.attempts > 1 else ""
            progress.console.print(f"[bold cyan]▶ eval {name}[/] [dim]on {msg.hostname} pid {msg.pid} "
                                   f"(node {msg.node_ip}{gpu}){again}[/]")
            run.bar = self.progress.add_task(f"{name} @ {msg.hostname}:{msg.pid}", total=None)
        elif isinstance(msg, Bar) and run.bar is not None:
            label = f"{name} @ {run.where.hostname}:{run.where.pid} {msg.description}"
            if msg.advanced == 0:
                self.progress.reset(run.bar, total=msg.total, description=label)
            else:
                self.progress.advance(run.bar, msg.advanced)
        elif isinstance(msg, Done):
            self.drop(run)
            what = f"{run.committed} items computed" if run.committed else "every item in the results store"
            progress.console.print(f"[green]✓ eval {name}[/] [dim]on {run.where.hostname}: {what}, "
                                   f"{time.monotonic() - run.started:.1f}s[/]")

    def drop(self, run: LevelRun) -> None:
        if run.bar is not None:
            self.progress.remove_task(run.bar)
            run.bar = None
