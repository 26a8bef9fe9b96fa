"""Function-calling suite: scoring, and the project's French set (BFCL v4 categories: bfcl.py).

Scores per item: json_valid and schema_valid (items that expect a call), call_exact (AST match; for
irrelevance items, no call made; for relevance items, any well-formed call).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from harness.chat.parse import parse_tool_calls
from harness.errors import BadInput
from harness.evals.ast_match import calls_match, expected_from_project
from harness.evals.core import Sample, Task, task

SHUFFLE_SEED = 1234
FC_METRICS = ("json_valid", "schema_valid", "call_exact")
SCORING = "ast2"  # the AST matcher's rules (ast2: declared types, BFCL string normalisation)
ANY_CALL = "any_call"  # target of relevance items: some well-formed call, whatever its arguments


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
    if expected == ANY_CALL:  # relevance (BFCL): a decodable call is right, its arguments unchecked
        exact = parsed.json_valid and bool(parsed.calls)
    else:
        exact = parsed.json_valid and calls_match(parsed.calls, expected)
    return {"json_valid": float(parsed.json_valid), "schema_valid": float(schema_ok), "call_exact": float(exact)}


def _validates(schema: dict[str, Any], arguments: dict[str, Any]) -> bool:
    try:
        return Draft202012Validator(schema).is_valid(arguments)
    except SchemaError:
        return False


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
                              target=expected_from_project(row["answer"], row["tools"]), metadata={"category": row.get("category", "")}))
    return _shuffled(samples)


@task
def fr_fc() -> Task:
    return Task(name="fc/fr_fc", version="fr_fc-1", dataset=fr_fc_samples, solver="generate",
                scorer=score_calls, metrics=FC_METRICS, scoring=SCORING, dataset_from=fr_fc_samples)
