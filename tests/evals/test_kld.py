"""KL divergence per token against hand-computed values (harness/evals/kld.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.evals.kld import compare_logits, kld_metrics, merge


def test_identical_logits_give_zero_kld_full_agreement_unit_ppl_ratio() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(40, 11))
    tokens = rng.integers(0, 11, size=40).tolist()
    s = compare_logits(logits, logits.copy(), tokens, warmup=4)
    assert np.allclose(s.kld, 0.0) and s.top1_agree.all()
    m = kld_metrics(s)
    assert m["kld/mean"].value == 0.0 and m["kld/ppl_ratio"].value == 1.0 and m["kld/top1_agree"].value == 1.0


def test_kld_matches_the_analytic_value_for_two_token_distributions() -> None:
    # P = (0.8, 0.2), Q = (0.5, 0.5): KL = 0.8 ln 1.6 + 0.2 ln 0.4
    p = np.log(np.array([0.8, 0.2]))
    q = np.log(np.array([0.5, 0.5]))
    ref = np.tile(p, (6, 1))
    lvl = np.tile(q, (6, 1))
    s = compare_logits(ref, lvl, [0] * 6, warmup=0)
    expected = 0.8 * math.log(1.6) + 0.2 * math.log(0.4)
    assert np.allclose(s.kld, expected)
    # next token 0 each time: NLL_ref = -ln 0.8, NLL_level = -ln 0.5
    ratio = kld_metrics(s)["kld/ppl_ratio"].value
    assert math.isclose(ratio, math.exp(-math.log(0.5) + math.log(0.8)), rel_tol=1e-9)


def test_top1_disagreement_and_merge_concatenates_chunks() -> None:
    ref = np.array([[2.0, 0.0], [2.0, 0.0], [2.0, 0.0]])
    lvl = np.array([[0.0, 2.0], [2.0, 0.0], [2.0, 0.0]])
    a = compare_logits(ref, lvl, [0, 0, 0], warmup=0)
    assert a.top1_agree.tolist() == [0.0, 1.0]
    both = merge([a, a])
    assert len(both.kld) == 4 and kld_metrics(both)["kld/top1_agree"].value == 0.5


def test_kld_max_is_the_worst_token() -> None:
    ref = np.log(np.array([[0.5, 0.5], [0.9, 0.1], [0.5, 0.5]]))
    lvl = np.log(np.array([[0.5, 0.5], [0.1, 0.9], [0.5, 0.5]]))
    s = compare_logits(ref, lvl, [0, 0, 0], warmup=0)
    worst = kld_metrics(s)["kld/max"]
    assert math.isclose(worst.value, 0.9 * math.log(9) + 0.1 * math.log(1 / 9))
    assert worst.ci_high == worst.value and worst.n == 2


@pytest.mark.slow
def test_kld_of_a_hybrid_gguf_against_itself_is_exactly_zero_after_other_scoring(qwen35_f16_gguf) -> None:
    """Qwen3.5's recurrent state is left behind by multiple-choice scoring; the held-out chunks of the KLD
    stage must still get the logits a fresh context gives (harness/runners/llama_state.py)."""
    from harness.evals.kld import heldout_chunks
    from harness.runners.gguf import GGUFRunner

    runner = GGUFRunner(qwen35_f16_gguf, n_ctx=256)
    try:
        chunks = heldout_chunks(runner.tokenize, 600, chunk=256)
        runner.loglikelihood([("Bonjour, je suis", " content"), ("Bonjour, je suis", " Paris")])
        level = [runner.logits_for_tokens(c) for c in chunks]
    finally:
        runner.close()
    fresh = GGUFRunner(qwen35_f16_gguf, n_ctx=256)
    try:
        ref = [fresh.logits_for_tokens(c) for c in chunks]
    finally:
        fresh.close()
    assert len(chunks) == 2 and all(np.array_equal(a, b) for a, b in zip(level, ref, strict=True))
    m = kld_metrics(merge([compare_logits(r, x, c) for r, x, c in zip(ref, level, chunks, strict=True)]))
    assert m["kld/mean"].value == 0.0 and m["kld/top1_agree"].value == 1.0 and m["kld/ppl_ratio"].value == 1.0
    assert m["kld/mean"].n == 2 * (256 - 32 - 1)
