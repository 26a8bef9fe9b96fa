"""harness/evals/fc.py score_calls and read_jsonl on canned data; BFCL loading with schema conversion."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.evals.ast_match import Expected
from harness.evals.bfcl import bfcl_samples
from harness.evals.core import Sample
from harness.evals.fc import read_jsonl, score_calls
from harness.evals.schemas import to_json_schema

TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                   "required": ["city"]}}}]
MSGS = [{"role": "user", "content": "Météo à Paris ?"}]
CALL = Sample(id="c1", messages=MSGS, tools=TOOLS, target=[Expected("get_weather", {"city": ["Paris"], "days": ["", 1]})])
IRRELEVANT = Sample(id="i1", messages=MSGS, tools=TOOLS, target=[])


def test_irrelevance_no_call():
    scores = score_calls(IRRELEVANT, "Je ne peux pas répondre à cela.")
    assert scores == {"call_exact": 1.0, "relevance_acc": 1.0, "unfinished": 0.0}
    assert "json_valid" not in scores and "schema_valid" not in scores


def test_irrelevance_with_a_call():
    scores = score_calls(IRRELEVANT, '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>')
    assert scores == {"call_exact": 0.0, "relevance_acc": 0.0, "unfinished": 0.0}


def test_irrelevance_broken_call_attempt_is_still_a_call():
    assert score_calls(IRRELEVANT, "<tool_call>{oops")["call_exact"] == 0.0


def test_schema_violation_is_json_valid_but_not_schema_valid():
    scores = score_calls(CALL, '<tool_call>{"name": "get_weather", "arguments": {"city": 75}}</tool_call>')
    assert scores["json_valid"] == 1.0
    assert scores["schema_valid"] == 0.0
    assert scores["call_exact"] == 0.0


def test_unknown_tool_is_not_schema_valid():
    scores = score_calls(CALL, '<tool_call>{"name": "get_news", "arguments": {"city": "Paris"}}</tool_call>')
    assert scores["json_valid"] == 1.0 and scores["schema_valid"] == 0.0


def test_right_call_scores_all_ones():
    for out in ('<tool_call>{"name": "get_weather", "arguments": {"city": "paris"}}</tool_call>',
                '{"name": "get_weather", "arguments": {"city": "Paris", "days": 1}}'):
        assert score_calls(CALL, out) == {"json_valid": 1.0, "schema_valid": 1.0, "call_exact": 1.0, "call_acc": 1.0, "parse_fail": 0.0, "no_call": 0.0, "unfinished": 0.0}


def test_schema_valid_but_wrong_value():
    scores = score_calls(CALL, '<tool_call>{"name": "get_weather", "arguments": {"city": "Lyon"}}</tool_call>')
    assert scores == {"json_valid": 1.0, "schema_valid": 1.0, "call_exact": 0.0, "call_acc": 0.0, "parse_fail": 0.0, "no_call": 0.0, "unfinished": 0.0}


def test_no_call_when_one_expected():
    assert score_calls(CALL, "Il fait beau.") == {"json_valid": 0.0, "schema_valid": 0.0, "call_exact": 0.0, "call_acc": 0.0, "parse_fail": 0.0, "no_call": 1.0,
                                                  "unfinished": 0.0}


# read_jsonl


def _write(tmp_path, content: bytes | str, name: str = "set.jsonl"):
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return p


def test_read_jsonl_ok_skips_blank_lines(tmp_path):
    p = _write(tmp_path, '{"id": "a", "x": 1}\n\n{"id": "b"}\n')
    assert [r["id"] for r in read_jsonl(p)] == ["a", "b"]


def test_read_jsonl_bad_json_names_line(tmp_path):
    p = _write(tmp_path, '{"id": "a"}\n{"id": "b"}\n{"id": "c",\n')
    with pytest.raises(BadInput) as e:
        read_jsonl(p)
    assert e.value.line == 3
    assert f"{p}:3:" in str(e.value)
    assert "invalid JSON" in str(e.value)


def test_read_jsonl_duplicate_id(tmp_path):
    p = _write(tmp_path, '{"id": "a"}\n{"id": "a"}\n')
    with pytest.raises(BadInput, match="duplicate") as e:
        read_jsonl(p)
    assert e.value.line == 2


def test_read_jsonl_missing_id(tmp_path):
    with pytest.raises(BadInput, match="'id'"):
        read_jsonl(_write(tmp_path, '{"x": 1}\n'))


def test_read_jsonl_not_utf8(tmp_path):
    p = _write(tmp_path, b'{"id": "caf\xe9"}\n')
    with pytest.raises(BadInput, match="UTF-8") as e:
        read_jsonl(p)
    assert str(p) in str(e.value)


def test_read_jsonl_empty(tmp_path):
    for content in ("", "\n  \n"):
        with pytest.raises(BadInput, match="empty"):
            read_jsonl(_write(tmp_path, content))


# BFCL from the installed package


def test_to_json_schema_types():
    out = to_json_schema({"type": "dict", "properties": {
        "x": {"type": "float", "optional": True}, "t": {"type": "tuple", "items": {"type": "int"}},
        "a": {"type": "any"}}, "required": ["x"]})
    assert out == {"type": "object", "properties": {"x": {"type": "number"},
                                                     "t": {"type": "array", "items": {"type": "integer"}},
                                                     "a": {}}, "required": ["x"]}


def _types(schema):
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), str):
            yield schema["type"]
        for v in schema.values():
            yield from _types(v)
    elif isinstance(schema, list):
        for v in schema:
            yield from _types(v)


def test_bfcl_simple_python_loads_with_json_schema_types():
    samples = bfcl_samples("simple_python")
    assert len(samples) >= 100
    assert len({s.id for s in samples}) == len(samples)
    types = {t for s in samples for tool in s.tools for t in _types(tool["function"]["parameters"])}
    assert "dict" not in types and "float" not in types
    assert {"object", "number"} <= types
    by_id = {s.id: s for s in samples}
    s0 = by_id["simple_python_0"]
    assert s0.tools[0]["type"] == "function"
    assert s0.tools[0]["function"]["parameters"]["type"] == "object"
    assert s0.messages[0]["role"] == "user"
    assert s0.target and s0.target[0].name == "calculate_triangle_area"
    out = '<tool_call>{"name": "calculate_triangle_area", "arguments": {"base": 10, "height": 5}}</tool_call>'
    assert score_calls(s0, out) == {"json_valid": 1.0, "schema_valid": 1.0, "call_exact": 1.0, "call_acc": 1.0, "parse_fail": 0.0, "no_call": 0.0, "unfinished": 0.0}
    # the order is shuffled, but with a fixed seed
    assert [s.id for s in bfcl_samples("simple_python")] == [s.id for s in samples]


# Qwen3.5 XML calls and reasoning

XML_PARIS = "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=days>\n1\n</parameter>\n</function>\n</tool_call>"
THINK = "<think>\nThe user wants the weather in Paris.\n</think>\n\n"


def test_xml_call_scores_like_the_json_one():
    assert score_calls(CALL, THINK + XML_PARIS) == {"json_valid": 1.0, "schema_valid": 1.0, "call_exact": 1.0, "call_acc": 1.0, "parse_fail": 0.0, "no_call": 0.0,
                                                    "unfinished": 0.0}


def test_xml_values_are_typed_by_the_sample_tools():
    # "69003" stays a string because the item's schema says so; without the schema it reads as a number.
    tools = [{"type": "function", "function": {"name": "pharmacie", "parameters": {
        "type": "object", "properties": {"code_postal": {"type": "string"}, "jours": {"type": "integer"}}}}}]
    target = [Expected("pharmacie", {"code_postal": ["69003"], "jours": [2]})]
    out = ("<tool_call>\n<function=pharmacie>\n<parameter=code_postal>\n69003\n</parameter>\n"
           "<parameter=jours>\n2\n</parameter>\n</function>\n</tool_call>")
    with_tools = Sample(id="p1", messages=MSGS, tools=tools, target=target)
    assert score_calls(with_tools, out) == {"json_valid": 1.0, "schema_valid": 1.0, "call_exact": 1.0, "call_acc": 1.0, "parse_fail": 0.0, "no_call": 0.0, "unfinished": 0.0}
    assert score_calls(Sample(id="p2", messages=MSGS, tools=None, target=target), out)["call_exact"] == 0.0


def test_xml_value_of_wrong_type_fails_schema_only():
    out = XML_PARIS.replace("\n1\n", "\ndemain\n")
    assert score_calls(CALL, out) == {"json_valid": 1.0, "schema_valid": 0.0, "call_exact": 0.0, "call_acc": 0.0, "parse_fail": 0.0, "no_call": 0.0, "unfinished": 0.0}


def test_malformed_xml_is_not_json_valid():
    out = XML_PARIS.replace("</function>\n", "")
    assert score_calls(CALL, out)["json_valid"] == 0.0


def test_call_drafted_in_reasoning_does_not_count():
    out = "<think>\n" + XML_PARIS + "\nActually no tool is needed.\n</think>\n\nJe ne sais pas."
    assert score_calls(CALL, out)["call_exact"] == 0.0
    assert score_calls(IRRELEVANT, out) == {"call_exact": 1.0, "relevance_acc": 1.0, "unfinished": 0.0}


def test_unfinished_reasoning_never_passes_irrelevance():
    out = "<think>\nHmm, is there a tool for this? Let me list what I know about"
    assert score_calls(IRRELEVANT, out) == {"call_exact": 0.0, "relevance_acc": 0.0, "unfinished": 1.0}
    assert score_calls(CALL, out) == {"json_valid": 0.0, "schema_valid": 0.0, "call_exact": 0.0, "call_acc": 0.0, "parse_fail": 0.0, "no_call": 0.0, "unfinished": 1.0}


def test_unfinished_is_reported_per_task_group_and_suite():
    from harness.evals.aggregate import metrics
    from harness.records.items import ItemResult

    results = {"fc/bfcl_irrelevance": [ItemResult("fc/bfcl_irrelevance", f"i{k}", out, score_calls(IRRELEVANT, out))
                                       for k, out in enumerate(["<think>\nendless", "Non.", "<think>\nx</think>\nNon."])],
               "fc/fr_fc": [ItemResult("fc/fr_fc", "c1", XML_PARIS, score_calls(CALL, XML_PARIS))]}
    m = metrics(results)
    assert m["fc/bfcl_irrelevance/unfinished"].value == pytest.approx(1 / 3)
    assert m["fc/bfcl/unfinished"].n == 3
    assert m["fc/unfinished"].value == pytest.approx(1 / 4) and m["fc/unfinished"].n == 4
    assert m["fc/bfcl_irrelevance/call_exact"].value == pytest.approx(2 / 3)
