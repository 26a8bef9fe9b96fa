"""A profile's training sources on disk: the built-in chat-format JSONL files (harness/training/data/
NAME.jsonl) or the profile's own .jsonl paths, read and checked line by line when the profile loads (a
bad line fails before any stage runs). The training recipe renders them (harness/training/mixture.py
imports this); profiles never import the recipe."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.chat.tools import ArgumentsError, parse_arguments
from harness.errors import BadInput
from harness.files import read_bytes, read_jsonl

DATA_DIR = Path(__file__).resolve().parents[1] / "training" / "data"  # the built-in sources


@dataclass(frozen=True)
class Source:
    name: str
    path: Path
    sha256: str
    records: list[dict[str, Any]]


def source_path(name: str, data_dir: Path = DATA_DIR) -> Path:
    """A mixture key is a built-in source name (training/data/NAME.jsonl) or a path to a .jsonl file
    (made absolute by load_profile, relative to the profile's folder)."""
    return Path(name) if name.endswith(".jsonl") else data_dir / f"{name}.jsonl"


def load_source(name: str, data_dir: Path = DATA_DIR) -> Source:
    path = source_path(name, data_dir)
    if not path.is_file():
        raise BadInput(path, f"training source {name!r} not found")
    raw = read_bytes(path)
    records = []
    for n, rec in read_jsonl(path, raw):
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
