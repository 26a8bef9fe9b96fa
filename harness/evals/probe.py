"""Behavioural EOS probe: greedy generation on a few short prompts must end on an end token within a
bound, in the artifact's own runtime (transformers for HF folders, llama.cpp for GGUF files).

A template or special-token fault that every static check misses (a stop id the runtime does not
honour, a model that never learned to close its turn) shows here as output that runs to the bound.
Answers are stored in the per-item results store like eval items: a rerun loads no model.
"""

from __future__ import annotations

import json

from harness.chat.thinking import TemplateChat, stored_output
from harness.evals.store import ResultStore
from harness.names import EOS_PROBE, check_name
from harness.records.items import ItemResult
from harness.records.report import Check

TASK = "check/eos_probe"
VERSION = "1"
MAX_NEW_TOKENS = 64
# Short questions with short answers, in both languages of the release.
PROMPTS = [
    ("capital", "What is the capital of France? Answer in one word."),
    ("oui-non", "Réponds par oui ou par non : Paris est-elle en France ?"),
    ("translate", "Translate 'thank you' into French. Answer with the translation only."),
]


def settings(chat: TemplateChat | None = None) -> str:
    # With thinking, the bound covers the reasoning as well: the eval's thinking budget.
    chat = chat or TemplateChat()
    return json.dumps({"max_new_tokens": chat.budget(MAX_NEW_TOKENS), "decoding": "greedy", "prompt_format": 1,
                       **chat.key()}, sort_keys=True)


SETTINGS = settings()


def run_probe(runner, store: ResultStore, artifact_sha: str, chat: TemplateChat | None = None) -> list[ItemResult]:
    """`chat`: the release's thinking setting for this artifact's template (runner.template_vars agree)."""
    key, bound = settings(chat), (chat or TemplateChat()).budget(MAX_NEW_TOKENS)
    done = store.get(artifact_sha, TASK, VERSION, key)
    if len(done) < len(PROMPTS):
        prompts = [runner.chat_prompt([{"role": "user", "content": text}], None) for _, text in PROMPTS]
        gens = runner.generate_with_stop(prompts, bound)
        items = [ItemResult(TASK, name, stored_output(p, g.text),
                            {"stopped": float(g.stopped), "new_tokens": float(g.n_tokens), "bound": float(bound)})
                 for (name, _), p, g in zip(PROMPTS, prompts, gens)]
        store.put(artifact_sha, VERSION, key, items)
        done = {i.item_id: i for i in items}
    return [done[name] for name, _ in PROMPTS]


def probe_check(level: str, items: list[ItemResult]) -> Check:
    name = check_name(EOS_PROBE, level)
    stopped = [i for i in items if i.scores.get("stopped") == 1.0]
    counts = ", ".join(str(int(i.scores.get("new_tokens", 0))) for i in items)
    bound = int(max((i.scores.get("bound", MAX_NEW_TOKENS) for i in items), default=MAX_NEW_TOKENS))
    detail = (f"{len(stopped)}/{len(items)} prompts ended on an end token within {bound} new tokens "
              f"(greedy; tokens used: {counts})")
    runaway = next((i for i in items if i not in stopped), None)
    if runaway is not None:
        detail += f"; {runaway.item_id!r} ran to the bound: …{runaway.output[-80:]!r}"
    return Check(name=name, level=level, passed=bool(items) and runaway is None, detail=detail)
