"""The multi-task mixture: chat-format JSONL sources, per-source weights, a held-out split.

Each record is rendered through the base model's own chat template (tools as the template supports
them), split into a prompt and a completion (the last assistant turn), so loss falls on the
assistant's answer only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from harness.chat.template import render
from harness.chat.tools import to_template_messages
from harness.errors import BadInput
from harness.profiles.sources import DATA_DIR, Source, load_source, source_path

__all__ = ["DATA_DIR", "Example", "Source", "load_source", "source_path", "split_heldout", "to_example",
           "weighted_order"]


@dataclass(frozen=True)
class Example:
    source: str
    id: str
    prompt: str
    completion: str


def to_example(source: str, record: dict[str, Any], template: str, supports_tools: bool,
               eos_token: str, bos_token: str = "", variables: dict[str, Any] | None = None) -> Example:
    """`variables`: the release's template variables (thinking mode), as the eval prompts get them, so
    the prompt here is the eval's generation prompt and the completion the turn it opens. Qwen3.5 with
    thinking off: prompt `...<think>\n\n</think>\n\n`, completion the answer; on: prompt `...<think>\n`,
    completion `\n</think>\n\n` + the answer (the record has no reasoning: an empty block)."""
    msgs, tools = to_template_messages(record["messages"], record.get("tools"), supports_tools)
    kw = dict(tools=tools, bos_token=bos_token, eos_token=eos_token, variables=variables)
    prompt = render(template, msgs[:-1], add_generation_prompt=True, **kw)
    full = render(template, msgs, add_generation_prompt=False, **kw)
    if not full.startswith(prompt):
        raise BadInput(source, f"record {record.get('id')}: template renders the prompt differently alone "
                               f"(thinking {_mode(variables)}): the trained turn would not follow the eval's prompt")
    completion = full[len(prompt):]
    # End the completion on the EOS token: what follows it (a newline) is never generated.
    if eos_token and eos_token in completion:
        completion = completion[: completion.index(eos_token) + len(eos_token)]
    return Example(source, str(record.get("id", "")), prompt, completion)


def _mode(variables: dict[str, Any] | None) -> str:
    return "on" if (variables or {}).get("enable_thinking") else "off"


def split_heldout(source: Source, fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    rows = list(source.records)
    random.Random(f"{seed}:{source.name}").shuffle(rows)
    k = int(round(len(rows) * fraction))
    return rows[k:], rows[:k]


def weighted_order(train: dict[str, list[Example]], weights: dict[str, float], total: int, seed: int) -> list[Example]:
    """`total` examples drawn by source weight; within a source, epochs of a fixed shuffle (no repeats
    until every example has been seen)."""
    rng = random.Random(seed)
    names = [n for n in weights if weights[n] > 0 and train.get(n)]
    cursors = {n: 0 for n in names}
    orders = {n: rng.sample(train[n], len(train[n])) for n in names}
    out = []
    for _ in range(total):
        n = rng.choices(names, weights=[weights[x] for x in names])[0]
        out.append(orders[n][cursors[n] % len(orders[n])])
        cursors[n] += 1
    return out
