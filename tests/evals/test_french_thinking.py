"""French scorers read the answer after the reasoning: words in the reasoning earn nothing, and
reasoning that never closed is no answer."""

from __future__ import annotations

from harness.evals.core import Sample
from harness.evals.french import score_lang, score_short

Q = Sample(id="q", messages=[{"role": "user", "content": "Capitale de la France ?"}], target=["Paris"])


def test_short_answers_after_the_reasoning():
    assert score_short(Q, "<think>\nParis ? Lyon ?\n</think>\n\nLyon")["short_acc"] == 0.0
    assert score_short(Q, "<think>\nhmm\n</think>\n\nC'est Paris.")["short_acc"] == 1.0
    assert score_short(Q, "<think>\nParis, sans doute")["short_acc"] == 0.0  # unfinished
    assert score_short(Q, "Paris")["short_acc"] == 1.0  # thinking off: plain text as before


def test_language_of_the_answer_not_of_the_reasoning():
    out = "<think>\nThe user asks in French, I will answer in French.\n</think>\n\nLa capitale de la France est Paris."
    assert score_lang(Q, out)["lang_fr"] == 1.0
    assert score_lang(Q, "<think>\nLa question porte sur la capitale")["lang_fr"] == 0.0
