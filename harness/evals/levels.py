"""Every task on every level, resumable per item, with the EOS probe of each level on the same open model."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path

from harness import progress
from harness.chat.thinking import TemplateChat
from harness.errors import StageError
from harness.evals.probe import run_probe
from harness.evals.registry import resolve
from harness.evals.run_task import run_task
from harness.evals.shards import WHOLE, Shard
from harness.evals.store import ResultStore
from harness.profiles.model import EvalSpec
from harness.records.engine import EngineInfo
from harness.records.gguf import GGUFRecord
from harness.records.items import ItemResult
from harness.records.report import Suite

LevelResults = dict[str, list[ItemResult]]  # task name -> items


@dataclass(frozen=True)
class Artifact:
    """One level to evaluate: an HF folder or a GGUF file, named and hashed."""

    name: str
    kind: str  # hf | gguf
    path: Path
    sha256: str
    record: GGUFRecord | None = None  # GGUF: the export's verification record


class LazyRunner:
    """Opens the model on first use: a level whose items are all in the store loads nothing."""

    def __init__(self, kind: str, path, n_ctx: int, label: str, template_vars: dict | None = None,
                 may_open: bool = True):
        self.kind, self.path, self.n_ctx, self.label = kind, path, n_ctx, label
        self.may_open = may_open  # False: every item must come from the store (a spread run's assembly)
        self.template_vars = dict(template_vars or {})
        self._runner = None
        self._opened = False  # an open was attempted (it may have failed)
        self._started = 0.0
        self.ran: EngineInfo | None = None  # what the opened model runs on (not `engine`: that would open it)

    def __getattr__(self, name: str):
        if self._runner is None:
            from harness.runners import open_runner

            if not self.may_open:
                raise StageError(f"eval {self.label}: items missing from the results store after its workers "
                                 "finished (a worker skipped them?); rerun to compute them")
            progress.console.print(f"[bold cyan]▶ eval {self.label}[/] [dim]{self.kind} {self.path.name}[/]")
            self._started = time.monotonic()
            self._opened = True
            self._runner = open_runner(self.kind, self.path, n_ctx=self.n_ctx, template_vars=self.template_vars)
            self.ran = getattr(self._runner, "engine", None)
        return getattr(self._runner, name)

    def ran_after(self) -> EngineInfo | None:
        """What ran the items, read after the work: a CPU GGUF runner may have fallen back to one sequence
        at a time at its first use (harness/runners/gguf_batching.py), which its record then says."""
        return getattr(self._runner, "engine", self.ran) if self._runner is not None else self.ran

    def close(self) -> None:
        if self._runner is None:
            if not self._opened and self.may_open:  # (a spread run's assembly: the workers said it)
                progress.cached(f"eval {self.label}", "every item in the results store")
            return
        self._runner.close()
        self._runner = None
        gc.collect()
        progress.console.print(f"[green]✓ eval {self.label}[/] [dim]{time.monotonic() - self._started:.1f}s[/]")


def evaluate_levels(artifacts, spec: EvalSpec, store: ResultStore, probes: dict[str, list[ItemResult]] | None = None,
                    replaced=(), shard: Shard = WHOLE, stored: dict[str, str] | None = None
                    ) -> tuple[dict[str, LevelResults], list[Suite]]:
    """Every task on every artifact; with `probes`, also the EOS probe of each artifact (same open model).
    `replaced`: tasks standing in for the registered ones of their names (`harness eval --items`);
    `shard`: only this worker's share of each level (harness/evals/shards.py: results hold that share);
    `stored`: every item is in the store already (a spread run's workers put them there): the levels are
    built from it with no model opened, and these tasks {name: why} are skipped as the workers skipped them."""
    tasks = resolve(spec.suites, spec.tasks, replaced)
    skipped = dict(stored) if stored is not None else _hub_skipped([t.name for t in tasks if t.hub])
    # lm-eval's local tasks switch the Hub off for the process unless Hub tasks of this evaluation need it.
    offline = all(t.name in skipped for t in tasks if t.hub)
    renders = any(t.solver != "lm_eval" for t in tasks) or probes is not None  # lm-eval's prompts are plain text
    out: dict[str, LevelResults] = {}
    for a in artifacts:
        chat = artifact_chat(spec, a.kind, a.path) if renders else TemplateChat()
        runner = LazyRunner(a.kind, a.path, spec.n_ctx, a.name + shard.label, chat.variables, stored is None)
        try:
            res: LevelResults = {}
            whole = [t.name for t in tasks if t.solver == "lm_eval"]
            for task in (t for t in tasks if t.name not in skipped):
                if task.solver == "lm_eval" and not shard.takes(whole.index(task.name)):
                    continue  # another shard's whole task
                limit = spec.task_limit(task.name, a.kind)
                try:
                    res[task.name] = run_task(runner, task, limit, store, a.sha256, spec.max_new_tokens, spec.n_ctx,
                                              a.name, chat, offline, shard)
                except Exception as e:  # noqa: BLE001  the Hub answered the probe, the dataset did not load
                    if not task.hub:
                        raise
                    skipped[task.name] = f"hub task failed: {type(e).__name__}: {str(e).strip()[:200]}"
                    progress.note(f"skipped {task.name}: {skipped[task.name]}")
            out[a.name] = res
            if probes is not None:
                probes[a.name] = run_probe(runner, store, a.sha256, chat)
            if runner.ran is not None:  # items were computed: the report says by what, on reruns too
                store.put_engine(a.sha256, runner.ran_after())
        finally:
            runner.close()
    for res in out.values():  # a hub task missing on one level is dropped from all: levels stay paired
        for name in skipped:
            res.pop(name, None)
    first = next(iter(out.values()))
    by_name = {t.name: t for t in tasks}
    suites = [Suite(name=n, version=by_name[n].full_version, n_items=len(items)) for n, items in first.items()]
    suites += [Suite(name=n, version=by_name[n].full_version, n_items=0, skipped=why) for n, why in skipped.items()]
    return out, with_fewer_items(suites, out)


def with_fewer_items(suites: list[Suite], out: dict[str, LevelResults]) -> list[Suite]:
    """Each suite with the levels that scored fewer of its items than the first level did."""
    return [s.model_copy(update={"fewer_items": {lv: len(res[s.name]) for lv, res in out.items()
                                                 if s.name in res and len(res[s.name]) < s.n_items}})
            for s in suites]


def _hub_skipped(names: list[str]) -> dict[str, str]:
    """{hub task: why it is skipped}; the Hub is probed only when a hub task is wanted."""
    if not names:
        return {}
    from harness.evals.hub import hub_status

    why = hub_status()
    if why:
        progress.note(f"skipped {', '.join(names)}: {why}")
        return dict.fromkeys(names, why)
    return {}


def artifact_chat(spec: EvalSpec, kind: str, path) -> TemplateChat:
    """The profile's thinking setting as this artifact's own template sees it, read from the file's
    metadata (no weights load: a level whose items are all stored stays unopened)."""
    from harness.chat.thinking import ChatSettings
    from harness.models.inspect import read_gguf_info, read_hf_info

    if not path.exists():
        # Nothing to read: the items can only come from the store, keyed as for a template without
        # variables; anything missing fails at open, naming the file.
        return TemplateChat()
    info = read_gguf_info(path) if kind == "gguf" else read_hf_info(path)
    return ChatSettings.from_eval(spec).for_template(info.chat_template or "")
