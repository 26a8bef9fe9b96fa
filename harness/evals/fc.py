"""Function-calling suite: scoring, and the project's French set (BFCL v4 categories: bfcl.py).

Calls are parsed in the format the model wrote them (harness/chat/parse.py: JSON in `<tool_call>`
tags, bare JSON, or Qwen3-Coder XML typed by the item's tool schemas) from the answer after the last
`</think>`. Scores per item:
- json_valid, schema_valid (items that expect a call): every call decoded into a name and an
  arguments object (JSON that parses, or well-formed XML with its values typed by the schema: an XML
  call that decodes counts as json_valid, the metric keeps its name), and every call's arguments
  valid against its tool's parameters (jsonschema);
- call_exact (every item, the pooled contract metric): AST match (ast_match.py); for irrelevance
  items, no call made; for relevance items, any decoded call. Pooled over a mix of both it rewards a
  model that never calls on the irrelevance share, so the headlines are the two below, apart;
- call_acc (items that need a call: AST items and relevance items): call_exact on those alone;
- relevance_acc (irrelevance items: no tool fits): call_exact on those alone, i.e. the share of
  irrelevance items answered without a call (BFCL's "irrelevance detection");
- parse_fail, no_call (items that need a call): a call attempted that did not decode, and no call
  attempted at all (reasoning unfinished excluded): failures apart from wrong calls;
- unfinished (every item): reasoning opened and never closed, so no answer. Such an item makes no
  call and still scores 0 on irrelevance items: running out of tokens is not declining to call.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from harness.chat.parse import parse_tool_calls
from harness.chat.tools import ArgumentsError, parse_arguments
from harness.errors import BadInput
from harness.evals.ast_match import calls_match, expected_from_project
from harness.evals.core import Sample, Task, task
from harness.files import read_jsonl as read_jsonl_file

SHUFFLE_SEED = 1234
FC_METRICS = ("json_valid", "schema_valid", "call_exact", "call_acc", "relevance_acc", "parse_fail", "no_call",
              "unfinished")
LOWER_IS_BETTER = ("parse_fail", "no_call", "unfinished")  # every other fc metric is higher-is-better
# ast3: the AST matcher's rules held against BFCL's checker (schema `required`, arguments outside the
# schema, variable answers exact, objects untyped, exact parallel matching); parse2: the parser (XML
# calls, the answer after </think>, unfinished reasoning); m2: call_acc, relevance_acc, parse_fail, no_call.
SCORING = "ast3-parse2-m2"
ANY_CALL = "any_call"  # target of relevance items: some well-formed call, whatever its arguments


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [row for _, row in read_jsonl_lines(path)]


def read_jsonl_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) of a JSONL file of items with unique ids."""
    rows = []
    seen: set[str] = set()
    for n, row in read_jsonl_file(path):
        if not isinstance(row, dict) or "id" not in row:
            raise BadInput(path, "each line must be a JSON object with an 'id'", n)
        if row["id"] in seen:
            raise BadInput(path, f"duplicate item id {row['id']!r}", n)
        seen.add(row["id"])
        rows.append((n, row))
    if not rows:
        raise BadInput(path, "empty eval set")
    return rows


def _shuffled(samples: list[Sample]) -> list[Sample]:
    random.Random(SHUFFLE_SEED).shuffle(samples)
    return samples


def score_calls(sample: Sample, output: str) -> dict[str, float]:
    parsed = parse_tool_calls(output, sample.tools)
    expected = sample.target
    unfinished = float(parsed.unfinished)
    if not expected:  # irrelevance: the right answer is an answer without a call
        abstained = float(not parsed.attempted and not parsed.unfinished)
        return {"call_exact": abstained, "relevance_acc": abstained, "unfinished": unfinished}
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
    return {"json_valid": float(parsed.json_valid), "schema_valid": float(schema_ok), "call_exact": float(exact),
            "call_acc": float(exact), "parse_fail": float(parsed.attempted and not parsed.json_valid),
            "no_call": float(not parsed.attempted and not parsed.unfinished), "unfinished": unfinished}


def _validates(schema: dict[str, Any], arguments: dict[str, Any]) -> bool:
    try:
        return Draft202012Validator(schema).is_valid(arguments)
    except SchemaError:
        return False


def fr_fc_samples(path: Path | None = None) -> list[Sample]:
    from evalsets import DATA_DIR

    path = path or DATA_DIR / "fr_fc.jsonl"
    samples = []
    for n, row in read_jsonl_lines(path):
        problem = _item_problem(row)
        if problem:
            raise BadInput(path, f"item {row['id']}{'' if problem.startswith('lacks') else ':'} {problem}", n)
        try:  # string `arguments` in the conversation (OpenAI wire format) become objects
            messages = parse_arguments(row["messages"])
        except ArgumentsError as e:
            raise BadInput(path, f"item {row['id']}: {e}", n) from None
        samples.append(Sample(id=row["id"], messages=messages, tools=row["tools"],
                              target=expected_from_project(row["answer"], row["tools"]), metadata={"category": row.get("category", "")}))
    return _shuffled(samples)


def _item_problem(row: dict[str, Any]) -> str | None:
    """What is wrong with one function-calling item (messages, tools, answer), or None."""
    missing = [k for k in ("messages", "tools", "answer") if k not in row]
    if missing:
        return f"lacks the field {missing[0]!r}"
    msgs = row.get("messages")
    if not isinstance(msgs, list) or not msgs or not all(isinstance(m, dict) and "role" in m for m in msgs):
        return "'messages' must be a non-empty list of messages with a role"
    tools = row.get("tools")
    if not isinstance(tools, list):
        return "'tools' must be a list"
    for tool in tools:
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not (isinstance(fn, dict) and isinstance(fn.get("name"), str) and isinstance(fn.get("parameters"), dict)):
            return "each tool needs a 'function' with a 'name' and a 'parameters' schema"
        try:
            Draft202012Validator.check_schema(fn["parameters"])
        except SchemaError as e:
            return f"invalid tool schema: {e.message}"
    answer = row.get("answer")
    calls_ok = all(isinstance(a, dict) and isinstance(a.get("name"), str) and isinstance(a.get("arguments"), dict)
                   for a in answer) if isinstance(answer, list) else False
    if not calls_ok:
        return "'answer' must be a list of calls, each a 'name' and an 'arguments' object"
    return None


@task
def fr_fc() -> Task:
    return Task(name="fc/fr_fc", version="fr_fc-1", dataset=fr_fc_samples, solver="generate",
                scorer=score_calls, metrics=FC_METRICS, scoring=SCORING, dataset_from=fr_fc_samples)
