"""harness/runners/gguf_batching.py and the GPU engine record without a model: which paths batch where."""

from __future__ import annotations

import os

from harness.models.base import package_gguf_path
from harness.profiles import load_profile
from harness.runners import llama_load
from harness.runners.gguf_batching import GPU_UBATCH, Batching
from harness.runners.llama_load import GPU_NOTE, NO_GRAPHS_ENV, engine_record, open_llama


def test_a_gguf_on_the_gpu_batches_and_scores_in_waves() -> None:
    b = Batching(llm=None, on_gpu=True, truncatable=False)
    # generation and scoring batched; scored in waves (contexts copied to each choice), large decodes
    assert b.size == 64 and b.waves and b.n_batch == GPU_UBATCH >= 64 * 32


def test_the_cpu_and_attention_only_models_keep_no_device_states() -> None:
    cpu = Batching(llm=None, on_gpu=False, truncatable=False)
    assert cpu.size == 1 and cpu.scorer() is None and not cpu.keepers  # one at a time by default anyway
    assert not cpu.waves and cpu.n_batch is None  # batched on request: one sequence a decode, llama.cpp's n_batch
    assert not Batching(llm=None, on_gpu=True, truncatable=True).keepers  # a KV cache is cut back instead


def test_a_gpu_level_says_that_cuda_graphs_are_off() -> None:
    assert engine_record(-1, 64).note == GPU_NOTE and NO_GRAPHS_ENV in GPU_NOTE
    assert engine_record(0, 1).note == ""


def test_cuda_graphs_are_turned_off_before_a_gpu_load_only(monkeypatch) -> None:
    """llama.cpp reads GGML_CUDA_DISABLE_GRAPHS once, at its first graph: open_llama sets it before loading
    with layers on the GPU (a CPU build takes n_gpu_layers=-1 and runs on the CPU), never for a CPU load."""
    path = package_gguf_path(load_profile("demo").base)
    monkeypatch.setenv(NO_GRAPHS_ENV, "")  # recorded, so that the test's setting is undone after it
    monkeypatch.delenv(NO_GRAPHS_ENV)
    monkeypatch.setitem(llama_load._state, "echo", llama_load._state["echo"])  # a GPU load turns echo on
    open_llama(path, n_ctx=64, n_gpu_layers=0).close()
    assert NO_GRAPHS_ENV not in os.environ
    open_llama(path, n_ctx=64, n_gpu_layers=-1).close()
    assert os.environ[NO_GRAPHS_ENV] == "1"
