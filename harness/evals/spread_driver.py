"""The driver side of a spread evaluation, without Ray: each level's state, the handling of its worker's
messages (the driver is the results store's one writer: every batch a worker sends is committed here, at
once), the display of every worker, and the merge of the levels into what `evaluate_levels` returns."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness import progress
from harness.errors import BadInput, CheckFailed
from harness.evals.levels import Artifact, LevelResults, with_fewer_items
from harness.evals.worker import Bar, Done, Engine, Failed, Put, Started
from harness.records.engine import EngineInfo
from harness.records.items import ItemResult
from harness.records.placement import Placement
from harness.records.report import Suite


@dataclass
class LevelRun:
    artifact: Artifact
    attempts: int = 0
    where: Started | None = None
    engine: EngineInfo | None = None
    committed: int = 0  # items committed for this level in this run, every attempt
    done: Done | None = None
    started: float = field(default_factory=time.monotonic)
    bar: int | None = None  # its row in the display


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
                     items_computed=run.committed)


def merge(runs: list[LevelRun]) -> tuple[dict[str, LevelResults], list[Suite], dict[str, list[ItemResult]]]:
    """The levels' results in the release's order, as the serial path builds them: a task skipped on any
    level (a Hub task that failed there) is dropped from every level, so that levels stay paired."""
    skipped: dict[str, str] = {}
    for run in runs:
        skipped.update({s.name: s.skipped for s in run.done.suites if s.skipped and s.name not in skipped})
    out = {r.artifact.name: {t: items for t, items in r.done.results.items() if t not in skipped} for r in runs}
    first = runs[0].done.suites
    suites = [s for s in first if not s.skipped and s.name not in skipped]
    suites += [Suite(name=n, version=_version(runs, n), n_items=0, skipped=why) for n, why in skipped.items()]
    return out, with_fewer_items(suites, out), {r.artifact.name: r.done.probes for r in runs}


def _version(runs: list[LevelRun], task: str) -> str:
    return next(s.version for r in runs for s in r.done.suites if s.name == task)


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
        name = run.artifact.name
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
