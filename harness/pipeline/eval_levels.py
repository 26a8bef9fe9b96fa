"""Evaluation of every level (resumable per item) and the KL-divergence stage."""

from __future__ import annotations

import gc
import json

from harness import progress
from harness.cache import StageCache
from harness.chat.thinking import TemplateChat
from harness.evals.registry import resolve
from harness.evals.store import ResultStore
from harness.pipeline.evaluate import run_task
from harness.profiles.model import EvalSpec
from harness.records.items import ItemResult
from harness.records.report import Metric, Suite

LevelResults = dict[str, list[ItemResult]]


def _limit(spec: EvalSpec, name: str) -> int | None:
    return spec.limits.get(name, spec.limit)


class LazyRunner:
    """Opens the model on first use: a level whose items are all in the store loads nothing."""

    def __init__(self, kind: str, path, n_ctx: int, label: str, template_vars: dict | None = None):
        self.kind, self.path, self.n_ctx, self.label = kind, path, n_ctx, label
        self.template_vars = dict(template_vars or {})
        self._runner = None
        self._opened = False  # an open was attempted (it may have failed)
        self._started = 0.0

    def __getattr__(self, name: str):
        if self._runner is None:
            import time

            from harness.runners import open_runner

            progress.console.print(f"[bold cyan]▶ eval {self.label}[/] [dim]{self.kind} {self.path.name}[/]")
            self._started = time.monotonic()
            self._opened = True
            self._runner = open_runner(self.kind, self.path, n_ctx=self.n_ctx, template_vars=self.template_vars)
        return getattr(self._runner, name)

    def close(self) -> None:
        import time

        if self._runner is None:
            if not self._opened:
                progress.cached(f"eval {self.label}", "every item in the results store")
            return
        self._runner.close()
        self._runner = None
        gc.collect()
        progress.console.print(f"[green]✓ eval {self.label}[/] [dim]{time.monotonic() - self._started:.1f}s[/]")


def evaluate_levels(artifacts, spec: EvalSpec, store: ResultStore,
                    probes: dict[str, list[ItemResult]] | None = None) -> tuple[dict[str, LevelResults], list[Suite]]:
    """Every task on every artifact; with `probes`, also the EOS probe of each artifact (same open model)."""
    tasks, general = resolve(spec.suites, spec.tasks)
    hub, hub_skip = _hub_plan(spec)
    out: dict[str, LevelResults] = {}
    for a in artifacts:
        # Only chat tasks and the probe render prompts (lm-eval's general/hub tasks use plain text).
        chat = artifact_chat(spec, a.kind, a.path) if tasks or probes is not None else TemplateChat()
        runner = LazyRunner(a.kind, a.path, spec.n_ctx, a.name, chat.variables)
        try:
            res: LevelResults = {}
            for task in tasks:
                res[task.name] = run_task(runner, task, _limit(spec, task.name), store, a.sha256,
                                          spec.max_new_tokens, spec.n_ctx, a.name, chat)
            for name in general:
                res[name] = _run_general(runner, name, _limit(spec, name), store, a.sha256)
            for name in (n for n in hub if n not in hub_skip):
                try:
                    res[name] = _run_lm_eval(runner, name, _hub_version(name), _limit(spec, name), store, a.sha256)
                except Exception as e:  # noqa: BLE001  the Hub answered the probe, the dataset did not load
                    hub_skip[name] = f"hub task failed: {type(e).__name__}: {str(e).strip()[:200]}"
                    progress.note(f"skipped {name}: {hub_skip[name]}")
            out[a.name] = res
            if probes is not None:
                from harness.checks.probe import run_probe

                probes[a.name] = run_probe(runner, store, a.sha256, chat)
        finally:
            runner.close()
    for res in out.values():  # a hub task missing on one level is dropped from all: levels stay paired
        for name in hub_skip:
            res.pop(name, None)
    hub = [n for n in hub if n not in hub_skip]
    first = next(iter(out.values()))
    versions = {t.name: t.full_version for t in tasks}
    versions.update({n: _general_version(n) for n in general})
    versions.update({n: _hub_version(n) for n in hub})
    suites = [Suite(name=n, version=versions[n], n_items=len(items)) for n, items in first.items()]
    suites += [Suite(name=n, version=_hub_version(n), n_items=0, skipped=why) for n, why in hub_skip.items()]
    return out, suites


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


def _hub_plan(spec: EvalSpec) -> tuple[list[str], dict[str, str]]:
    """(hub tasks to run, {hub task: why it is skipped}); the Hub is probed only when one is wanted."""
    from harness.evals.registry import hub_names

    names = hub_names(spec.suites, spec.tasks)
    if not names:
        return [], {}
    from harness.evals.hub import hub_status

    why = hub_status()
    if why:
        progress.note(f"skipped {', '.join(names)}: {why}")
        return [], dict.fromkeys(names, why)
    return names, {}


def _hub_version(name: str) -> str:
    from harness.evals.hub import HUB_TASKS

    return HUB_TASKS[name].version


def _general_version(name: str) -> str:
    from harness.evals.general import task_version

    return task_version(name)


def _run_general(runner, name: str, limit: int | None, store: ResultStore, sha: str) -> list[ItemResult]:
    return _run_lm_eval(runner, name, _general_version(name), limit, store, sha)


def _run_lm_eval(runner, name: str, version: str, limit: int | None, store: ResultStore, sha: str) -> list[ItemResult]:
    settings = json.dumps({"lm_eval": True, "limit": limit})  # same text as before: stored items stay valid
    done = store.get(sha, name, version, settings)
    if done:  # lm-eval results are stored in one transaction: present means complete
        return [done[k] for k in sorted(done, key=_natural)]
    with progress.bar(f"{name}", 1) as advance:
        if name.startswith("general/"):
            from harness.evals.general import run_general

            items = run_general(runner, [name], limit)[name]
        else:
            from harness.evals.hub import run_hub

            items = run_hub(runner, name, limit)
        advance()
    store.put(sha, version, settings, items)
    return items


def _natural(key: str):
    return (len(key), key)


def kld_stage(cache: StageCache, spec: EvalSpec, merged_dir, merged_sha: str, ggufs) -> dict[str, dict[str, Metric]]:
    """KLD of every GGUF level against the 16-bit reference (the first GGUF, the converter's output);
    the 16-bit GGUF itself is measured against the merged HF model (conversion fidelity)."""
    from harness.kld import heldout_chunks

    ref = ggufs[0]
    inputs = {"merged": merged_sha, "levels": {a.name: a.sha256 for a in ggufs}, "max_tokens": spec.kld_max_tokens,
              "heldout": _heldout_digest()}

    def work(out):
        import numpy as np

        from harness.kld import compare_logits, kld_metrics, merge
        from harness.runners import open_runner

        ref_runner = open_runner("gguf", ref.path, n_ctx=spec.n_ctx)
        chunks = heldout_chunks(ref_runner.tokenize, spec.kld_max_tokens)
        ref_logits = [ref_runner.logits_for_tokens(c).astype(np.float32) for c in chunks]
        ref_runner.close()
        per_level = {}
        with progress.bar("kld", len(ggufs)) as advance:
            for a in ggufs:
                runner = open_runner("hf" if a is ref else "gguf", merged_dir if a is ref else a.path, n_ctx=spec.n_ctx)
                stats = [compare_logits(r, runner.logits_for_tokens(c), c) if a is not ref else
                         compare_logits(runner.logits_for_tokens(c), r, c) for r, c in zip(ref_logits, chunks)]
                runner.close()
                per_level[a.name] = {k: v.model_dump() for k, v in kld_metrics(merge(stats)).items()}
                advance()
        (out / "kld.json").write_text(json.dumps(per_level, indent=2))
        return {"tokens": int(sum(len(c) for c in chunks))}

    # Version 2: kld/max added (conversion fidelity reports max and mean).
    path, _ = stages.run_stage(cache, "kld", 2, inputs, work, f"{len(ggufs)} GGUF levels")
    raw = json.loads((path / "kld.json").read_text())
    return {lvl: {k: Metric.model_validate(v) for k, v in m.items()} for lvl, m in raw.items()}


def _heldout_digest() -> str:
    from evalsets import DATA_DIR
    from harness.cache import sha256_file

    return ",".join(sha256_file(DATA_DIR / n) for n in ("heldout_en.txt", "heldout_fr.txt"))


from harness.pipeline import stages  # noqa: E402  (stages imports nothing from here)
