"""The release-time contamination check: no training example may share a 13-word sequence with an
item of any eval task the release scores. A hit fails the release (a failed check)."""

from __future__ import annotations

from harness.evals.core import Sample, Task
from harness.names import CONTAMINATION
from harness.records.report import Check
from harness.training.contamination import find_overlaps, record_text
from harness.training.mixture import load_source

NGRAM = 13


def _sample_text(s: Sample) -> str:
    return record_text({"messages": s.messages, "tools": s.tools or [], "choices": s.choices or []})


def release_eval_texts(tasks: list[Task], limits: dict[str, int | None]) -> list[tuple[str, str]]:
    """(id, text) of every item of the release's tasks: whole datasets for ours, scored subsets for
    lm-eval's local tasks (Hub tasks have no local data to compare)."""
    texts = []
    for t in tasks:
        if t.dataset is not None:
            texts += [(f"{t.name}:{s.id}", _sample_text(s)) for s in t.dataset()]
        elif t.docs is not None:
            texts += [(f"{t.name}:{d['item_id']}", " ".join(_leaves([d["query"], d["choices"]])))
                      for d in t.docs(limits.get(t.name))]
    return texts


def _leaves(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [x for v in value for x in _leaves(v)] if isinstance(value, (list, tuple)) else [str(value)]


def check_contamination(mixture: list[str], evals: list[tuple[str, str]]) -> Check:
    train = [(f"{name}:{r.get('id', i)}", record_text(r))
             for name in mixture for i, r in enumerate(load_source(name).records)]
    hits = find_overlaps(train, evals, n=NGRAM)
    if hits:
        first = hits[0]
        return Check(name=CONTAMINATION, passed=False,
                     detail=f"{len(hits)} training/eval pairs share a {NGRAM}-word sequence, e.g. "
                            f"{first.train_id} and {first.eval_id}: {first.ngram!r}")
    return Check(name=CONTAMINATION, passed=True,
                 detail=f"{len(train)} training records vs {len(evals)} eval items: no shared {NGRAM}-word sequence")


def release_contamination(profile) -> Check:
    """Training data against every eval item the release scores (fails the release on a shared 13-gram)."""
    from harness.evals.registry import resolve

    tasks = resolve(profile.eval.suites, profile.eval.tasks)
    limits = {t.name: profile.eval.task_limit(t.name, "hf") for t in tasks}  # the HF levels score the most
    return check_contamination(list(profile.train.mixture), release_eval_texts(tasks, limits))
