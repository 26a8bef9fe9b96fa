"""harness/chat/parse.py on Qwen3.5 (Qwen3-Coder XML) and Qwen3 (JSON) outputs as the models write them:
reasoning first (the stored output starts with the prompt's `<think>\\n` opener when thinking is on),
then the calls in the template's exact layout."""

from __future__ import annotations

import pytest

from harness.chat.parse import Call, parse_tool_calls

TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Météo", "parameters": {
        "type": "object", "required": ["city"], "properties": {
            "city": {"type": "string"}, "days": {"type": "integer"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}},
    {"type": "function", "function": {"name": "book_table", "description": "Réserver", "parameters": {
        "type": "object", "properties": {
            "restaurant": {"type": "string"}, "postcode": {"type": "string"}, "guests": {"type": "integer"},
            "budget": {"type": "number"}, "terrace": {"type": "boolean"},
            "dishes": {"type": "array", "items": {"type": "string"}},
            "contact": {"type": "object", "properties": {"name": {"type": "string"}, "phone": {"type": "string"}}},
            "note": {"type": ["string", "null"]}, "deposit": {"type": ["number", "null"]}}}}},
]


def xml_call(name: str, params: list[tuple[str, str]]) -> str:
    """One call in the layout of Qwen3.5's template (values already as the template writes them)."""
    body = "".join(f"<parameter={k}>\n{v}\n</parameter>\n" for k, v in params)
    return f"<tool_call>\n<function={name}>\n{body}</function>\n</tool_call>"


WEATHER = xml_call("get_weather", [("city", "Paris"), ("days", "3")])
THINK_ON = "<think>\n"  # what the runner puts in front of the output when the prompt opened the block


def test_single_call_thinking_off():
    p = parse_tool_calls(WEATHER, TOOLS)
    assert p.attempted and p.json_valid and p.format == "xml" and not p.unfinished
    assert p.calls == [Call("get_weather", {"city": "Paris", "days": 3})]


def test_call_after_closed_reasoning():
    out = THINK_ON + "The user wants the Paris forecast for 3 days.\n</think>\n\n" + WEATHER
    p = parse_tool_calls(out, TOOLS)
    assert p.json_valid and p.calls == [Call("get_weather", {"city": "Paris", "days": 3})]


def test_content_before_the_call():
    out = THINK_ON + "ok\n</think>\n\nJe regarde la météo.\n\n" + WEATHER
    assert parse_tool_calls(out, TOOLS).calls == [Call("get_weather", {"city": "Paris", "days": 3})]


def test_parallel_calls():
    out = WEATHER + "\n" + xml_call("get_weather", [("city", "Lyon"), ("unit", "fahrenheit")])
    p = parse_tool_calls(out, TOOLS)
    assert p.json_valid and p.calls == [Call("get_weather", {"city": "Paris", "days": 3}),
                                        Call("get_weather", {"city": "Lyon", "unit": "fahrenheit"})]


def test_typed_values_as_the_template_writes_them():
    out = xml_call("book_table", [
        ("restaurant", "Chez Lulu"), ("postcode", "69003"), ("guests", "4"), ("budget", "85.5"),
        ("terrace", "True"), ("dishes", '["quiche", "tarte"]'),
        ("contact", '{"name": "Zoé", "phone": "0612345678"}'), ("note", "None"), ("deposit", "None")])
    p = parse_tool_calls(out, TOOLS)
    assert p.json_valid
    args = p.calls[0].arguments
    assert args == {"restaurant": "Chez Lulu", "postcode": "69003", "guests": 4, "budget": 85.5, "terrace": True,
                    "dishes": ["quiche", "tarte"], "contact": {"name": "Zoé", "phone": "0612345678"},
                    "note": None, "deposit": None}
    assert type(args["guests"]) is int and type(args["postcode"]) is str and args["terrace"] is True


def test_multiline_string_value_keeps_inner_newlines():
    out = xml_call("book_table", [("note", "Table près de la fenêtre\nsi possible")])
    assert parse_tool_calls(out, TOOLS).calls[0].arguments == {"note": "Table près de la fenêtre\nsi possible"}


def test_call_inside_reasoning_is_ignored():
    out = THINK_ON + "Maybe:\n" + WEATHER + "\nNo, the user only says hello.\n</think>\n\nBonjour !"
    p = parse_tool_calls(out, TOOLS)
    assert not p.attempted and p.calls == [] and not p.unfinished and p.answer == "Bonjour !"


def test_unfinished_reasoning_has_no_calls():
    out = THINK_ON + "I should call get_weather.\n" + WEATHER + "\nThen maybe check Lyon as well, and"
    p = parse_tool_calls(out, TOOLS)
    assert p.unfinished and not p.attempted and not p.json_valid and p.calls == []


def test_unknown_tool_and_parameter_read_as_any_type():
    p = parse_tool_calls(xml_call("get_news", [("limit", "5"), ("topic", "sport")]) + "\n"
                         + xml_call("get_weather", [("city", "Nice"), ("hour", "12")]), TOOLS)
    assert p.json_valid  # decodes; the schema check is the scorer's business
    assert p.calls == [Call("get_news", {"limit": 5, "topic": "sport"}), Call("get_weather", {"city": "Nice", "hour": 12})]


def test_without_tools_values_are_read_as_any_type():
    assert parse_tool_calls(WEATHER).calls == [Call("get_weather", {"city": "Paris", "days": 3})]
    assert parse_tool_calls(xml_call("book_table", [("postcode", "69003")])).calls[0].arguments == {"postcode": 69003}
    assert parse_tool_calls(xml_call("book_table", [("postcode", "69003")]), TOOLS).calls[0].arguments == \
        {"postcode": "69003"}  # the schema is what keeps it a string


def test_no_parameters():
    p = parse_tool_calls("<tool_call>\n<function=get_weather>\n</function>\n</tool_call>", TOOLS)
    assert p.json_valid and p.calls == [Call("get_weather", {})]


def test_missing_final_tool_call_close_is_tolerated():
    p = parse_tool_calls(WEATHER.removesuffix("</tool_call>"), TOOLS)
    assert p.json_valid and p.calls[0].arguments == {"city": "Paris", "days": 3}


def test_bare_function_block_without_tool_call_tags():
    out = "<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>"
    p = parse_tool_calls(out, TOOLS)
    assert p.attempted and p.json_valid and p.format == "xml" and p.calls == [Call("get_weather", {"city": "Paris"})]


@pytest.mark.parametrize("out", [
    # unclosed parameter (followed by the next one, by the end of the function, by the end of the text)
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>",
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</function>\n</tool_call>",
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar",
    # unclosed function
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</tool_call>",
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n",
    # missing function name, missing parameter name
    "<tool_call>\n<function=>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>",
    "<tool_call>\n<function=get_weather>\n<parameter=>\nParis\n</parameter>\n</function>\n</tool_call>",
    # garbage between tags, or in place of the call
    "<tool_call>\n<function=get_weather>\ncity: Paris\n<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>",
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\noops\n</tool_call>",
    "<tool_call>\nget_weather(city='Paris')\n</tool_call>",
])
def test_malformed_xml_is_attempted_not_valid(out):
    p = parse_tool_calls(out, TOOLS)
    assert p.attempted and not p.json_valid and not p.unfinished


def test_one_malformed_call_keeps_the_good_one_but_is_not_valid():
    out = WEATHER + "\n<tool_call>\n<function=get_weather>\n<parameter=city>\nLyon\n</function>\n</tool_call>"
    p = parse_tool_calls(out, TOOLS)
    assert not p.json_valid and p.calls == [Call("get_weather", {"city": "Paris", "days": 3})]


# Qwen3 / Qwen2.5 / Hermes: JSON in the tags, and bare JSON


def test_qwen3_json_after_reasoning():
    out = ("<think>\nThe user asks for Lyon.\n</think>\n\n"
           '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lyon", "days": 2}}\n</tool_call>')
    p = parse_tool_calls(out, TOOLS)
    assert p.json_valid and p.format == "json" and p.calls == [Call("get_weather", {"city": "Lyon", "days": 2})]


def test_qwen3_unfinished_reasoning():
    out = '<think>\nLet me think about which tool... {"name": "get_weather"'
    p = parse_tool_calls(out, TOOLS)
    assert p.unfinished and p.calls == [] and not p.attempted


def test_mixed_json_and_xml_blocks():
    out = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lyon"}}\n</tool_call>\n' + WEATHER
    p = parse_tool_calls(out, TOOLS)
    assert p.json_valid and p.format == "mixed"
    assert p.calls == [Call("get_weather", {"city": "Lyon"}), Call("get_weather", {"city": "Paris", "days": 3})]


def test_bare_json_after_reasoning():
    out = THINK_ON + "simple\n</think>\n\n" + '[{"name": "get_weather", "arguments": {"city": "Brest"}}]'
    p = parse_tool_calls(out, TOOLS)
    assert p.json_valid and p.format == "bare_json" and p.calls == [Call("get_weather", {"city": "Brest"})]


def test_plain_answer_after_reasoning_is_no_call():
    p = parse_tool_calls(THINK_ON + "No tool fits.\n</think>\n\nJe ne peux pas réserver de train.", TOOLS)
    assert not p.attempted and p.format == "none" and p.answer == "Je ne peux pas réserver de train."
