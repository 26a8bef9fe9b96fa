"""Structure of the shipped training mixture (harness/training/data/*.jsonl), and that it matches its generator."""

from __future__ import annotations

import collections
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator

DATA = Path(__file__).resolve().parents[2] / "harness" / "training" / "data"
FC = ["fc_en", "fc_fr"]
CHAT = ["chat_fr", "replay_en"]
ABSTAIN = {"abstain_en": "replay_en", "abstain_fr": "chat_fr"}  # each source and the chat pool it asks from
NEAR = ["abstain_near_en", "abstain_near_fr"]  # near-miss abstention (tests/training/test_mixture_nearmiss.py)


def load(name: str) -> list[dict[str, Any]]:
    lines = (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_mixture", Path(__file__).resolve().parents[2] / "scripts" / "make_mixture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", FC + CHAT + list(ABSTAIN) + NEAR)
def test_ids_unique_and_well_formed(name: str) -> None:
    records = load(name)
    ids = [r["id"] for r in records]
    assert ids == [f"{name}-{i:04d}" for i in range(1, len(records) + 1)]
    assert len(set(ids)) == len(ids)


def test_files_match_their_generator(tmp_path: Path) -> None:
    gen = generator()
    gen.OUT_DIR = tmp_path
    gen.main()
    for name in FC + CHAT + list(ABSTAIN) + NEAR:
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (DATA / f"{name}.jsonl").read_bytes(), (
            f"{name}.jsonl is stale: run python scripts/make_mixture.py")


@pytest.mark.parametrize("name", FC)
def test_function_calling_records(name: str) -> None:
    records = load(name)
    assert 200 <= len(records) <= 280
    kinds: collections.Counter[str] = collections.Counter()
    tool_names, requests = set(), []
    for rec in records:
        assert set(rec) == {"id", "tools", "messages"}
        tools = {t["function"]["name"]: t["function"] for t in rec["tools"]}
        assert 1 <= len(rec["tools"]) <= 4 and len(tools) == len(rec["tools"]), rec["id"]
        for tool in rec["tools"]:
            assert tool["type"] == "function" and tool["function"]["description"]
            params = tool["function"]["parameters"]
            Draft202012Validator.check_schema(params)
            assert params["type"] == "object" and set(params["required"]) <= set(params["properties"])
        msgs = rec["messages"]
        roles = [m["role"] for m in msgs]
        assert roles in (["user", "assistant"], ["system", "user", "assistant"]), rec["id"]
        assert all(isinstance(m["content"], str) for m in msgs)
        user, reply = msgs[-2], msgs[-1]
        assert user["content"].strip()
        requests.append(user["content"])
        calls = reply.get("tool_calls") or []
        if not calls:
            kinds["irrelevant"] += 1
            assert reply["content"].strip() and "tool_calls" not in reply, rec["id"]
            continue
        kinds["parallel" if len(calls) == 2 else "single"] += 1
        assert reply["content"] == "" and len(calls) <= 2, rec["id"]
        for call in calls:
            assert call["type"] == "function" and set(call["function"]) == {"name", "arguments"}
            fn = call["function"]
            assert fn["name"] in tools, rec["id"]
            tool_names.add(fn["name"])
            check = Draft202012Validator(tools[fn["name"]]["parameters"],
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
            errors = [e.message for e in check.iter_errors(fn["arguments"])]
            assert isinstance(fn["arguments"], dict) and not errors, (rec["id"], fn, errors)
    assert len(set(requests)) == len(requests), "duplicate requests"
    assert len(tool_names) >= 25
    n = len(records)
    assert 0.12 <= kinds["parallel"] / n <= 0.18 and 0.08 <= kinds["irrelevant"] / n <= 0.12, kinds


def test_french_requests_are_french() -> None:
    text = " ".join(r["messages"][-2]["content"] for r in load("fc_fr"))
    assert re.search(r"[éèàçùê]", text)
    langid = pytest.importorskip("langid")
    assert langid.classify(text)[0] == "fr"
    assert langid.classify(" ".join(r["messages"][1]["content"] for r in load("chat_fr")))[0] == "fr"


def test_optional_arguments_sometimes_given_sometimes_omitted() -> None:
    given, omitted = collections.Counter(), collections.Counter()
    for rec in load("fc_en") + load("fc_fr"):
        tools = {t["function"]["name"]: t["function"]["parameters"] for t in rec["tools"]}
        for call in rec["messages"][-1].get("tool_calls") or []:
            params = tools[call["function"]["name"]]
            for opt in set(params["properties"]) - set(params["required"]):
                (given if opt in call["function"]["arguments"] else omitted)[call["function"]["name"]] += 1
    assert sum(given.values()) > 100 and sum(omitted.values()) > 100


@pytest.mark.parametrize("name", CHAT)
def test_chat_records(name: str) -> None:
    records = load(name)
    assert 120 <= len(records) <= 180
    questions = set()
    for rec in records:
        assert set(rec) == {"id", "messages"}
        user, assistant = rec["messages"]
        assert user["role"] == "user" and assistant["role"] == "assistant"
        assert user["content"].strip() and assistant["content"].strip()
        questions.add(user["content"])
    assert len(questions) == len(records)


@pytest.mark.parametrize("name", list(ABSTAIN))
def test_abstain_records_offer_only_tools_that_cannot_answer(name: str) -> None:
    """Each record: a question of its chat pool, answered in text as there, with 1-4 tools offered of
    which none could answer a chat question itself (conversions, definitions, clocks, news)."""
    gen = generator()
    chat = {m["content"]: r["messages"][-1]["content"] for r in load(ABSTAIN[name])
            for m in r["messages"] if m["role"] == "user"}
    records = load(name)
    assert len(records) == gen.N_ABSTAIN
    for rec in records:
        names = [t["function"]["name"] for t in rec["tools"]]
        assert 1 <= len(names) <= 4 and len(set(names)) == len(names), rec["id"]
        assert not set(names) & set(gen.ABSTAIN_UNSAFE), rec["id"]
        user, reply = rec["messages"][-2], rec["messages"][-1]
        assert user["role"] == "user" and chat[user["content"]] == reply["content"], rec["id"]
        assert reply["role"] == "assistant" and "tool_calls" not in reply, rec["id"]
