"""The n-gram contamination check, and that the shipped training data shares no 13-gram with any eval
set: the project's French sets (evalsets/) and BFCL v4 (installed bfcl_eval package)."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import pytest

from evalsets import DATA_DIR as EVAL_DIR
from harness.training.contamination import Overlap, find_overlaps, ngrams, normalize_words, record_text

TRAIN_DIR = Path(__file__).resolve().parents[2] / "harness" / "training" / "data"
TRAIN_FILES = ["fc_en", "fc_fr", "chat_fr", "replay_en", "abstain_en", "abstain_fr", "abstain_near_en",
               "abstain_near_fr"]
EVAL_JSONL = ["fr_fc", "fr_mc", "fr_short", "fr_lang"]
EVAL_TEXT = ["heldout_fr.txt", "heldout_en.txt"]

WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen".split()


def test_normalize_words_lowercases_keeps_accents_and_splits_on_punctuation() -> None:
    assert normalize_words("L'Été, à Noël : déjà-vu!") == ["l", "été", "à", "noël", "déjà", "vu"]
    assert normalize_words("Œuvre ÇA") == ["œuvre", "ça"]


def test_ngrams() -> None:
    assert ngrams(["a", "b", "c"], 2) == {("a", "b"), ("b", "c")}
    assert ngrams(["a", "b"], 3) == set()


def test_overlap_of_exactly_n_words_is_found() -> None:
    shared = " ".join(WORDS[:13])
    found = find_overlaps([("t1", f"Before. {shared}, after.")], [("e1", f"{shared.upper()} — then more")])
    assert found == [Overlap("t1", "e1", shared)]


def test_overlap_of_n_minus_one_words_is_not_found() -> None:
    train = "alpha " + " ".join(WORDS[:12]) + " omega omega"
    evals = "beta " + " ".join(WORDS[:12]) + " zeta zeta"
    assert find_overlaps([("t", train)], [("e", evals)]) == []
    assert find_overlaps([("t", train)], [("e", evals)], n=12) != []


def test_accents_are_significant() -> None:
    base = "le café était très chaud ce matin à la gare près du quai numéro deux"
    stripped = "le cafe etait tres chaud ce matin a la gare pres du quai numero deux"
    assert len(normalize_words(base)) >= 13
    assert find_overlaps([("t", base)], [("e", stripped)]) == []
    first = " ".join(normalize_words(base)[:13])
    assert find_overlaps([("t", base.upper())], [("e", base)]) == [Overlap("t", "e", first)]


def test_texts_shorter_than_n_are_skipped() -> None:
    short = " ".join(WORDS[:5])
    assert find_overlaps([("t", short)], [("e", short)]) == []
    assert find_overlaps([("t", short)], [("e", short)], n=5) == [Overlap("t", "e", short)]


def test_one_overlap_per_pair() -> None:
    text = " ".join(WORDS)
    found = find_overlaps([("t", text)], [("e1", text), ("e2", text)])
    assert [(o.train_id, o.eval_id) for o in found] == [("t", "e1"), ("t", "e2")]


def test_record_text_covers_every_format() -> None:
    train = {"tools": [{"type": "function", "function": {
                 "name": "tool_x", "description": "Tool description.",
                 "parameters": {"type": "object", "properties": {"p": {"type": "string", "description": "Param doc"}}}}}],
             "messages": [{"role": "system", "content": "Sys."}, {"role": "user", "content": "Ask."},
                          {"role": "assistant", "content": "", "tool_calls": [
                              {"type": "function", "function": {"name": "tool_x", "arguments": {"p": "VALUE", "n": 7}}}]}]}
    text = record_text(train)
    for part in ["Sys.", "Ask.", "tool_x", "Tool description.", "Param doc", "VALUE", "7"]:
        assert part in text
    fc_eval = {"messages": [{"role": "user", "content": "Demande."}], "tools": [],
               "answer": [{"name": "outil", "arguments": {"a": ["Lyon", ""], "b": [["x", "y"]]}}]}
    assert record_text(fc_eval).split("\n") == ["Demande.", "outil", "Lyon", "x", "y"]
    mc = {"passage": "Texte.", "question": "Question ?", "choices": ["A", "B"], "answer": 1}
    assert record_text(mc).split("\n") == ["Texte.", "Question ?", "A", "B"]
    assert record_text({"question": "Q ?", "answers": ["r1", "r2"]}).split("\n") == ["Q ?", "r1", "r2"]
    assert record_text({"prompt": "Décris."}) == "Décris."
    bfcl = {"question": [[{"role": "user", "content": "Turn one."}], [{"role": "user", "content": "Turn two."}]],
            "function": [{"name": "f", "description": "Does f.", "parameters": {"type": "dict", "properties": {}}}]}
    assert record_text(bfcl).split("\n") == ["Turn one.", "Turn two.", "f", "Does f."]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _training_pairs() -> list[tuple[str, str]]:
    pairs = [(rec["id"], record_text(rec)) for name in TRAIN_FILES for rec in _jsonl(TRAIN_DIR / f"{name}.jsonl")]
    assert len(pairs) > 700
    return pairs


def _eval_pairs() -> list[tuple[str, str]]:
    pairs = [(item["id"], record_text(item)) for name in EVAL_JSONL for item in _jsonl(EVAL_DIR / f"{name}.jsonl")]
    for name in EVAL_TEXT:
        paragraphs = [p for p in (EVAL_DIR / name).read_text(encoding="utf-8").split("\n\n") if p.strip()]
        pairs += [(f"{name}#{i}", p) for i, p in enumerate(paragraphs, 1)]
    return pairs


def test_training_data_shares_no_13gram_with_the_project_eval_sets() -> None:
    overlaps = find_overlaps(_training_pairs(), _eval_pairs(), n=13)
    assert overlaps == [], overlaps[:10]


def _bfcl_pairs() -> list[tuple[str, str]]:
    pytest.importorskip("bfcl_eval")
    data = importlib.resources.files("bfcl_eval") / "data"
    pairs: list[tuple[str, str]] = []
    files = sorted(p for p in data.iterdir() if p.name.startswith("BFCL_v4_") and p.name.endswith(".json"))
    assert files, f"no BFCL_v4_*.json in {data}"
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                item = json.loads(line)
            except ValueError:
                continue  # not JSON-lines (BFCL_v4_format_sensitivity.json is one JSON object)
            if isinstance(item, dict) and ("question" in item or "function" in item):
                pairs.append((f"{path.name}:{item.get('id', n)}", record_text(item)))
    assert len(pairs) > 4000
    return pairs


def test_training_data_shares_no_13gram_with_bfcl_v4() -> None:
    # Index the small side (our training data) and scan BFCL's million words.
    overlaps = find_overlaps(_bfcl_pairs(), _training_pairs(), n=13)
    assert overlaps == [], [(o.eval_id, o.train_id, o.ngram) for o in overlaps[:10]]
