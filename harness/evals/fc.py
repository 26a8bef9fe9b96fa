"""Function-calling suite: BFCL v4 categories from the `bfcl-eval` package and the project's French set.

Scores per item: json_valid and schema_valid (items that expect a call), call_exact (AST match; for
irrelevance items, no call made).
"""

from __future__ import annotations

import importlib.util
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from harness.chat.parse import parse_tool_calls
from harness.errors import BadInput, StageError
from harness.evals.ast_match import calls_match, expected_from_bfcl, expected_from_project
from harness.evals.core import Sample, Task, task
from harness.evals.schemas import openai_tool

SHUFFLE_SEED = 1234
FC_METRICS = ("json_valid", "schema_valid", "call_exact")


@cache
def bfcl_data_dir() -> Path:
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise StageError("bfcl-eval is not installed (pip install --no-deps bfcl-eval)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadInput(path, f"invalid JSON: {e.msg}", n) from None
        if not isinstance(row, dict) or "id" not in row:
            raise BadInput(path, "each line must be a JSON object with an 'id'", n)
        if row["id"] in seen:
            raise BadInput(path, f"duplicate item id {row['id']!r}", n)
        seen.add(row["id"])
        rows.append(row)
    if not rows:
        raise BadInput(path, "empty eval set")
    return rows


def _shuffled(samples: list[Sample]) -> list[Sample]:
    random.Random(SHUFFLE_SEED).shuffle(samples)
    return samples


def score_calls(sample: Sample, output: str) -> dict[str, float]:
    parsed = parse_tool_calls(output)
    expected = sample.target
    if not expected:  # irrelevance: the right answer is no call
        return {"call_exact": float(not parsed.attempted)}
    tools = {t["function"]["name"]: t["function"] for t in sample.tools or []}
    schema_ok = parsed.json_valid and bool(parsed.calls)
    for call in parsed.calls:
        fn = tools.get(call.name)
        if fn is None or not _validates(fn.get("parameters", {}), call.arguments):
            schema_ok = False
    return {"json_valid": float(parsed.json_valid), "schema_valid": float(schema_ok),
            "call_exact": float(parsed.json_valid and calls_match(parsed.calls, expected))}


def _validates(schema: dict[str, Any], arguments: dict[str, Any]) -> bool:
    try:
        return Draft202012Validator(schema).is_valid(arguments)
    except SchemaError:
        return False


def bfcl_samples(category: str) -> list[Sample]:
    data = bfcl_data_dir()
    items = read_jsonl(data / f"BFCL_v4_{category}.json")
    answers_path = data / "possible_answer" / f"BFCL_v4_{category}.json"
    answers = {a["id"]: a["ground_truth"] for a in read_jsonl(answers_path)} if answers_path.exists() else {}
    samples = []
    for item in items:
        messages = item["question"][0]
        tools = [openai_tool(f) for f in item["function"]]
        target = expected_from_bfcl(answers[item["id"]]) if answers else []
        samples.append(Sample(id=item["id"], messages=messages, tools=tools, target=target,
                              metadata={"category": category}))
    return _shuffled(samples)


def _bfcl_task(category: str, short: str | None = None) -> Task:
    return Task(name=f"fc/bfcl_{short or category}", version=f"bfcl-v4-{category}-1",
                dataset=lambda: bfcl_samples(category), solver="generate", scorer=score_calls,
                metrics=FC_METRICS)


@task
def bfcl_simple() -> Task:
    return _bfcl_task("simple_python", "simple")


@task
def bfcl_multiple() -> Task:
    return _bfcl_task("multiple")


@task
def bfcl_parallel() -> Task:
    return _bfcl_task("parallel")


@task
def bfcl_irrelevance() -> Task:
    return _bfcl_task("irrelevance")


@task
def bfcl_live_simple() -> Task:
    return _bfcl_task("live_simple")


def fr_fc_samples(path: Path | None = None) -> list[Sample]:
    from evalsets import DATA_DIR

    path = path or DATA_DIR / "fr_fc.jsonl"
    samples = []
    for row in read_jsonl(path):
        for tool in row["tools"]:
            try:
                Draft202012Validator.check_schema(tool["function"]["parameters"])
            except SchemaError as e:
                raise BadInput(path, f"item {row['id']}: invalid tool schema: {e.message}") from None
        samples.append(Sample(id=row["id"], messages=row["messages"], tools=row["tools"],
                              target=expected_from_project(row["answer"]), metadata={"category": row.get("category", "")}))
    return _shuffled(samples)


@task
def fr_fc() -> Task:
    return Task(name="fc/fr_fc", version="fr_fc-1", dataset=fr_fc_samples, solver="generate",
                scorer=score_calls, metrics=FC_METRICS)
