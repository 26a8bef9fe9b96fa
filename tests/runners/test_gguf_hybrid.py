"""harness/runners/gguf.py and llama_state.py on a hybrid GGUF (tiny Qwen3.5: Gated DeltaNet + attention)
and an attention-only one (tiny Qwen3): every score after other requests equals what a fresh context
gives for that request alone, bit for bit; the shared context of a multiple-choice item is evaluated once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.errors import StageError
from harness.runners.gguf import GGUFRunner

N_CTX = 512
PREAMBLE = "You are a careful assistant. Answer in one word. " * 8


def _requests(runner: GGUFRunner) -> list[tuple[str, str]]:
    """Multiple-choice items through the model's own template: one context, several continuations;
    contexts sharing a long preamble; one context that is a prefix of an earlier one; an item seen before."""
    out = []
    for q in ("Quelle est la capitale de la France ?", "How many legs has a spider?"):
        ctx = runner.chat_prompt([{"role": "user", "content": PREAMBLE + q}], None)
        out += [(ctx, c) for c in ("Paris", "Lyon", "eight legs", "I do not know")]
    out += [(PREAMBLE[:40], " careful"), ("Bonjour", " le monde"), (out[0][0], "Paris")]
    return out


def _fresh(path: Path, call, *args):
    r = GGUFRunner(path, n_ctx=N_CTX)
    try:
        return call(r, *args)
    finally:
        r.close()


@pytest.fixture(params=["qwen35", "qwen3"])
def model(request) -> tuple[str, Path]:
    return request.param, request.getfixturevalue(f"{request.param}_f16_gguf")


@pytest.mark.slow  # reading the Qwen vocabulary with GGUFReader takes about 10 s per file
def test_llama_cpp_says_which_memory_cannot_be_cut_back(qwen35_f16_gguf, qwen3_f16_gguf) -> None:
    hybrid, plain = GGUFRunner(qwen35_f16_gguf, n_ctx=64), GGUFRunner(qwen3_f16_gguf, n_ctx=64)
    try:
        assert hybrid.untruncatable and not plain.untruncatable
        assert hybrid.engine.engine == "llama.cpp" and hybrid.engine.device == "cpu"  # no GPU build here
    finally:
        hybrid.close()
        plain.close()


@pytest.mark.slow
def test_loglikelihoods_equal_a_fresh_context_exactly(model) -> None:
    name, path = model
    runner = GGUFRunner(path, n_ctx=N_CTX)
    runner.batch_size = 1  # the one-at-a-time scorer, whose evaluations this counts
    try:
        reqs = _requests(runner)
        llm = runner._scorer().llm
        evaluated: list[int] = []
        real_eval = llm.eval
        llm.eval = lambda toks: (evaluated.append(len(toks)), real_eval(toks))[1]
        together, work = [], []
        for req in reqs:  # one at a time, to count the tokens each request evaluated
            evaluated.clear()
            together += runner.loglikelihood([req])
            work.append(sum(evaluated))
        sizes = [(len(runner.tokenize(c + x)), len(runner.tokenize(c + x)) - len(runner.tokenize(c))) for c, x in reqs]
    finally:
        runner.close()
    alone = [_fresh(path, GGUFRunner.loglikelihood, [r])[0] for r in reqs]
    assert together == alone  # floats compared exactly: same splits, same state, same numbers
    assert all(np.isfinite(s) and s < 0 for s, _ in together) and len({s for s, _ in together[:4]}) == 4
    # Later choices of an item evaluate only their continuation (saved state, or the cut-back KV cache).
    assert work[0] == sizes[0][0] and work[1:4] == [n for _, n in sizes[1:4]]
    if name == "qwen3":  # a new context reuses the KV cache of the shared preamble
        assert work[4] < sizes[4][0] - 20
    else:  # a recurrent state holds no earlier position to go back to: the new context from scratch
        assert work[4] == sizes[4][0]


@pytest.mark.slow
def test_logits_for_tokens_after_scoring_equal_a_fresh_context(model) -> None:
    _, path = model
    runner = GGUFRunner(path, n_ctx=N_CTX)
    try:
        runner.loglikelihood(_requests(runner)[:3])
        tokens = runner.tokenize(PREAMBLE + "Once upon a time")
        other = tokens[:-3] + runner.tokenize(" the end")  # shares all but the last tokens
        first = runner.logits_for_tokens(tokens)
        again = runner.logits_for_tokens(other)
    finally:
        runner.close()
    assert np.array_equal(first, _fresh(path, GGUFRunner.logits_for_tokens, tokens))
    assert np.array_equal(again, _fresh(path, GGUFRunner.logits_for_tokens, other))


@pytest.mark.slow
def test_greedy_generation_equals_a_fresh_context(model) -> None:
    """create_completion reuses the KV prefix of the previous prompt; on the hybrid model it must not."""
    _, path = model
    runner = GGUFRunner(path, n_ctx=N_CTX)
    prompts = [runner.chat_prompt([{"role": "user", "content": PREAMBLE + q}], None)
               for q in ("Tell me a story.", "Tell me a joke.", "Tell me a story.")]
    prompts.append(prompts[0] + "Once")  # extends the first prompt
    try:
        texts = runner.generate(prompts, 16)
        stops = runner.generate_with_stop(prompts, 16)
    finally:
        runner.close()
    assert texts == [_fresh(path, GGUFRunner.generate, [p], 16)[0] for p in prompts]
    assert stops == [_fresh(path, GGUFRunner.generate_with_stop, [p], 16)[0] for p in prompts]
    assert texts[0] and texts[0] == texts[2]


def test_cutting_back_a_recurrent_state_is_the_bug_this_avoids(qwen35_f16_gguf) -> None:
    """What the runner did before: `n_tokens` set back on Qwen3.5. llama.cpp refuses the batch; the
    failure is one line naming the file and llama.cpp's reason, not a traceback from llama_decode."""
    runner = GGUFRunner(qwen35_f16_gguf, n_ctx=64)
    try:
        runner._scorer().truncatable = True
        with pytest.raises(StageError) as e:
            runner.loglikelihood([("The capital of France is", " Paris"), ("The capital of France is", " Lyon")])
    finally:
        runner.close()
    line = str(e.value)
    assert line.startswith(f"{qwen35_f16_gguf}: llama.cpp failed while scoring") and "\n" not in line
    assert "inconsistent sequence positions" in line
