"""harness/chat/tools.py parse_arguments: OpenAI wire-format string `arguments` become objects."""

from __future__ import annotations

import pytest

from harness.chat.template import render
from harness.chat.tools import ArgumentsError, parse_arguments
from harness.errors import BadInput

# What Qwen3.5's template does with arguments (iterates them as a mapping), reduced to that.
ITEMS_TEMPLATE = ("{% for m in messages %}{% for c in m.tool_calls or [] %}{{ c.function.name }}("
                  "{% for k, v in c.function.arguments|items %}{{ k }}={{ v }};{% endfor %}){% endfor %}{% endfor %}")


def _conv(arguments):
    return [{"role": "user", "content": "Météo à Lyon ?"},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}]}]


def test_string_arguments_become_an_object_and_render():
    conv = _conv('{"city": "Lyon", "days": 2}')
    with pytest.raises(BadInput, match="failed to render"):
        render(ITEMS_TEMPLATE, conv)  # the failure this normalisation exists for
    fixed = parse_arguments(conv)
    assert fixed[1]["tool_calls"][0] == {"id": "call_1", "type": "function",
                                         "function": {"name": "get_weather", "arguments": {"city": "Lyon", "days": 2}}}
    assert render(ITEMS_TEMPLATE, fixed) == "get_weather(city=Lyon;days=2;)"
    assert conv[1]["tool_calls"][0]["function"]["arguments"] == '{"city": "Lyon", "days": 2}'  # not mutated


def test_object_arguments_and_turns_without_calls_pass_through():
    conv = _conv({"city": "Lyon"}) + [{"role": "tool", "content": "21"}]
    assert parse_arguments(conv) == conv


def test_call_without_function_wrapper():
    conv = [{"role": "assistant", "tool_calls": [{"name": "f", "arguments": '{"a": 1}'}]}]
    assert parse_arguments(conv)[0]["tool_calls"] == [{"name": "f", "arguments": {"a": 1}}]


@pytest.mark.parametrize(("arguments", "why"), [
    ("city=Lyon", "not JSON"),
    ('["Lyon"]', "must be an object"),
    ('"Lyon"', "must be an object"),
    (42, "must be an object"),
])
def test_arguments_that_are_not_an_object(arguments, why):
    with pytest.raises(ArgumentsError, match=why) as e:
        parse_arguments(_conv(arguments))
    assert "messages[1].tool_calls[0]" in str(e.value)


def test_call_without_name():
    with pytest.raises(ArgumentsError, match="function name"):
        parse_arguments([{"role": "assistant", "tool_calls": [{"function": {"arguments": {}}}]}])
