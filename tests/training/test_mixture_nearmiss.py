"""The near-miss abstention sources (abstain_near_en/fr): a request in one tool's domain that the tool
cannot serve, offered with that tool, answered in text (the shape of BFCL's irrelevance items)."""

from __future__ import annotations

import collections
import re

import pytest
from jsonschema import Draft202012Validator

from tests.training.test_mixture_files import NEAR, generator, load


def lang_of(name: str) -> str:
    return name.rsplit("_", 1)[1]


def pool_index(gen, lang: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """request -> (near tool, answer, tools the entry forbids)."""
    return {entry[0]: (near, entry[1], (*entry, ())[2]) for near, pools in gen.NEARMISS.NEAR_MISS.items()
            for entry in pools[lang]}


@pytest.mark.parametrize("name", NEAR)
def test_each_record_offers_its_near_tool_and_answers_in_text(name: str) -> None:
    gen, lang = generator(), lang_of(name)
    pool = pool_index(gen, lang)
    alone = with_sibling = 0
    for rec in load(name):
        assert set(rec) == {"id", "tools", "messages"}
        names = [t["function"]["name"] for t in rec["tools"]]
        assert 1 <= len(names) <= 3 and len(set(names)) == len(names), rec["id"]
        for tool in rec["tools"]:  # the project's schemas, in the record's language
            assert tool == gen.tool_schema(tool["function"]["name"], lang), rec["id"]
            Draft202012Validator.check_schema(tool["function"]["parameters"])
        roles = [m["role"] for m in rec["messages"]]
        assert roles in (["user", "assistant"], ["system", "user", "assistant"]), rec["id"]
        user, reply = rec["messages"][-2], rec["messages"][-1]
        near, answer, forbidden = pool[user["content"]]
        assert near in names and not set(names) & set(forbidden), rec["id"]
        # Besides the near tool, nothing that could serve a question itself (a conversion, a definition).
        assert all(n == near or n not in gen.ABSTAIN_UNSAFE for n in names), rec["id"]
        assert reply == {"role": "assistant", "content": answer}, rec["id"]
        domain = gen.NEARMISS.DOMAIN_OF[near]
        alone += names == [near]
        with_sibling += any(n != near and gen.NEARMISS.DOMAIN_OF[n] == domain for n in names)
    assert alone >= 15 and with_sibling >= 15, (alone, with_sibling)


@pytest.mark.parametrize("name", NEAR)
def test_every_tool_is_a_near_miss_at_least_four_times(name: str) -> None:
    gen = generator()
    records = load(name)
    pool = pool_index(gen, lang_of(name))
    requests = [r["messages"][-2]["content"] for r in records]
    assert len(set(requests)) == len(requests) == len(pool) >= 4 * len(gen.TOOLS)
    per_tool = collections.Counter(pool[q][0] for q in requests)
    assert set(per_tool) == set(gen.TOOLS) and min(per_tool.values()) >= gen.N_NEAR_PER_TOOL
    assert set(gen.NEARMISS.DOMAIN_OF) == set(gen.TOOLS)
    systems = sum(r["messages"][0]["role"] == "system" for r in records)
    assert 0.2 <= systems / len(records) <= 0.5


@pytest.mark.parametrize("name", NEAR)
def test_answers_are_brief_and_in_the_users_language(name: str) -> None:
    records = load(name)
    answers = [r["messages"][-1]["content"] for r in records]
    for a in answers:  # one or two sentences ("a.m." is not a sentence end)
        assert 10 <= len(a) <= 200 and len(re.findall(r"(?<!a\.m)[.!?](?:\s|$)", a)) <= 2, a
    lang = lang_of(name)
    langid = pytest.importorskip("langid")
    for texts in (answers, [r["messages"][-2]["content"] for r in records]):
        assert langid.classify(" ".join(texts))[0] == lang
    if lang == "fr":
        assert sum(bool(re.search(r"[éèàçùêâ]", a)) for a in answers) > 0.8 * len(answers)


def test_generator_refuses_an_entry_that_forbids_its_own_near_tool() -> None:
    gen = generator()
    request, answer = gen.NEARMISS.NEAR_MISS["set_timer"]["en"][0][:2]
    gen.NEARMISS.NEAR_MISS["set_timer"]["en"][0] = (request, answer, ("set_timer",))
    with pytest.raises(AssertionError):
        gen.build_abstain_near("en", gen.random.Random(0))


def test_generator_refuses_a_tool_without_enough_near_misses() -> None:
    gen = generator()
    del gen.NEARMISS.NEAR_MISS["book_taxi"]["fr"][1:]
    with pytest.raises(AssertionError, match="book_taxi"):
        gen.build_abstain_near("fr", gen.random.Random(0))
    gen = generator()
    del gen.NEARMISS.NEAR_MISS["track_package"]
    with pytest.raises(AssertionError, match="domain and pool"):
        gen.build_abstain_near("en", gen.random.Random(0))
