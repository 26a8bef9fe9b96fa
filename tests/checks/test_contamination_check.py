"""The release's contamination check: a planted 13-word overlap with training data fails it."""

from __future__ import annotations

from harness.checks.contamination import check_contamination
from harness.training.contamination import record_text
from harness.training.mixture import load_source


def test_clean_eval_items_pass() -> None:
    check = check_contamination(["chat_fr"], [("fr/x:1", "Une question sans rapport avec les données d'entraînement.")])
    assert check.passed and check.name == "contamination"


def test_planted_overlap_fails_naming_both_items() -> None:
    record = load_source("replay_en").records[3]
    words = record_text(record).split()
    assert len(words) >= 13
    leaked = "Preamble words here. " + " ".join(words[:13]) + " and a different ending."
    check = check_contamination(["replay_en"], [("fr/leak:7", leaked)])
    assert not check.passed
    assert "fr/leak:7" in check.detail and "replay_en:" in check.detail
