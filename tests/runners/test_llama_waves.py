"""harness/runners/llama_waves.py on the CPU (the GPU's scorer, forced here): the numbers of the
one-at-a-time path, and decodes laid out as llama.cpp runs them in one ubatch."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.runners.gguf import GGUFRunner
from tests.runners.test_gguf_batch import N_CTX, _ll_requests, demo_gguf  # noqa: F401  (a fixture)


def _one_ubatch(rows: list[tuple[int, int, int, bool]]) -> bool:
    """llama.cpp's split_equal over per-sequence streams: consecutive sequence ids, equal rows each."""
    per: dict[int, int] = {}
    for seq, *_ in rows:
        per[seq] = per.get(seq, 0) + 1
    ids = sorted(per)
    return ids == list(range(ids[0], ids[0] + len(ids))) and len(set(per.values())) == 1


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["demo_gguf", "qwen3_f16_gguf", "qwen35_f16_gguf"])
def test_waves_score_as_one_at_a_time_in_few_decodes(fixture: str, request) -> None:
    """Within 1e-3 of the one-at-a-time numbers with the same greedy flags (other batch shapes round
    differently on the CPU), every decode one ubatch but where a wave's last contexts end, and fewer
    decodes than requests. On Qwen3.5 the copies of a context's recurrent state carry it to each choice."""
    runner = GGUFRunner(request.getfixturevalue(fixture), n_ctx=N_CTX)
    try:
        reqs = _ll_requests(runner)
        reqs += [(f"Question {k}: is {k} even?", c) for k in range(12) for c in (" yes", " no, it is odd")]
        runner.batch_size = 1
        ref = runner.loglikelihood(reqs)
        runner._batching.waves, runner._batching.n_batch = True, 256
        runner.batch_size = 8
        sc = runner._batching.context()
        decodes: list[list] = []
        decode = sc.decode
        sc.decode = lambda r: (decodes.append(list(r)), decode(r))[1]
        copied: list[tuple[int, int]] = []
        copy = sc.copy
        sc.copy = lambda a, b: (copied.append((a, b)), copy(a, b))[1]
        got = runner.loglikelihood(reqs)
        assert type(runner._batching.scorer()).__name__ == "WaveScorer"
    finally:
        runner.close()
    assert [g for _, g in got] == [g for _, g in ref]
    assert max(abs(a - b) for (a, _), (b, _) in zip(got, ref)) <= 1e-3
    assert ref[-4 - 24] == (0.0, True) and got[-4 - 24] == (0.0, True)  # the empty continuation
    assert len(decodes) < len(reqs) / 2
    assert sum(_one_ubatch(r) for r in decodes) >= 0.8 * len(decodes), [sorted({s for s, *_ in r}) for r in decodes]
    assert all(len(r) <= 256 for r in decodes)
    assert copied  # the longer choices ride on copies of their context


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["demo_gguf", "qwen35_f16_gguf"])
def test_generation_with_filled_gaps_equals_one_at_a_time(fixture: str, request) -> None:
    """The GPU's generation: a finished slot between running ones decodes a filler row (no logits), so
    that every step is one ubatch; the answers stay token for token those of the one-at-a-time path."""
    runner = GGUFRunner(request.getfixturevalue(fixture), n_ctx=N_CTX)
    try:
        prompts = [runner.chat_prompt([{"role": "user", "content": q}], None) for q in
                   ("What is 2+2?", "Say hi.", "Write a long story about a dragon.", "Count from one to twenty.",
                    "Quelle est la capitale de la France ?", "Yes or no?")] + ["The capital of France is"] * 2
        runner.batch_size = 1
        ref = runner.generate_with_stop(prompts, 40)
        runner._batching.waves = True
        runner.batch_size = 8
        sc = runner._batching.context()
        steps: list[list] = []
        decode = sc.decode
        sc.decode = lambda r: (steps.append(list(r)), decode(r))[1]
        got = runner.generate_with_stop(prompts, 40)
    finally:
        runner.close()
    assert got == ref
    fillers = [r for step in steps for r in step if not r[3]]
    assert fillers and all(len({s for s, *_ in step}) == max(s for s, *_ in step) - min(s for s, *_ in step) + 1
                           for step in steps if len(step) <= 8)


@pytest.mark.slow
def test_long_choices_go_to_one_sequence_a_decode(demo_gguf: Path) -> None:
    """Continuations averaging more than LONG_CHOICES tokens after short contexts (HellaSwag's endings) go to
    BatchScorer, where waves were measured slower on the GPU: one sequence a decode, the same numbers;
    the same continuations after long contexts stay in waves."""
    from harness.runners.llama_waves import LONG_CHOICES

    ending = " and then the whole family walked slowly down to the river to watch the boats come in"
    runner = GGUFRunner(demo_gguf, n_ctx=N_CTX)
    try:
        short = [(f"Story {k}: it was a sunny day,", ending + f" at {k} o'clock.") for k in range(6)]
        assert all(len(runner.tokenize(q + c)) - len(runner.tokenize(q)) > LONG_CHOICES for q, c in short)
        preamble = " ".join(f"On day {d} the weather was fine and the town was quiet." for d in range(20))
        long = [(preamble + q, c) for q, c in short]
        runner.batch_size = 1
        ref = runner.loglikelihood(short + long)
        runner._batching.waves, runner._batching.n_batch = True, 256
        runner.batch_size = 4
        sc = runner._batching.context()
        seqs: list[set[int]] = []
        decode = sc.decode
        sc.decode = lambda r: (seqs.append({s for s, *_ in r}), decode(r))[1]
        got = runner.loglikelihood(short)
        one_a_decode, seqs[:] = list(seqs), []
        got += runner.loglikelihood(long)
    finally:
        runner.close()
    assert [g for _, g in got] == [g for _, g in ref]
    assert max(abs(a - b) for (a, _), (b, _) in zip(got, ref)) <= 1e-3
    assert one_a_decode and all(len(s) == 1 for s in one_a_decode)
    assert any(len(s) > 1 for s in seqs)  # long contexts: waves
