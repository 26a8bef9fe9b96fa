"""harness/evals/french.py scorers on hand-written outputs."""

from __future__ import annotations

from harness.evals.core import Sample
from harness.evals.french import score_choice, score_lang, score_short


def _short(*answers):
    return Sample(id="s", messages=[], target=list(answers))


def test_short_whole_word():
    assert score_short(_short("Paris"), "C'est Paris.") == {"short_acc": 1.0}
    assert score_short(_short("Par"), "C'est Paris.") == {"short_acc": 0.0}
    assert score_short(_short("Paris"), "Parisien") == {"short_acc": 0.0}


def test_short_ignores_accents_and_case():
    assert score_short(_short("Évian"), "Je bois de l'eau d'EVIAN.")["short_acc"] == 1.0
    assert score_short(_short("Genève"), "genève")["short_acc"] == 1.0
    assert score_short(_short("Noël"), "C'est noel demain")["short_acc"] == 1.0


def test_short_multiword_and_any_answer():
    assert score_short(_short("Victor Hugo"), "L'auteur est victor-hugo, bien sûr.")["short_acc"] == 1.0
    assert score_short(_short("1789", "dix-sept cent quatre-vingt-neuf"), "En 1789 !")["short_acc"] == 1.0
    assert score_short(_short("Lyon"), "Marseille")["short_acc"] == 0.0


def test_choice():
    s = Sample(id="m", messages=[], choices=["a", "b", "c"], target=2)
    assert score_choice(s, "2") == {"mc_acc": 1.0}
    assert score_choice(s, " 2\n") == {"mc_acc": 1.0}
    assert score_choice(s, "1") == {"mc_acc": 0.0}


def test_lang():
    s = Sample(id="l", messages=[])
    fr = "Bonjour, je suis très content de vous aider aujourd'hui avec votre question sur la cuisine française."
    en = "Hello, I am very happy to help you today with your question about French cooking."
    assert score_lang(s, fr) == {"lang_fr": 1.0}
    assert score_lang(s, en) == {"lang_fr": 0.0}
    assert score_lang(s, "") == {"lang_fr": 0.0}
    assert score_lang(s, "   \n") == {"lang_fr": 0.0}
