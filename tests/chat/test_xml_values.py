"""harness/chat/xml_values.py: XML parameter text typed by the tool's JSON Schema."""

from __future__ import annotations

import pytest

from harness.chat.xml_values import ANY, convert, value_types


@pytest.mark.parametrize(("schema", "text", "value"), [
    ({"type": "integer"}, "42", 42),
    ({"type": "integer"}, "-7", -7),
    ({"type": "integer"}, " 12 ", 12),  # spaces around a number are not part of it
    ({"type": "number"}, "2.5", 2.5),
    ({"type": "number"}, "3", 3),  # a number admits an integer
    ({"type": "number"}, "1e-05", 1e-05),  # Python's str of a small float
    ({"type": "boolean"}, "True", True),  # the template writes Python's str(True)
    ({"type": "boolean"}, "false", False),
    ({"type": "boolean"}, "FALSE", False),
    ({"type": "array", "items": {"type": "integer"}}, "[1, 2, 3]", [1, 2, 3]),
    ({"type": "array"}, '["Paris", "Lyon"]', ["Paris", "Lyon"]),
    ({"type": "array"}, "['Paris', 'Lyon']", ["Paris", "Lyon"]),  # Python repr: vLLM's literal fallback
    ({"type": "array"}, "(1, 2)", [1, 2]),
    ({"type": "object"}, '{"a": {"b": [1, null]}, "c": true}', {"a": {"b": [1, None]}, "c": True}),
    ({"type": "object"}, "{'a': True, 'b': None}", {"a": True, "b": None}),
    ({"type": "null"}, "null", None),
    ({"type": ["integer", "null"]}, "None", None),
    ({"type": ["integer", "null"]}, "4", 4),
    ({"type": ["string", "integer"]}, "4", 4),  # JSON alternatives first, as llama.cpp tries them
    ({"type": ["string", "integer"]}, "four", "four"),
    ({"anyOf": [{"type": "integer"}, {"type": "boolean"}]}, "True", True),
    ({"enum": [1, 2, 3]}, "2", 2),
    ({"type": "int"}, "5", 5),  # Python-style type names, as vLLM reads them
    ({"type": "float"}, "0.5", 0.5),
    ({"type": "dict"}, '{"k": 1}', {"k": 1}),
    ({"type": "int64"}, "9", 9),
])
def test_typed_values(schema, text, value):
    got = convert(text, schema)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["69003", "007", "3.0", "True", "null", "none", "[1, 2]", '{"a": 1}',
                                  "  padded  ", "ligne 1\nligne 2"])
def test_string_schema_keeps_the_text_exactly(text):
    assert convert(text, {"type": "string"}) == text
    assert convert(text, {"enum": ["a", "b"]}) == text  # an enum of strings is a string


@pytest.mark.parametrize("schema", [{"type": "string"}, {"type": "integer"}, {"type": "array"}, {}, None])
def test_python_none_is_null_for_every_type(schema):
    # The template writes None as "None": the JSON call's null, whatever the schema admits.
    assert convert("None", schema) is None


def test_null_words():
    assert convert("null", {"type": ["string", "null"]}) is None  # JSON null where a non-string is admitted
    assert convert("NULL", {"type": "integer"}) is None  # null in any case where it cannot be a string
    assert convert("null", {"type": "string"}) == "null"  # a string written as is


@pytest.mark.parametrize(("schema", "text"), [
    ({"type": "integer"}, "3.0"),  # a float is not an integer (the matcher refuses 2.0 too)
    ({"type": "integer"}, "douze"),
    ({"type": "integer"}, "True"),  # a boolean is not a number
    ({"type": "number"}, "inf"),  # not a JSON number
    ({"type": "number"}, "NaN"),
    ({"type": "boolean"}, "yes"),  # vLLM would say False; we keep the text so the schema check fails
    ({"type": "boolean"}, "1"),
    ({"type": "array"}, "[1, 2"),  # JSON that fails to parse
    ({"type": "array"}, '{"a": 1}'),  # an object where an array is declared
    ({"type": "object"}, '"a string"'),
    ({"type": "object"}, "{1, 2}"),  # a Python set is no JSON value
])
def test_unconvertible_values_stay_text(schema, text):
    assert convert(text, schema) == text


@pytest.mark.parametrize("schema", [{}, {"type": "any"}, {"type": "quaternion"}, {"$ref": "#/defs/x"},
                                    {"description": "no type"}, None])
def test_untyped_or_unknown_types_read_any_value(schema):
    assert value_types(schema) == ANY
    assert convert("12", schema) == 12
    assert convert("True", schema) is True
    assert convert("[1]", schema) == [1]
    assert convert("Paris", schema) == "Paris"
    assert convert('"quoted"', schema) == '"quoted"'  # a JSON string is never taken: the text is the string


def test_value_types_combinators():
    assert value_types({"type": ["string", "null"]}) == {"string", "null"}
    assert value_types({"type": "number"}) == {"number", "integer"}
    assert value_types({"const": True}) == {"boolean"}
    assert value_types({"enum": ["a", 1]}) == {"string", "integer"}
    assert value_types({"oneOf": [{"type": "string"}, {"type": "array"}]}) == {"string", "array"}
    assert value_types({"allOf": [{"type": ["string", "integer"]}, {"type": "integer"}]}) == {"integer"}


def test_deeply_nested_or_huge_text_does_not_crash():
    deep = "[" * 100_000 + "]" * 100_000  # past every recursion limit: a model can write this
    assert convert(deep, {"type": "array"}) == deep
    assert convert("(" * 50_000, {"type": "object"}) == "(" * 50_000
