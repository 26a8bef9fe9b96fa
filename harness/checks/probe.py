"""Behavioural EOS probe: greedy generation on a few short prompts must end on an end token within a
bound, in the artifact's own runtime (transformers for HF folders, llama.cpp for GGUF files).

A template or special-token fault that every static check misses (a stop id the runtime does not
honour, a model that never learned to close its turn) shows here as output that runs to the bound.
Answers are stored in the per-item results store like eval items: a rerun loads no model.
"""

from __future__ import annotations

import json

from harness.evals.core import ItemResult
from harness.evals.store import ResultStore
from harness.report.model import Check

TASK = "check/eos_probe"
VERSION = "1"
MAX_NEW_TOKENS = 64
# Short questions with short answers, in both languages of the release.
PROMPTS = [
    ("capital", "What is the capital of France? Answer in one word."),
    ("oui-non", "Réponds par oui ou par non : Paris est-elle en France ?"),
    ("translate", "Translate 'thank you' into French. Answer with the translation only."),
]
SETTINGS = json.dumps({"max_new_tokens": MAX_NEW_TOKENS, "decoding": "greedy", "prompt_format": 1}, sort_keys=True)


def run_probe(runner, store: ResultStore, artifact_sha: str) -> list[ItemResult]:
    done = store.get(artifact_sha, TASK, VERSION, SETTINGS)
    if len(done) < len(PROMPTS):
        prompts = [runner.chat_prompt([{"role": "user", "content": text}], None) for _, text in PROMPTS]
        gens = runner.generate_with_stop(prompts, MAX_NEW_TOKENS)
        items = [ItemResult(TASK, name, g.text, {"stopped": float(g.stopped), "new_tokens": float(g.n_tokens)})
                 for (name, _), g in zip(PROMPTS, gens)]
        store.put(artifact_sha, VERSION, SETTINGS, items)
        done = {i.item_id: i for i in items}
    return [done[name] for name, _ in PROMPTS]


def probe_check(level: str, items: list[ItemResult]) -> Check:
    name = f"eos_probe:{level}"
    stopped = [i for i in items if i.scores.get("stopped") == 1.0]
    counts = ", ".join(str(int(i.scores.get("new_tokens", 0))) for i in items)
    detail = (f"{len(stopped)}/{len(items)} prompts ended on an end token within {MAX_NEW_TOKENS} new tokens "
              f"(greedy; tokens used: {counts})")
    runaway = next((i for i in items if i not in stopped), None)
    if runaway is not None:
        detail += f"; {runaway.item_id!r} ran to the bound: …{runaway.output[-80:]!r}"
    return Check(name=name, level=level, passed=bool(items) and runaway is None, detail=detail)
