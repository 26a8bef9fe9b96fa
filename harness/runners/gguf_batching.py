"""How many sequences a GGUFRunner decodes together, and the llama.cpp context that does it.

`size` 1 is the one-at-a-time path (create_completion, PrefixScorer), the CPU's default. Above 1,
generation and log-likelihood scoring run batched in one SeqContext of `size` sequences, made at the
first use. On the CPU, unless the size was set on the runner (`runner.batch_size = N`: tests, benches),
the first use checks that llama.cpp computes a batched row bit for bit as a lone one for this file
(llama_batch.batch_invariant); where it does not, the runner stays one at a time. The check covers the
decode step, not every chunking of a prompt: on a Q2_K file some greedy answers still moved, which is
why the CPU batches only when $HARNESS_LLAMA_BATCH asks.
"""

from __future__ import annotations

from typing import Any

from harness.runners.llama_batch import SeqContext, batch_invariant

# Rows of a GPU decode (n_batch = n_ubatch): a wave of 64 requests of ~100 tokens in a few decodes. A choice
# made from the vendored llama.cpp's batch rules, not yet measured (bench/gguf_waves.py compares 2048 and 4096).
GPU_UBATCH = 2048
PROBE = b"The capital of France is Paris, and the capital of Italy is"


class Batching:
    min_batched = 2  # the smallest size run batched (tests set 1 to run the engine with one sequence)

    def __init__(self, llm: Any, on_gpu: bool, truncatable: bool):
        from harness.runners.llama_load import batch_choice

        self._llm, self.on_gpu, self.truncatable = llm, on_gpu, truncatable
        self.size, self.forced = batch_choice(1 if on_gpu else 0), False  # forced: set() skips the probe
        self.note = ""  # why the runner fell back to one at a time, when it did
        # A recurrent memory's saved states stay on the device there (SeqContext keepers), host saves
        # being slower than evaluating again on the GPU; on the CPU host saves are nothing beside compute.
        self.keepers = on_gpu and not truncatable
        # The GPU scores in waves, many requests a decode (llama_waves.py), in decodes of GPU_UBATCH rows;
        # the CPU keeps BatchScorer, whose decodes of one sequence give the one-at-a-time path's numbers.
        self.waves = on_gpu
        self.n_batch = GPU_UBATCH if on_gpu else None
        self._sc: SeqContext | None = None
        self._gen: Any = None
        self._score: Any = None

    def set(self, size: int) -> None:
        if int(size) < 1:
            raise ValueError(f"batch_size must be at least 1, not {size}")
        self.size, self.forced, self.note = int(size), True, ""

    def context(self) -> SeqContext | None:
        """The batched context at the current size; None when running one at a time."""
        if self.size < self.min_batched:
            return None
        if self._sc is None or self._sc.n_seq != self.size:
            self.close()
            self._sc = SeqContext(self._llm, self._llm.n_ctx(), self.size, self.truncatable,
                                  self.keepers, self.n_batch)
            if not (self.forced or self.on_gpu):
                probe = self._llm.tokenize(PROBE, add_bos=True, special=False)
                if not batch_invariant(self._sc, probe):
                    self.note = ("llama.cpp's CPU kernels round a batched row differently from a lone one "
                                 "for this file's tensor types: one sequence at a time")
                    self.size = 1
                    self.close()
                    return None
        return self._sc

    def generator(self) -> Any:
        sc = self.context()
        if sc is None:
            return None
        if self._gen is None:
            from harness.runners.llama_generate import BatchGenerator

            self._gen = BatchGenerator(sc, self._llm, fill_gaps=self.waves)
        return self._gen

    def scorer(self) -> Any:
        """The batched log-likelihood scorer; None for one at a time."""
        sc = self.context()
        if sc is None:
            return None
        if self._score is None:
            from harness.runners.llama_load import threads

            if self.waves:
                from harness.runners.llama_waves import WaveScorer

                self._score = WaveScorer(sc, threads())
            else:
                from harness.runners.llama_score import BatchScorer

                self._score = BatchScorer(sc, threads())
        return self._score

    def close(self) -> None:
        if self._sc is not None:
            self._sc.close()
        self._sc = self._gen = self._score = None
