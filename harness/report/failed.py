"""The failed items of a release (items.jsonl): every item a level got wrong, with its prompt and the
expected answer, for the site's explorer (outputs are escaped there)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from harness.evals.core import Sample
from harness.evals.levels import Artifact, LevelResults
from harness.evals.registry import get_task, task_names
from harness.names import BASE
from harness.records.failed_items import FailedItem


def failed_items(artifacts: Sequence[Artifact], results: dict[str, LevelResults]) -> list[FailedItem]:
    known = set(task_names())
    samples = {name: {s.id: s for s in get_task(name).dataset()}
               for name in results[BASE] if name in known and get_task(name).dataset is not None}
    out = []
    for a in artifacts:
        for task_name, items in results[a.name].items():
            for item in items:
                if all(v >= 1.0 for v in item.scores.values()):
                    continue
                sample = samples.get(task_name, {}).get(item.item_id)
                prompt = sample.messages[-1].get("content", "") if sample else item.item_id
                out.append(FailedItem(level=a.name, task=task_name, item_id=item.item_id, prompt=prompt,
                                      expected=expected(sample) if sample else "", output=item.output))
    return out


def expected(sample: Sample) -> str:
    target = sample.target
    if sample.choices is not None and isinstance(target, int):
        return sample.choices[target]
    if isinstance(target, list) and target and hasattr(target[0], "allowed"):
        return "; ".join(f"{e.name}({json.dumps(e.allowed, ensure_ascii=False)})" for e in target)
    if target == [] or target is None:
        return "(no tool call)" if sample.tools else ""
    from harness.evals.fc import ANY_CALL

    if target == ANY_CALL:  # BFCL relevance: any well-formed call
        return "(any tool call)"
    return json.dumps(target, ensure_ascii=False)
