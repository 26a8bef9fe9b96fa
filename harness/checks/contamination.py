"""The release-time contamination check: no training example may share a 13-word sequence with an
item of any eval task the release scores. A hit fails the release (a failed check)."""

from __future__ import annotations

from harness.evals.core import Sample
from harness.names import CONTAMINATION
from harness.records.report import Check
from training.contamination import find_overlaps, record_text
from training.mixture import load_source

NGRAM = 13


def _sample_text(s: Sample) -> str:
    return record_text({"messages": s.messages, "tools": s.tools or [], "choices": s.choices or []})


def release_eval_texts(task_names: list[str], general: list[str], limits: dict[str, int | None]) -> list[tuple[str, str]]:
    """(id, text) of every item of the release's tasks: whole datasets for ours, scored subsets for lm-eval's."""
    from harness.evals.core import TASKS
    from harness.evals.general import load_docs

    texts = [(f"{t}:{s.id}", _sample_text(s)) for t in task_names for s in TASKS[t]().dataset()]
    for name in general:
        texts += [(f"{name}:{d['item_id']}", " ".join(_leaves([d["query"], d["choices"]])))
                  for d in load_docs(name, limits.get(name))]
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
