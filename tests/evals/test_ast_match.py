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


def test_bool_never_equals_number():
    assert not value_matches(True, 1)
    assert not value_matches(1, True)
    assert not value_matches(False, 0)
    assert not value_matches(0.0, False)
    assert value_matches(True, True)
    assert not value_matches(True, False)


def test_string_normalisation():
    assert value_matches("  San Francisco, CA ", "san francisco ca")
    assert value_matches("PARIS!", "paris")
    assert value_matches("new-york", "New York")
    assert normalize_string("  Hello,   World.  ") == "hello world"
    assert not value_matches("Paris", "Lyon")
    assert not value_matches("5", 5)  # a string is not a number


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


def test_expected_from_bfcl_and_project():
    gt = [{"math.hypot": {"x": [4], "y": [5], "z": ["", 0]}}]
    (e,) = expected_from_bfcl(gt)
    assert e == Expected("math.hypot", {"x": [4], "y": [5], "z": ["", 0]})
    assert call_matches(Call("math.hypot", {"x": 4, "y": 5}), e)
    assert call_matches(Call("math.hypot", {"x": 4.0, "y": 5, "z": 0}), e)
    (p,) = expected_from_project([{"name": "f", "arguments": {"a": ["x"]}}])
    assert p == Expected("f", {"a": ["x"]})
