"""harness/chat/parse.py: tool calls from <tool_call> tags or bare JSON."""

from __future__ import annotations

from harness.chat.parse import Call, parse_tool_calls


def test_one_tag():
    p = parse_tool_calls('Sure.\n<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>')
    assert p.attempted and p.json_valid
    assert p.calls == [Call("f", {"x": 1})]


def test_two_tags_parallel():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>\n'
                         '<tool_call>{"name": "g", "arguments": {}}</tool_call>')
    assert p.json_valid
    assert p.calls == [Call("f", {"x": 1}), Call("g", {})]


def test_unterminated_tag():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": {"x": "a"}}')
    assert p.attempted and p.json_valid
    assert p.calls == [Call("f", {"x": "a"})]


def test_invalid_json_in_tag():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": {"x": }</tool_call>')
    assert p.attempted is True
    assert p.json_valid is False
    assert p.calls == []


def test_one_good_one_bad_tag_is_not_json_valid():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": {}}</tool_call><tool_call>nope</tool_call>')
    assert p.attempted and not p.json_valid
    assert p.calls == [Call("f", {})]


def test_tag_without_name_is_not_valid():
    p = parse_tool_calls('<tool_call>{"arguments": {}}</tool_call>')
    assert p.attempted and not p.json_valid and p.calls == []


def test_bare_json_object():
    p = parse_tool_calls('  {"name": "f", "arguments": {"city": "Paris"}}\n')
    assert p.attempted and p.json_valid
    assert p.calls == [Call("f", {"city": "Paris"})]


def test_bare_json_list():
    p = parse_tool_calls('[{"name": "f", "arguments": {"a": 1}}, {"name": "g", "parameters": {"b": 2}}]')
    assert p.attempted and p.json_valid
    assert p.calls == [Call("f", {"a": 1}), Call("g", {"b": 2})]


def test_bare_empty_list_is_attempted_not_valid():
    p = parse_tool_calls("[]")
    assert p.attempted and not p.json_valid and p.calls == []


def test_bare_broken_json():
    p = parse_tool_calls('{"name": "f", "arguments": ')
    assert p.attempted and not p.json_valid


def test_arguments_as_json_string():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": "{\\"x\\": 2.5}"}</tool_call>')
    assert p.json_valid
    assert p.calls == [Call("f", {"x": 2.5})]
    bare = parse_tool_calls('{"name": "f", "arguments": "{\\"x\\": 2.5}"}')
    assert bare.calls == [Call("f", {"x": 2.5})]


def test_arguments_string_that_is_not_json():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": "x=1"}</tool_call>')
    assert p.attempted and not p.json_valid and p.calls == []


def test_arguments_not_an_object():
    p = parse_tool_calls('<tool_call>{"name": "f", "arguments": [1, 2]}</tool_call>')
    assert not p.json_valid


def test_plain_text():
    p = parse_tool_calls("Il fait beau à Paris aujourd'hui.")
    assert p.attempted is False and p.json_valid is False and p.calls == []


def test_empty_output():
    p = parse_tool_calls("")
    assert not p.attempted and not p.json_valid
