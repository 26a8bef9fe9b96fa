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


def test_gpu_loglikelihood_batches_are_length_sorted_within_token_budget():
    from harness.runners.hf import GPU_LL_TOKENS

    lengths = [5, 3000, 40, 9000, 7, 700, 700, 12000, 1]
    batches = _bare_runner("cuda", 4)._ll_batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= 4 and len(b) * max(lengths[i] for i in b) <= max(GPU_LL_TOKENS, lengths[b[0]])
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths)


def test_cpu_loglikelihood_batches_keep_request_order():
    assert _bare_runner("cpu", 3)._ll_batches([9, 1, 5, 2, 8]) == [[0, 1, 2], [3, 4]]


def test_device_override(monkeypatch):
    from harness.runners.hf import pick_device

    monkeypatch.setenv("HARNESS_DEVICE", "cpu")
    assert pick_device() == "cpu"
    monkeypatch.delenv("HARNESS_DEVICE")
    import torch

    assert pick_device() == ("cuda" if torch.cuda.is_available() else "cpu")
