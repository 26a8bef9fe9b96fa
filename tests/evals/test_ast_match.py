"""harness/evals/ast_match.py: one test per BFCL-style matching rule."""

from __future__ import annotations

from harness.chat.parse import Call
from harness.evals.ast_match import (
    Expected,
    call_matches,
    calls_match,
    expected_from_bfcl,
    expected_from_project,
    normalize_string,
    value_matches,
)

AREA = Expected("calc_area", {"base": [10], "height": [5], "unit": ["units", ""]})


def test_exact_call_matches():
    assert call_matches(Call("calc_area", {"base": 10, "height": 5, "unit": "units"}), AREA)


def test_name_mismatch():
    assert not call_matches(Call("calc_volume", {"base": 10, "height": 5}), AREA)
    assert not call_matches(Call("Calc_Area", {"base": 10, "height": 5}), AREA)  # names are not normalised


def test_unknown_argument():
    assert not call_matches(Call("calc_area", {"base": 10, "height": 5, "color": "red"}), AREA)


def test_required_argument_missing():
    assert not call_matches(Call("calc_area", {"base": 10}), AREA)


def test_optional_argument_omitted_ok():
    assert call_matches(Call("calc_area", {"base": 10, "height": 5}), AREA)


def test_optional_argument_present_must_still_match():
    assert not call_matches(Call("calc_area", {"base": 10, "height": 5, "unit": "cm"}), AREA)


def test_int_accepted_for_float_answer():
    exp = Expected("f", {"x": [2.0]})
    assert call_matches(Call("f", {"x": 2}), exp)
    assert value_matches(3, 3.0)


def test_float_rejected_for_int_answer():
    assert not value_matches(2.5, 2)
    assert not value_matches(2.5, 3)
    assert not call_matches(Call("f", {"n": 2.5}), Expected("f", {"n": [2]}))


NUM = {"type": "number"}
INT = {"type": "integer"}
STR = {"type": "string"}


def test_declared_number_accepts_int_and_float():
    # BFCL: Python's int -> float conversion is allowed for a float parameter, whichever way the answer is written.
    assert value_matches(5, 5.0, NUM) and value_matches(5.0, 5, NUM) and value_matches(5, 5, NUM)
    assert not value_matches(5.5, 5, NUM)
    assert not value_matches(True, 1, NUM)


def test_declared_integer_refuses_any_float():
    assert value_matches(2, 2, INT)
    assert not value_matches(2.0, 2, INT)  # JSON 2.0 is a float: BFCL's type check refuses it
    assert value_matches(2.0, 2)  # without a declared type the answer's type decides: equal numbers
    assert not value_matches(False, 0, INT)
    exp = Expected("f", {"n": [2]}, {"n": INT})
    assert call_matches(Call("f", {"n": 2}), exp) and not call_matches(Call("f", {"n": 2.0}), exp)


def test_declared_string_boolean_array_object():
    assert not value_matches(5, "5", STR)
    assert not value_matches("true", True, {"type": "boolean"})
    assert not value_matches("[1]", [1], {"type": "array"})
    assert not value_matches('{"a": 1}', {"a": [1]}, {"type": "object"})
    assert value_matches(["1", "2"], ["1", "2"], {"type": "array", "items": STR})
    assert not value_matches([1, 2], ["1", "2"], {"type": "array", "items": STR})  # item types checked too
    # Deviation `int_in_number_array`: JSON has one number type (BFCL converts only top-level ints).
    assert value_matches([1, 2.5], [1.0, 2.5], {"type": "array", "items": NUM})
    assert not value_matches([2.0], [2], {"type": "array", "items": INT})
    assert value_matches(None, None, {"type": ["string", "null"]})  # a union of types


def test_answer_of_another_type_than_declared_passes_as_itself():
    # BFCL's "variable" answers: a name where a number is declared; null for a nullable default.
    assert value_matches("num_items", "num_items", INT)
    assert not value_matches(3, "num_items", INT)
    exp = Expected("f", {"city": ["Paris"], "county": ["", None]}, {"city": STR, "county": STR})
    assert call_matches(Call("f", {"city": "Paris", "county": None}), exp)
    assert call_matches(Call("f", {"city": "Paris"}), exp)
    assert not call_matches(Call("f", {"city": "Paris", "county": 0}), exp)
    assert value_matches(True, True, STR)  # answer written as a bool where a string is declared
    assert not value_matches("Num_Items", "num_items", INT)  # a variable answer compares exactly (BFCL)


def test_bool_never_equals_number():
    assert not value_matches(True, 1)
    assert not value_matches(1, True)
    assert not value_matches(False, 0)
    assert not value_matches(0.0, False)
    assert value_matches(True, True)
    assert not value_matches(True, False)


def test_string_normalisation_is_bfcls():
    # BFCL's standardize_string: spaces and , . / - _ * ^ dropped, lowercased, ' read as ".
    assert normalize_string("  Hello,   World.  ") == "helloworld"
    assert normalize_string("New-York_City/NY*2^3") == "newyorkcityny23"
    assert normalize_string("it's") == 'it"s'
    assert value_matches("  San Francisco, CA ", "san francisco ca")
    assert value_matches("SanFrancisco,CA", "San Francisco, CA")  # spaces removed, not collapsed
    assert value_matches("new-york", "New York")
    assert value_matches("April 1, 2024", "april 1 2024")
    assert value_matches("l'Olympique", 'l"olympique')  # quotes are one character
    assert not value_matches("PARIS!", "paris")  # other punctuation stays
    assert not value_matches("Paris?", "Paris")
    assert not value_matches("Paris", "Lyon")
    assert not value_matches("5", 5)  # a string is not a number


def test_string_normalisation_unicode_extensions():
    # Ours beyond BFCL: NFC (é typed as e + combining accent), any whitespace, the typographic apostrophe.
    assert value_matches("Orse\u0301olo", "Orséolo")
    assert value_matches("Musée\td’Orsay\n", "musée d'orsay")
    assert not value_matches("Musee d'Orsay", "Musée d'Orsay")  # accents are not dropped


def test_lists_element_wise_and_order_sensitive():
    assert value_matches([1, 2, 3], [1, 2, 3])
    assert value_matches(["Paris ", "LYON"], ["paris", "lyon"])
    assert not value_matches([3, 2, 1], [1, 2, 3])
    assert not value_matches([1, 2], [1, 2, 3])
    assert not value_matches("1,2,3", [1, 2, 3])
    # BFCL: the allowed list holds candidate lists.
    assert call_matches(Call("f", {"xs": [1, 2]}), Expected("f", {"xs": [[1, 2], [2, 1]]}))
    assert not call_matches(Call("f", {"xs": [1, 2, 2]}), Expected("f", {"xs": [[1, 2], [2, 1]]}))


def test_nested_dict_answers_bfcl_style():
    exp = Expected("book", {"place": [{"city": ["Paris", "paris france"], "country": ["France", ""]}]})
    assert call_matches(Call("book", {"place": {"city": "PARIS", "country": "france"}}), exp)
    assert call_matches(Call("book", {"place": {"city": "Paris France"}}), exp)  # inner optional omitted
    assert not call_matches(Call("book", {"place": {"country": "France"}}), exp)  # inner required missing
    assert not call_matches(Call("book", {"place": {"city": "Lyon"}}), exp)
    assert not call_matches(Call("book", {"place": {"city": "Paris", "zip": "75001"}}), exp)  # unknown inner key
    assert not call_matches(Call("book", {"place": "Paris"}), exp)


def test_parallel_calls_any_order():
    exp = [Expected("weather", {"city": ["Paris"]}), Expected("weather", {"city": ["Lyon"]})]
    a, b = Call("weather", {"city": "Paris"}), Call("weather", {"city": "Lyon"})
    assert calls_match([a, b], exp)
    assert calls_match([b, a], exp)
    assert not calls_match([a, a], exp)


def test_wrong_number_of_calls():
    exp = [Expected("weather", {"city": ["Paris"]})]
    a = Call("weather", {"city": "Paris"})
    assert not calls_match([a, a], exp)
    assert not calls_match([], exp)
    assert not calls_match([a], [])


def test_no_expected_and_no_calls_match():
    assert calls_match([], [])


def test_optional_argument_given_as_empty_string():
    # "" in the allowed list marks the argument optional; a value of "" is accepted as that candidate.
    exp = Expected("f", {"note": ["", "urgent"]})
    assert call_matches(Call("f", {"note": ""}), exp)
    assert call_matches(Call("f", {"note": "URGENT"}), exp)
    assert call_matches(Call("f", {}), exp)
    assert not call_matches(Call("f", {"note": "later"}), exp)


def test_empty_allowed_list_is_unsatisfiable_as_in_bfcl():
    # BFCL data has a few answers with no candidate at all ([]): neither a value nor omission passes.
    exp = Expected("record", {"a": [["x"]], "b": []})
    assert not call_matches(Call("record", {"a": ["x"]}), exp)
    assert not call_matches(Call("record", {"a": ["x"], "b": []}), exp)


def test_list_of_dicts_answer():
    exp = Expected("order", {"items": [[{"name": ["latte"], "size": ["large", ""]}, {"name": ["croissant"]}]]})
    assert call_matches(Call("order", {"items": [{"name": "Latte", "size": "large"}, {"name": "croissant"}]}), exp)
    assert call_matches(Call("order", {"items": [{"name": "latte"}, {"name": "croissant"}]}), exp)
    assert not call_matches(Call("order", {"items": [{"name": "croissant"}, {"name": "latte"}]}), exp)  # in order
    assert not call_matches(Call("order", {"items": [{"name": "latte"}]}), exp)


def test_parallel_matching_is_exact_not_greedy():
    # The first call fits both answers; a greedy matcher that gives it the first answer fails the second.
    exp = [Expected("book", {"city": ["Paris", "Lyon"]}), Expected("book", {"city": ["Paris"]})]
    assert calls_match([Call("book", {"city": "Paris"}), Call("book", {"city": "Lyon"})], exp)


def test_parallel_same_function_different_arguments_and_many_calls():
    exp = [Expected("w", {"c": [c]}) for c in "abcdefgh"]  # any size: a bipartite matching
    calls = [Call("w", {"c": c}) for c in "hgfedcba"]
    assert calls_match(calls, exp)
    assert not calls_match(calls[:-1] + [Call("w", {"c": "z"})], exp)


def test_expected_carries_the_tools_schemas():
    tools = [{"type": "function", "function": {"name": "f", "parameters": {
        "type": "object", "properties": {"n": INT, "x": NUM}}}}]
    (e,) = expected_from_bfcl([{"f": {"n": [2], "x": [1]}}], tools)
    assert e.schemas == {"n": INT, "x": NUM}
    assert call_matches(Call("f", {"n": 2, "x": 1.0}), e)
    assert not call_matches(Call("f", {"n": 2.0, "x": 1}), e)
    (p,) = expected_from_project([{"name": "f", "arguments": {"n": [2]}}], tools)
    assert p.schemas["n"] == INT
    (unknown,) = expected_from_bfcl([{"g": {"n": [2]}}], tools)
    assert unknown.schemas is None  # a function the tools do not declare: the answers' types decide


def test_expected_from_bfcl_and_project():
    gt = [{"math.hypot": {"x": [4], "y": [5], "z": ["", 0]}}]
    (e,) = expected_from_bfcl(gt)
    assert e == Expected("math.hypot", {"x": [4], "y": [5], "z": ["", 0]})
    assert call_matches(Call("math.hypot", {"x": 4, "y": 5}), e)
    assert call_matches(Call("math.hypot", {"x": 4.0, "y": 5, "z": 0}), e)
    (p,) = expected_from_project([{"name": "f", "arguments": {"a": ["x"]}}])
    assert p == Expected("f", {"a": ["x"]})


SCHEMA_TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {
    "type": "object", "required": ["city"],
    "properties": {"city": STR, "days": INT, "opts": {"type": "object", "properties": {"n": INT}}}}}}]


def test_schema_required_wins_over_an_omittable_answer():
    (e,) = expected_from_bfcl([{"f": {"city": ["Paris", ""], "days": ["", 3]}}], SCHEMA_TOOLS)
    assert call_matches(Call("f", {"city": "Paris"}), e)
    assert not call_matches(Call("f", {"days": 3}), e)  # BFCL checks the schema's `required` first


def test_argument_outside_the_schema_fails_even_when_the_answer_lists_it():
    (e,) = expected_from_bfcl([{"f": {"city": ["Paris"], "zip": ["", "75001"]}}], SCHEMA_TOOLS)
    assert call_matches(Call("f", {"city": "Paris"}), e)
    assert not call_matches(Call("f", {"city": "Paris", "zip": "75001"}), e)


def test_explicit_empty_string_only_for_strings():
    (e,) = expected_from_bfcl([{"f": {"city": ["Paris"], "days": ["", 3]}}], SCHEMA_TOOLS)
    assert not call_matches(Call("f", {"city": "Paris", "days": ""}), e)  # "" is not an integer
    (s,) = expected_from_bfcl([{"f": {"city": ["Paris", ""]}}], SCHEMA_TOOLS)
    assert call_matches(Call("f", {"city": ""}), s)


def test_object_values_are_compared_not_type_checked():
    (e,) = expected_from_bfcl([{"f": {"city": ["Paris"], "opts": [{"n": [2]}]}}], SCHEMA_TOOLS)
    assert call_matches(Call("f", {"city": "Paris", "opts": {"n": 2.0}}), e)  # 2.0 == 2, as in BFCL
    assert not call_matches(Call("f", {"city": "Paris", "opts": {"n": True}}), e)  # deviation `bool_number`
    assert not call_matches(Call("f", {"city": "Paris", "opts": {"n": "2"}}), e)


def test_undeclared_property_type_reads_as_string():
    any_tool = [{"type": "function", "function": {"name": "g", "parameters": {
        "type": "object", "required": [], "properties": {"v": {"description": "any"}}}}}]
    (e,) = expected_from_bfcl([{"g": {"v": ["Blue Sky", 5]}}], any_tool)
    assert call_matches(Call("g", {"v": "blue-sky"}), e) and not call_matches(Call("g", {"v": 6}), e)
    (n,) = expected_from_bfcl([{"g": {"v": [5]}}], any_tool)
    assert call_matches(Call("g", {"v": 5}), n) and not call_matches(Call("g", {"v": 5.0}), n)
