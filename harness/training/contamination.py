"""Word n-gram overlap between training records and evaluation items (standard library only)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"\w+")  # unicode-aware: accented letters stay inside words


def normalize_words(text: str) -> list[str]:
    """Lowercase (accents kept) and split on non-word characters."""
    return _WORD.findall(text.lower())


def _windows(words: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return (tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    """All n-word sequences of ``words``."""
    return set(_windows(words, n))


@dataclass(frozen=True)
class Overlap:
    """A training record and an eval item that share ``ngram`` (its words joined by spaces)."""
    train_id: str
    eval_id: str
    ngram: str


def find_overlaps(train: Iterable[tuple[str, str]], evals: Iterable[tuple[str, str]],
                  n: int = 13) -> list[Overlap]:
    """Every (train, eval) pair of (id, text) sharing an n-gram, once, with the first one found.

    Texts shorter than ``n`` words are skipped. Evals are indexed once: pass the smaller side there.
    """
    index: dict[tuple[str, ...], list[str]] = {}
    for eval_id, text in evals:
        for gram in ngrams(normalize_words(text), n):
            index.setdefault(gram, []).append(eval_id)
    found: list[Overlap] = []
    for train_id, text in train:
        seen: set[str] = set()
        for gram in _windows(normalize_words(text), n):
            for eval_id in index.get(gram, ()):
                if eval_id not in seen:
                    seen.add(eval_id)
                    found.append(Overlap(train_id, eval_id, " ".join(gram)))
    return found


def _values(value: Any) -> Iterator[str]:
    """Leaf strings and numbers of a nested value (booleans and empty strings left out)."""
    if isinstance(value, str):
        yield from [value] if value else []
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, (dict, list, tuple)):
        for v in value.values() if isinstance(value, dict) else value:
            yield from _values(v)


def _messages(value: Any) -> Iterator[dict[str, Any]]:
    """Messages of a flat list, or of BFCL's list of turns (a list of lists)."""
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict):
            yield item
        elif isinstance(item, list):
            yield from _messages(item)


def _tool_text(tool: dict[str, Any]) -> Iterator[str]:
    spec = tool["function"] if isinstance(tool.get("function"), dict) else tool
    props = list(((spec.get("parameters") or {}).get("properties") or {}).values())
    for item in [spec, *props]:
        if isinstance(item, dict):
            yield from (item[k] for k in ("name", "description") if isinstance(item.get(k), str))


def _call_text(call: dict[str, Any]) -> Iterator[str]:
    spec = call["function"] if isinstance(call.get("function"), dict) else call
    if isinstance(spec.get("name"), str):
        yield spec["name"]
    args = spec.get("arguments", {})
    yield from _values(_json_or_text(args) if isinstance(args, str) else args)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def record_text(record: dict[str, Any]) -> str:
    """Text of a training record or eval item, fields joined by newlines: message contents, tool
    names and descriptions, call argument values, passage/prompt/question/choices/answers/answer."""
    parts = [*_values(record.get("passage")), *_values(record.get("prompt"))]
    question = record.get("question")
    parts += [question] if isinstance(question, str) else []
    for msg in _messages(record["messages"] if "messages" in record else question):
        parts.extend(_values(msg.get("content")))
        for call in msg.get("tool_calls") or ():
            parts.extend(_call_text(call))
    parts += [*_values(record.get("choices")), *_values(record.get("answers"))]
    for key in ("tools", "function"):  # ours, BFCL's
        tools = record.get(key) or []
        for tool in [tools] if isinstance(tools, dict) else tools:
            if isinstance(tool, dict):
                parts.extend(_tool_text(tool))
    answer = record.get("answer")
    for call in answer if isinstance(answer, list) else ():
        parts.extend(_call_text(call) if isinstance(call, dict) else _values(call))
    return "\n".join(parts)
