"""Reasoning blocks (`<think>...</think>`) split from the answer of a model output.

The answer is the text after the last `</think>`: whatever the reasoning holds (a `<tool_call>`
drafted while thinking included) is not part of it. Stored outputs are self-describing: when the
generation prompt itself ends in an open `<think>` (thinking on), the runner stores the output with
that opener in front, so `<think>` without a later `</think>` is reasoning that never closed
(`unfinished`: cut off by the token budget, or ended without an answer). With thinking off the
prompt closes an empty block and the output is plain text.

llama.cpp also ends reasoning at a `<tool_call>` tag; we do not: a call written before the reasoning
closes is a draft, and an output that never closes its reasoning has no answer.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN, CLOSE = "<think>", "</think>"


@dataclass(frozen=True)
class Reasoned:
    answer: str  # the text after the last </think> ("" when unfinished)
    reasoning: str  # the text before it (opener dropped), or the open reasoning when unfinished
    unfinished: bool  # a <think> that no </think> closes


def split_reasoning(text: str) -> Reasoned:
    head, closed, answer = text.rpartition(CLOSE)
    if not closed:
        head, answer = "", text
    if OPEN in answer:  # opened (again) after the last close and never closed
        before, _, open_part = answer.partition(OPEN)
        return Reasoned("", (head + before + open_part).strip(), True)
    return Reasoned(answer.strip(), head.replace(OPEN, "", 1).strip() if closed else "", False)
