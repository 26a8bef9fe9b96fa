"""Structure of the French eval sets shipped in evalsets/ (and that they match their generator)."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from evalsets import DATA_DIR


def _generator():
    """scripts/make_evalsets.py, the generator of the shipped files (not part of the installed package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_evalsets", Path(__file__).resolve().parents[2] / "scripts" / "make_evalsets.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _generator().build

COUNTS = {"fr_fc": 60, "fr_mc": 60, "fr_short": 40, "fr_lang": 30}
FC_CATEGORIES = {"simple": 25, "multiple": 15, "parallel": 10, "irrelevance": 10}
MC_CATEGORIES = {"knowledge": 20, "grammar": 20, "comprehension": 20}


def load(name: str) -> list[dict[str, Any]]:
    lines = (DATA_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_file_parses_with_unique_well_formed_ids(name: str) -> None:
    items = load(name)
    assert len(items) == COUNTS[name]
    ids = [item["id"] for item in items]
    assert ids == [f"{name}-{i:03d}" for i in range(1, len(items) + 1)]
    assert all(re.fullmatch(rf"{name}-\d{{3}}", i) for i in ids)


def test_files_match_their_generator() -> None:
    for name, records in build().items():
        assert load(name) == records, f"{name}.jsonl is stale: run python scripts/make_evalsets.py"


def check_tool(tool: dict[str, Any]) -> None:
    assert tool["type"] == "function"
    fn = tool["function"]
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", fn["name"]) and fn["description"].strip()
    params = fn["parameters"]
    Draft202012Validator.check_schema(params)
    assert params["type"] == "object" and params["properties"]
    assert set(params["required"]) <= set(params["properties"])
    for prop in params["properties"].values():
        Draft202012Validator.check_schema(prop)
        assert prop["type"] in {"string", "integer", "number", "boolean", "array"} and prop["description"]


def test_fr_fc_tools_and_answers() -> None:
    items = load("fr_fc")
    assert collections.Counter(i["category"] for i in items) == FC_CATEGORIES
    types = set()
    for item in items:
        (msg,) = item["messages"]
        assert msg["role"] == "user" and msg["content"].strip()
        tools = {t["function"]["name"]: t["function"] for t in item["tools"]}
        assert 1 <= len(item["tools"]) <= 4 and len(tools) == len(item["tools"]), item["id"]
        for tool in item["tools"]:
            check_tool(tool)
            types |= {p.get("type") for p in tool["function"]["parameters"]["properties"].values()}
            types |= {"enum" for p in tool["function"]["parameters"]["properties"].values() if "enum" in p}
        answer, cat = item["answer"], item["category"]
        expected_calls = {"simple": 1, "multiple": 1, "parallel": 2, "irrelevance": 0}[cat]
        assert len(answer) == expected_calls, item["id"]
        if cat == "simple":
            assert len(tools) == 1, item["id"]
        if cat == "multiple":
            assert len(tools) >= 2, item["id"]
        for call in answer:
            check_answer(item["id"], msg["content"], tools, call)
    assert types >= {"string", "integer", "number", "boolean", "enum", "array"}


def check_answer(item_id: str, request: str, tools: dict[str, Any], call: dict[str, Any]) -> None:
    assert set(call) == {"name", "arguments"} and call["name"] in tools, item_id
    params = tools[call["name"]]["parameters"]
    props, required = params["properties"], set(params["required"])
    assert set(call["arguments"]) == set(props), f"{item_id}: list every parameter (\"\" = may omit)"
    assert required <= set(call["arguments"]), f"{item_id}: a required argument has no allowed values"
    for arg, allowed in call["arguments"].items():
        assert isinstance(allowed, list) and allowed, (item_id, arg)
        if "" in allowed:
            assert arg not in required, f'{item_id}: "" (may omit) given for required {arg}'
        check = validator(props[arg])
        for value in allowed:
            if value != "":
                errors = [e.message for e in check.iter_errors(value)]
                assert not errors, (item_id, arg, value, errors)
        spec = props[arg]
        if spec["type"] == "string" and not {"enum", "format", "pattern"} & set(spec) and "" not in allowed:
            assert any(v.lower() in request.lower() for v in allowed), (item_id, arg, allowed)


def test_fr_mc() -> None:
    items = load("fr_mc")
    assert collections.Counter(i["category"] for i in items) == MC_CATEGORIES
    assert collections.Counter(i["answer"] for i in items) == {0: 15, 1: 15, 2: 15, 3: 15}
    for item in items:
        assert set(item) == {"id", "category", "passage", "question", "choices", "answer"}
        assert item["question"].strip()
        choices = item["choices"]
        assert len(choices) == 4 and len(set(choices)) == 4 and all(c.strip() for c in choices)
        assert isinstance(item["answer"], int) and 0 <= item["answer"] <= 3
        assert bool(item["passage"]) == (item["category"] == "comprehension"), item["id"]


def test_fr_short() -> None:
    for item in load("fr_short"):
        assert item["question"].strip()
        answers = item["answers"]
        assert answers and all(isinstance(a, str) and 1 <= len(a.split()) <= 3 for a in answers), item["id"]
        assert len(set(answers)) == len(answers)


def test_fr_lang() -> None:
    prompts = [item["prompt"] for item in load("fr_lang")]
    assert all(p.strip() for p in prompts) and len(set(prompts)) == len(prompts)


@pytest.mark.parametrize("name, lang", [("heldout_en.txt", "en"), ("heldout_fr.txt", "fr")])
def test_heldout_text(name: str, lang: str) -> None:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert 1300 <= len(text.split()) <= 2000 and len(paragraphs) >= 8
    langid = pytest.importorskip("langid")
    assert langid.classify(text)[0] == lang


def test_all_french_items_are_french() -> None:
    text = " ".join(i["messages"][0]["content"] for i in load("fr_fc"))
    text += " ".join(i["question"] + " " + i["passage"] for i in load("fr_mc"))
    text += " ".join(i["prompt"] for i in load("fr_lang"))
    assert re.search(r"[éèàçù]", text)
    langid = pytest.importorskip("langid")
    assert langid.classify(text)[0] == "fr"


def test_package_data_dir() -> None:
    assert Path(DATA_DIR).is_dir() and (Path(DATA_DIR) / "fr_fc.jsonl").is_file()
