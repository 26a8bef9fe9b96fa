"""French suite, on sets written for the project (evalsets/): multiple choice by log-likelihood,
short answers, and "answers in French when asked in French" (langid)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from harness.chat.thinking import answer_text
from harness.evals.core import Sample, Task, task
from harness.evals.fc import _shuffled, read_jsonl

MC_INSTRUCTION = "Réponds à la question."


def _data(name: str):
    from evalsets import DATA_DIR

    return read_jsonl(DATA_DIR / name)


def mc_samples() -> list[Sample]:
    samples = []
    for row in _data("fr_mc.jsonl"):
        text = (row.get("passage") or "").strip()
        question = f"{text}\n\n{row['question']}" if text else row["question"]
        samples.append(Sample(id=row["id"], messages=[{"role": "user", "content": f"{MC_INSTRUCTION}\n{question}"}],
                              choices=list(row["choices"]), target=int(row["answer"]),
                              metadata={"category": row.get("category", "")}))
    return _shuffled(samples)


def score_choice(sample: Sample, output: str) -> dict[str, float]:
    return {"mc_acc": float(output.strip() == str(sample.target))}


@task
def fr_mc() -> Task:
    return Task(name="fr/mc", version="fr_mc-1", dataset=mc_samples, solver="choices", scorer=score_choice,
                metrics=("mc_acc",))


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " " + re.sub(r"[^a-z0-9]+", " ", s).strip() + " "


def short_samples() -> list[Sample]:
    return _shuffled([Sample(id=r["id"], messages=[{"role": "user", "content": r["question"]}], target=r["answers"])
                      for r in _data("fr_short.jsonl")])


def score_short(sample: Sample, output: str) -> dict[str, float]:
    # Accents and case are ignored; an acceptable answer must appear as whole words of the answer
    # (reasoning before `</think>` does not count).
    out = _norm(answer_text(output))
    return {"short_acc": float(any(_norm(a) in out for a in sample.target))}


@task
def fr_short() -> Task:
    return Task(name="fr/short", version="fr_short-1", dataset=short_samples, solver="generate",
                scorer=score_short, metrics=("short_acc",), max_new_tokens=48)


@cache
def _langid():
    import langid

    langid.set_languages(["fr", "en", "es", "it", "de", "pt"])
    return langid


def lang_samples() -> list[Sample]:
    return _shuffled([Sample(id=r["id"], messages=[{"role": "user", "content": r["prompt"]}])
                      for r in _data("fr_lang.jsonl")])


def score_lang(sample: Sample, output: str) -> dict[str, float]:
    text = answer_text(output).strip()
    return {"lang_fr": float(bool(text) and _langid().classify(text)[0] == "fr")}


@task
def fr_lang() -> Task:
    return Task(name="fr/lang", version="fr_lang-1", dataset=lang_samples, solver="generate",
                scorer=score_lang, metrics=("lang_fr",), max_new_tokens=64)
