"""harness/runners/hf.py on the embedded model: batched log-likelihoods equal one-at-a-time ones, and
generation honours the same context limit as the GGUF runner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.evals.french import mc_samples


@pytest.fixture(scope="module")
def hf(embedded_hf_dir: Path):
    from harness.runners.hf import HFRunner

    runner = HFRunner(embedded_hf_dir, n_ctx=256)
    yield runner
    runner.close()


@pytest.mark.slow
def test_batched_loglikelihood_equals_one_at_a_time(hf) -> None:
    requests = [(hf.chat_prompt(s.messages, None), c) for s in mc_samples()[:3] for c in s.choices]
    assert len(requests) >= 9 and len({len(hf.tokenize(c + x)) for c, x in requests}) > 1  # ragged: padding used
    batched = hf.loglikelihood(requests)
    hf.batch_size, size = 1, hf.batch_size
    try:
        single = hf.loglikelihood(requests)
    finally:
        hf.batch_size = size
    diffs = np.array([abs(a[0] - b[0]) for a, b in zip(batched, single, strict=True)])
    assert float(diffs.max()) < 1e-3
    assert [a[1] for a in batched] == [b[1] for b in single]
    assert all(np.isfinite(a[0]) and a[0] < 0 for a in batched)


@pytest.mark.slow
def test_fast_scoring_path_equals_the_exact_one(hf) -> None:
    """The GPU's scoring path (no mask over right padding, logits_to_keep, float32, one row for requests
    scored from the same inputs) run on the CPU model: the same sums as the masked float64 path; an empty
    context leaves its first token unscored and an empty continuation scores 0 and counts as greedy."""
    requests = [(hf.chat_prompt(s.messages, None), c) for s in mc_samples()[:3] for c in s.choices]
    question = hf.chat_prompt([{"role": "user", "content": "Quelle est la capitale ? A. Lyon B. Paris"}], None)
    requests += [(question + "Answer:", f" {x}") for x in "ABCD"]  # MMLU's shape: one-token answers
    requests += [("", "Bonjour tout le monde"), ("Le chat", "")]
    assert all(len(hf.tokenize(question + "Answer:" + f" {x}")) == len(hf.tokenize(question + "Answer:")) + 1
               for x in "ABCD")
    exact = hf.loglikelihood(requests)
    hf.fast_scoring, seen, score = True, [], hf._score_batch
    hf._score_batch = lambda rows, asks: seen.append(len(rows)) or score(rows, asks)
    try:
        fast = hf.loglikelihood(requests)
    finally:
        hf.fast_scoring = False
        del hf._score_batch
    assert sum(seen) <= len(requests) - 3  # the four answers read one row (so may choices alike but for a suffix)
    assert max(abs(a[0] - b[0]) for a, b in zip(exact, fast, strict=True)) < 1e-3
    assert [a[1] for a in exact] == [b[1] for b in fast]
    assert exact[-1] == (0.0, True) and exact[-2][0] < 0


@pytest.mark.slow
def test_generation_stops_at_the_context_limit(hf) -> None:
    short = hf.chat_prompt([{"role": "user", "content": "Bonjour !"}], None)
    n_short = len(hf.tokenize(short))
    too_long = hf.chat_prompt([{"role": "user", "content": "mot " * 400}], None)
    assert len(hf.tokenize(too_long)) >= hf.n_ctx
    near = hf.chat_prompt([{"role": "user", "content": "Raconte une histoire. " + "la " * 200}], None)
    room = hf.n_ctx - len(hf.tokenize(near)) - 1
    assert 0 < room < 40
    outs = hf.generate([short, too_long, near], 40)
    assert outs[1] == ""  # no room: no answer, as llama.cpp gives none
    assert len(hf.tokenize(outs[2])) <= room + 1  # re-tokenizing may merge or split one token
    alone = hf.generate([short], 40)[0]
    assert outs[0] == alone and n_short < hf.n_ctx  # batch neighbours do not change an answer


def _bare_runner(device: str, batch_size: int):
    from harness.runners.hf import HFRunner

    runner = HFRunner.__new__(HFRunner)  # batching only: no model needed
    runner.device, runner.batch_size = device, batch_size
    return runner


@pytest.mark.parametrize("gathers", [False, True])
def test_gpu_loglikelihood_batches_are_length_sorted_within_their_budgets(monkeypatch, gathers):
    from harness.runners import hf

    monkeypatch.setattr(hf, "GPU_LL_ROWS", 4)
    lengths = [5, 3000, 40, 9000, 7, 700, 700, 12000, 1, 30, 31, 32, 33, 34]
    contexts = [n - 1 for n in lengths]
    contexts[lengths.index(12000)] = 4000  # a long continuation: more kept logit rows than one batch holds
    runner = _bare_runner("cuda", 64)
    runner.gathers = gathers  # scored positions gathered: no B x T logits to bound
    batches = runner._ll_batches(lengths, contexts)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        width, first = max(lengths[i] for i in b), min(contexts[i] for i in b)
        assert len(b) == 1 or (len(b) <= 4 and len(b) * width <= hf.GPU_LL_TOKENS
                               and (gathers or len(b) * (width - first) <= hf.GPU_LL_LOGITS))
    longest = next(b for b in batches if lengths.index(12000) in b)
    assert (len(longest) > 1) == gathers
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths)
    assert max(len(b) for b in batches) == 4  # the short ones share batches up to the row cap


def test_cpu_loglikelihood_batches_keep_request_order():
    assert _bare_runner("cpu", 3)._ll_batches([9, 1, 5, 2, 8]) == [[0, 1, 2], [3, 4]]


def test_device_override(monkeypatch):
    from harness.runners.hf import pick_device

    monkeypatch.setenv("HARNESS_DEVICE", "cpu")
    assert pick_device() == "cpu"
    monkeypatch.delenv("HARNESS_DEVICE")
    import torch

    assert pick_device() == ("cuda" if torch.cuda.is_available() else "cpu")
