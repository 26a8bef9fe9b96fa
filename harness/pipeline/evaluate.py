"""Evaluate one level on a list of tasks, resuming from the per-item store."""

from __future__ import annotations

import json

from harness import progress
from harness.evals.core import ItemResult, Task, select
from harness.evals.store import ResultStore

CHUNK = 8  # items per store commit: a killed run loses at most one chunk


def settings_key(task: Task, max_new_tokens: int, n_ctx: int) -> str:
    return json.dumps({"solver": task.solver, "max_new_tokens": task.max_new_tokens or max_new_tokens,
                       "n_ctx": n_ctx, "decoding": "greedy", "prompt_format": 1}, sort_keys=True)


def run_task(runner, task: Task, limit: int | None, store: ResultStore, artifact_sha: str,
             max_new_tokens: int, n_ctx: int, level: str) -> list[ItemResult]:
    samples = select(limit, task.dataset())
    settings = settings_key(task, max_new_tokens, n_ctx)
    done = store.get(artifact_sha, task.name, task.version, settings)
    todo = [s for s in samples if s.id not in done]
    if todo:
        with progress.bar(f"{level} {task.name}", len(todo)) as advance:
            for start in range(0, len(todo), CHUNK):
                chunk = todo[start : start + CHUNK]
                outputs = _solve(runner, task, chunk, task.max_new_tokens or max_new_tokens)
                results = [ItemResult(task.name, s.id, out, task.scorer(s, out)) for s, out in zip(chunk, outputs)]
                store.put(artifact_sha, task.version, settings, results)
                done.update({r.item_id: r for r in results})
                advance(len(chunk))
    return [done[s.id] for s in samples]


def _solve(runner, task: Task, samples, max_new_tokens: int) -> list[str]:
    if task.solver == "generate":
        prompts = [runner.chat_prompt(s.messages, s.tools) for s in samples]
        return runner.generate(prompts, max_new_tokens)
    outs = []
    for s in samples:
        context = runner.chat_prompt(s.messages, s.tools)
        scores = runner.loglikelihood([(context, c) for c in s.choices or []])
        outs.append(str(max(range(len(scores)), key=lambda i: scores[i][0])))
    return outs
