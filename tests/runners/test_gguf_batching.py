"""harness/runners/gguf_batching.py without a model: which paths batch where."""

from __future__ import annotations

from harness.runners.gguf_batching import SCORE_ONE_AT_A_TIME, Batching


def test_a_hybrid_gguf_on_the_gpu_scores_one_request_at_a_time_and_says_why() -> None:
    b = Batching(llm=None, on_gpu=True, truncatable=False)
    assert b.size == 64  # generation still batched
    assert b.scorer() is None and b.score_note == SCORE_ONE_AT_A_TIME


def test_the_cpu_and_attention_only_models_are_not_held_back_by_it() -> None:
    cpu = Batching(llm=None, on_gpu=False, truncatable=False)
    assert cpu.size == 1 and cpu.scorer() is None and cpu.score_note == ""  # one at a time by default anyway
