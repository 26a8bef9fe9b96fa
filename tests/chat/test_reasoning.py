"""harness/chat/reasoning.py: the answer after the last </think>; open reasoning is unfinished."""

from __future__ import annotations

from harness.chat.reasoning import split_reasoning


def test_plain_output_is_all_answer():
    r = split_reasoning("Il fait beau.\n")
    assert (r.answer, r.reasoning, r.unfinished) == ("Il fait beau.", "", False)


def test_closed_reasoning_then_answer():
    r = split_reasoning("<think>\nL'utilisateur veut la météo.\n</think>\n\nJe regarde.")
    assert r.answer == "Je regarde." and r.reasoning == "L'utilisateur veut la météo." and not r.unfinished


def test_thinking_off_output_is_plain():
    # Thinking off: the prompt ends "<think>\n\n</think>\n\n", the output holds no tag at all.
    r = split_reasoning('<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>')
    assert r.answer.startswith("<tool_call>") and not r.unfinished


def test_answer_is_after_the_last_close():
    r = split_reasoning("<think>a</think>draft<think>b</think>\n\nfinal")
    assert r.answer == "final" and not r.unfinished


def test_close_without_opener_still_splits():
    # An output stored without the prompt's opener (older stores): the close alone marks the answer.
    r = split_reasoning("réflexion\n</think>\n\nréponse")
    assert r.answer == "réponse" and r.reasoning == "réflexion"


def test_open_reasoning_is_unfinished():
    r = split_reasoning("<think>\nJe dois appeler get_weather. <tool_call>\n<function=get_weather>")
    assert r.unfinished and r.answer == ""
    assert "get_weather" in r.reasoning


def test_reasoning_reopened_after_close_is_unfinished():
    r = split_reasoning("<think>a</think>\n\n<think>and again, never closed")
    assert r.unfinished and r.answer == ""


def test_empty_output():
    r = split_reasoning("")
    assert r.answer == "" and not r.unfinished
