"""harness/chat/tools.py: tools through the template or through the system prompt."""

from __future__ import annotations

import json

from harness.chat.tools import TOOL_SYSTEM_PROMPT, assistant_text, call_text, to_template_messages

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Météo d'une ville",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                        "required": ["city"]}}}
CONV = [
    {"role": "user", "content": "Quel temps à Lyon ?"},
    {"role": "assistant", "content": None,
     "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Lyon"}}}]},
    {"role": "tool", "content": '{"temp": 21}'},
    {"role": "assistant", "content": "Il fait 21 °C."},
]


def test_with_template_support_passes_through():
    msgs, tools = to_template_messages(CONV, [TOOL], True)
    assert msgs is CONV or msgs == CONV
    assert tools == [TOOL]


def test_with_template_support_empty_tools_is_none():
    _, tools = to_template_messages(CONV, [], True)
    assert tools is None


def test_without_support_tools_go_to_new_system_prompt():
    msgs, tools = to_template_messages(CONV, [TOOL], False)
    assert tools is None
    assert msgs[0]["role"] == "system"
    assert "get_weather" in msgs[0]["content"]
    assert json.dumps(TOOL["function"], ensure_ascii=False) in msgs[0]["content"]
    assert "<tool_call>" in msgs[0]["content"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant"]


def test_tool_calls_become_tool_call_text():
    msgs, _ = to_template_messages(CONV, [TOOL], False)
    text = msgs[2]["content"]
    assert text == '<tool_call>{"name": "get_weather", "arguments": {"city": "Lyon"}}</tool_call>'
    assert "tool_calls" not in msgs[2]


def test_tool_call_arguments_given_as_json_string():
    m = {"role": "assistant", "content": "Je regarde.",
         "tool_calls": [{"function": {"name": "f", "arguments": '{"a": 1}'}},
                        {"function": {"name": "g", "arguments": {"b": "é"}}}]}
    assert assistant_text(m) == ('Je regarde.\n<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call>\n'
                                 '<tool_call>{"name": "g", "arguments": {"b": "é"}}</tool_call>')


def test_tool_results_become_user_turns():
    msgs, _ = to_template_messages(CONV, [TOOL], False)
    assert msgs[3] == {"role": "user", "content": '<tool_response>{"temp": 21}</tool_response>'}


def test_existing_system_prompt_is_extended_not_replaced():
    conv = [{"role": "system", "content": "Tu es concis."}] + CONV
    msgs, _ = to_template_messages(conv, [TOOL], False)
    assert [m["role"] for m in msgs].count("system") == 1
    assert msgs[0]["content"].startswith("Tu es concis.\n\n")
    assert "get_weather" in msgs[0]["content"]
    assert msgs[0]["content"].endswith(TOOL_SYSTEM_PROMPT.splitlines()[-1])


def test_without_support_and_without_tools_adds_no_system():
    msgs, tools = to_template_messages(CONV, None, False)
    assert tools is None
    assert msgs[0] == {"role": "user", "content": "Quel temps à Lyon ?"}
    assert msgs[1]["content"].startswith("<tool_call>")


def test_input_messages_not_mutated():
    conv = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    to_template_messages(conv, [TOOL], False)
    assert conv == [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]


def test_call_text_roundtrips_through_parser():
    from harness.chat.parse import parse_tool_calls

    parsed = parse_tool_calls(call_text("get_weather", {"city": "Orléans"}))
    assert parsed.json_valid and parsed.calls[0].name == "get_weather"
    assert parsed.calls[0].arguments == {"city": "Orléans"}
