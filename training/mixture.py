"""The multi-task mixture: chat-format JSONL sources, per-source weights, a held-out split.

Each record is rendered through the base model's own chat template (tools as the template supports
them), split into a prompt and a completion (the last assistant turn), so loss falls on the
assistant's answer only.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.chat.template import render
from harness.chat.tools import ArgumentsError, parse_arguments, to_template_messages
from harness.errors import BadInput

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Source:
    name: str
    path: Path
    sha256: str
    records: list[dict[str, Any]]


@dataclass(frozen=True)
class Example:
    source: str
    id: str
    prompt: str
    completion: str


def source_path(name: str, data_dir: Path = DATA_DIR) -> Path:
    """A mixture key is a built-in source name (training/data/NAME.jsonl) or a path to a .jsonl file
    (made absolute by load_profile, relative to the profile's folder)."""
    return Path(name) if name.endswith(".jsonl") else data_dir / f"{name}.jsonl"


def load_source(name: str, data_dir: Path = DATA_DIR) -> Source:
    path = source_path(name, data_dir)
    if not path.is_file():
        raise BadInput(path, f"training source {name!r} not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    records = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadInput(path, f"invalid JSON: {e.msg}", n) from None
        problem = _record_problem(rec)
        if problem:
            raise BadInput(path, problem, n)
        try:  # string `arguments` (the OpenAI wire format) become objects: templates iterate them
            rec = {**rec, "messages": parse_arguments(rec["messages"])}
        except ArgumentsError as e:
            raise BadInput(path, str(e), n) from None
        records.append(rec)
    if not records:
        raise BadInput(path, "empty training source")
    return Source(name, path, hashlib.sha256(raw).hexdigest(), records)


def _record_problem(rec: Any) -> str | None:
    """What is wrong with one chat-format record (TRL's format: messages, optional tools), or None."""
    if not isinstance(rec, dict):
        return "each line must be a JSON object"
    msgs = rec.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "record needs a non-empty 'messages' list"
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
            return f"messages[{i}] needs a role of system, user, assistant or tool"
        if not isinstance(m.get("content", ""), str) and m.get("content") is not None:
            return f"messages[{i}].content must be a string"
        if m.get("tool_calls") is not None and not isinstance(m["tool_calls"], list):
            return f"messages[{i}].tool_calls must be a list"
    if msgs[-1].get("role") != "assistant":
        return "record must have messages ending with an assistant turn"
    tools = rec.get("tools")
    if tools is not None and not (isinstance(tools, list) and all(isinstance(t, dict) for t in tools)):
        return "'tools' must be a list of tool objects"
    return None


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
