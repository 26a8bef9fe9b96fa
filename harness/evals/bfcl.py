"""BFCL v4 single-turn categories from the installed `bfcl-eval` package, one task each.

Every category is a task `fc/bfcl_<category>` scored by our AST matcher (fc.score_calls), with its own
metrics (`fc/bfcl_<category>/call_exact`, ...), all of them pooled into `fc/bfcl/<metric>` (the group)
and, with the project's French set, into the suite's `fc/<metric>`. Answers come from the package's
`possible_answer/` files; a category without answers is irrelevance (right answer: no call) or
relevance (right answer: any well-formed call), as BFCL scores them.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from harness.errors import StageError
from harness.evals.ast_match import expected_from_bfcl
from harness.evals.core import Sample, Task, task
from harness.evals.fc import (
    ANY_CALL,
    FC_METRICS,
    SCORING,
    _shuffled,
    read_jsonl,
    score_calls,
)
from harness.evals.schemas import openai_tool

GROUP = "fc/bfcl"
# task suffix -> the package's category (file BFCL_v4_<category>.json)
CATEGORIES = {
    "simple": "simple_python",
    "multiple": "multiple",
    "parallel": "parallel",
    "parallel_multiple": "parallel_multiple",
    "irrelevance": "irrelevance",
    "live_simple": "live_simple",
    "live_multiple": "live_multiple",
    "live_parallel": "live_parallel",
    "live_parallel_multiple": "live_parallel_multiple",
    "live_irrelevance": "live_irrelevance",
    "live_relevance": "live_relevance",
}


@cache
def bfcl_data_dir() -> Path:
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise StageError("bfcl-eval is not installed (pip install --no-deps bfcl-eval)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def bfcl_samples(category: str) -> list[Sample]:
    data = bfcl_data_dir()
    path = data / f"BFCL_v4_{category}.json"
    if not path.is_file():
        raise StageError(f"{path}: this bfcl-eval has no category {category!r}")
    items = read_jsonl(path)
    answers_path = data / "possible_answer" / f"BFCL_v4_{category}.json"
    answers = {a["id"]: a["ground_truth"] for a in read_jsonl(answers_path)} if answers_path.exists() else {}
    no_answer = ANY_CALL if "relevance" in category and "irrelevance" not in category else []
    samples = []
    for item in items:
        if len(item["question"]) != 1:
            raise StageError(f"{path}: item {item['id']} has {len(item['question'])} turns; only single-turn categories")
        tools = [openai_tool(f) for f in item["function"]]
        target = expected_from_bfcl(answers[item["id"]], tools) if answers else no_answer
        samples.append(Sample(id=item["id"], messages=item["question"][0], tools=tools, target=target,
                              metadata={"category": category}))
    return _shuffled(samples)


def bfcl_task(short: str) -> Task:
    category = CATEGORIES[short]
    # version keys stored outputs (unchanged since the first matcher); SCORING versions the matcher.
    return Task(name=f"fc/bfcl_{short}", version=f"bfcl-v4-{category}-1", dataset=lambda: bfcl_samples(category),
                solver="generate", scorer=score_calls, metrics=FC_METRICS, scoring=SCORING, group=GROUP)


for _short in CATEGORIES:
    task(lambda short=_short: bfcl_task(short))
