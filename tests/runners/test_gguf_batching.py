"""harness/runners/gguf_batching.py and the GPU engine record without a model: which paths batch where."""

from __future__ import annotations

import os

from harness.runners.gguf_batching import Batching
from harness.runners.llama_load import GPU_NOTE, NO_GRAPHS_ENV, engine_record


def test_a_hybrid_gguf_on_the_gpu_batches_and_keeps_its_states_on_the_device() -> None:
    b = Batching(llm=None, on_gpu=True, truncatable=False)
    assert b.size == 64 and b.keepers  # generation and scoring batched, saved states in keeper sequences


def test_the_cpu_and_attention_only_models_keep_no_device_states() -> None:
    cpu = Batching(llm=None, on_gpu=False, truncatable=False)
    assert cpu.size == 1 and cpu.scorer() is None and not cpu.keepers  # one at a time by default anyway
    assert not Batching(llm=None, on_gpu=True, truncatable=True).keepers  # a KV cache is cut back instead


def test_a_gpu_level_says_that_cuda_graphs_are_off() -> None:
    assert engine_record(-1, 64).note == GPU_NOTE and NO_GRAPHS_ENV in GPU_NOTE
    assert engine_record(0, 1).note == ""
    assert NO_GRAPHS_ENV not in os.environ or os.environ[NO_GRAPHS_ENV]  # nothing here loaded on a GPU
