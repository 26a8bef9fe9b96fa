"""One task on one level, resuming from the per-item store: our solvers item by item (a batch per
commit), lm-eval's tasks in one stored transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from harness import progress
from harness.chat.thinking import TemplateChat, stored_output
from harness.evals.core import Sample, Task, select
from harness.evals.shards import WHOLE, Shard
from harness.evals.store import ResultStore
from harness.records.items import ItemResult


def commit_every(runner) -> int:
    """Items per store commit: what the runner computes together (an HF batch), else one item, so a
    killed run loses at most the work in flight."""
    return max(1, int(getattr(runner, "batch_size", 1) or 1))


def task_chat(task: Task, chat: TemplateChat | None) -> TemplateChat:
    """The chat setting one task renders with: log-likelihood items are scored after the template's
    closed, empty reasoning block (runner.chat_prompt(reasoning=False)), generation items as set."""
    chat = chat or TemplateChat()
    if task.solver == "generate" or "enable_thinking" not in chat.variables:
        return chat
    return TemplateChat({**chat.variables, "enable_thinking": False})


def settings_key(task: Task, max_new_tokens: int, n_ctx: int, chat: TemplateChat | None = None) -> str:
    chat = task_chat(task, chat)
    # Template variables enter the key only where the template reads them: other models' keys stay.
    return json.dumps({"solver": task.solver, "max_new_tokens": chat.budget(task.max_new_tokens or max_new_tokens),
                       "n_ctx": n_ctx, "decoding": "greedy", "prompt_format": 1, **chat.key()}, sort_keys=True)


def run_task(runner, task: Task, limit: int | None, store: ResultStore, artifact_sha: str,
             max_new_tokens: int, n_ctx: int, level: str, chat: TemplateChat | None = None,
             offline: bool = True, shard: Shard = WHOLE) -> list[ItemResult]:
    """`chat`: the profile's thinking setting as this artifact's template sees it (None: no variables);
    `offline`: lm-eval's local tasks may switch the Hub off (no Hub task in the same evaluation);
    `shard`: this worker's share of the items (harness/evals/shards.py; lm-eval tasks are never split)."""
    if task.solver == "lm_eval":
        return _run_lm_eval(runner, task, limit, store, artifact_sha, offline)
    samples = shard.items(select(limit, task.dataset()))
    settings = settings_key(task, max_new_tokens, n_ctx, chat)
    budget = task_chat(task, chat).budget(task.max_new_tokens or max_new_tokens)
    done = _rescored(task, samples, store.get(artifact_sha, task.name, task.version, settings))
    if done.changed:  # a newer scorer: keep the store's scores in step with what the report shows
        store.put(artifact_sha, task.version, settings, done.changed)
    todo = [s for s in samples if s.id not in done.items]
    if todo:
        with progress.bar(f"{level} {task.name}", len(todo)) as advance:
            if task.solver == "generate":
                prompts = {s.id: runner.chat_prompt(s.messages, s.tools) for s in todo}
            else:  # scored on the answer's first tokens: after a closed reasoning block (task_chat)
                prompts = {s.id: runner.chat_prompt(s.messages, s.tools, reasoning=False) for s in todo}
            if task.solver == "generate":
                # Items sharing a long tool preamble run back to back: the GGUF runner keeps the KV cache
                # of the longest prefix shared with the previous prompt (llama-cpp-python's generate).
                # Results are stored by id, so the order changes nothing else.
                todo = sorted(todo, key=lambda s: prompts[s.id])
            step = commit_every(runner)
            for start in range(0, len(todo), step):
                chunk = todo[start : start + step]
                outputs = _solve(runner, task, chunk, [prompts[s.id] for s in chunk], budget)
                results = [ItemResult(task.name, s.id, out, task.scorer(s, out)) for s, out in zip(chunk, outputs)]
                store.put(artifact_sha, task.version, settings, results)
                done.items.update({r.item_id: r for r in results})
                advance(len(chunk))
    return [done.items[s.id] for s in samples]


def _run_lm_eval(runner, task: Task, limit: int | None, store: ResultStore, sha: str, offline: bool) -> list[ItemResult]:
    settings = json.dumps({"lm_eval": True, "limit": limit})  # same text as before: stored items stay valid
    done = store.get(sha, task.name, task.version, settings)
    if done:  # lm-eval results are stored in one transaction: present means complete
        return _in_task_order(task, limit, list(done.values()))
    from harness.evals.lmeval import run_lm_eval

    with progress.bar(task.name, 1) as advance:
        items = run_lm_eval(runner, task, limit, offline)
        advance()
    store.put(sha, task.version, settings, items)
    return _in_task_order(task, limit, items)


def _in_task_order(task: Task, limit: int | None, items: list[ItemResult]) -> list[ItemResult]:
    """An lm-eval task's items in one order whether just computed or read from the store (a spread run
    builds its levels from the store: its report must be the serial run's, byte for byte): a local task's
    docs order, else a Hub task's (lm-eval subtask, doc id)."""
    if task.docs is not None:
        rank = {str(d["item_id"]): i for i, d in enumerate(task.docs(limit))}
        return sorted(items, key=lambda r: (rank.get(r.item_id, len(rank)), r.item_id))
    return sorted(items, key=_hub_order)


def _hub_order(r: ItemResult) -> tuple[str, int, str]:
    sub, _, doc = r.item_id.rpartition("/")
    return (sub, int(doc) if doc.isdigit() else -1, doc)


@dataclass
class _Rescored:
    items: dict[str, ItemResult] = field(default_factory=dict)
    changed: list[ItemResult] = field(default_factory=list)


def _rescored(task: Task, samples: list[Sample], stored: dict[str, ItemResult]) -> _Rescored:
    """Stored outputs scored by the current scorer: the store keys outputs by what produced them
    (task.version), and scoring is cheap, so a scorer fix never costs a new generation."""
    out = _Rescored()
    for s in samples:
        old = stored.get(s.id)
        if old is None:
            continue
        scores = task.scorer(s, old.output)
        item = ItemResult(task.name, s.id, old.output, scores)
        out.items[s.id] = item
        if scores != old.scores:
            out.changed.append(item)
    return out


def _solve(runner, task: Task, samples: list[Sample], prompts: list[str], max_new_tokens: int) -> list[str]:
    if task.solver == "generate":
        return [stored_output(p, out) for p, out in zip(prompts, runner.generate(prompts, max_new_tokens))]
    outs = []
    for s, context in zip(samples, prompts):
        scores = runner.loglikelihood([(context, c) for c in s.choices or []])
        outs.append(str(max(range(len(scores)), key=lambda i: scores[i][0])))
    return outs
