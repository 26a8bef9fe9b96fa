"""A llama.cpp context that decodes many sequences together, each in its own memory stream.

The context shares the loaded model (and its mmapped weights) of a `llama_cpp.Llama` and copies that
Llama's context settings (threads, attention, cache types), so a sequence computes what the Llama's own
context computes for it. `kv_unified` is off: each sequence gets its own KV stream of `n_ctx` cells, so
its attention runs over its own cells in position order, whatever the other sequences hold; a unified
cache interleaves the sequences' cells and reuses freed cells out of order, which changes the order of
the floating-point sums and with it, rarely, a greedy token (the batched path must equal the
one-at-a-time one token for token). Recurrent and hybrid models get one state per sequence
(n_seq_max), which is all they need.

A recurrent state cannot be cut back to a prefix, so a state worth keeping (a multiple-choice item's
context, before each choice) is saved: to host memory (llama_state_seq_get_data) or, with `keepers`, on
the device, copied into a spare sequence (llama_memory_seq_cp: the recurrent cell shared and copied when
next written, the attention stream copied whole). Host saves cost 129 ms + 70 ms a restore for a
1,000-token Qwen3.5-4B state on the H200, more than evaluating the context again (bench/RESULTS.md).
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np


class SeqContext:
    """`n_seq` sequences (ids 0..n_seq-1) of up to `n_ctx` tokens each over `llm`'s model. `held[s]`: the
    tokens in sequence s's memory, so a later request sharing a prefix with them evaluates only the rest
    (`truncatable` memories only: a recurrent state cannot be cut back to a prefix)."""

    def __init__(self, llm: Any, n_ctx: int, n_seq: int, truncatable: bool, keepers: bool = False,
                 n_batch: int | None = None):
        import llama_cpp
        from llama_cpp import _internals

        params = llama_cpp.llama_context_params.from_buffer_copy(llm.context_params)
        # With keepers, sequences n_work.. keep the saved states of sequences 0..n_work-1 (save/restore).
        self.keepers = keepers and n_seq >= 2
        self.n_work = n_seq // 2 if self.keepers else n_seq
        params.n_seq_max = n_seq
        if n_batch:  # rows a llama_decode takes, all in one ubatch (WaveScorer fills them)
            params.n_batch = params.n_ubatch = n_batch
        params.kv_unified = False
        params.n_ctx = n_ctx * n_seq  # llama.cpp gives each stream n_ctx / n_seq_max cells
        self.n_batch = int(params.n_batch)
        self.n_seq, self.n_ctx, self.truncatable = n_seq, n_ctx, truncatable
        self.held: list[list[int]] = [[] for _ in range(n_seq)]
        self.n_vocab = llm.n_vocab()
        self._ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
        self.cap = max(self.n_batch, n_seq)
        self._batch = _internals.LlamaBatch(n_tokens=self.cap, embd=0, n_seq_max=1, verbose=False)
        b = self._batch.batch
        self._tok = np.ctypeslib.as_array(b.token, shape=(self.cap,))
        self._pos = np.ctypeslib.as_array(b.pos, shape=(self.cap,))
        self._out = np.ctypeslib.as_array(b.logits, shape=(self.cap,))
        for i in range(self.cap):
            b.n_seq_id[i] = 1
        self._seq_of: list[int] = [-1] * self.cap  # what each row's seq_id slot holds now

    def reuse(self, seq: int, tokens: list[int], limit: int) -> int:
        """Keep the longest prefix (at most `limit` tokens) that `seq` holds of `tokens`, drop the rest of
        its memory; the number of tokens kept (0 on a recurrent memory: cleared)."""
        import llama_cpp

        held, keep = self.held[seq], 0
        if self.truncatable:
            for a, b in zip(held, tokens[: max(0, limit)]):
                if a != b:
                    break
                keep += 1
        mem = llama_cpp.llama_get_memory(self._ctx.ctx)
        if not llama_cpp.llama_memory_seq_rm(mem, seq, keep if keep > 0 else -1, -1):
            raise RuntimeError(f"llama.cpp cannot drop positions >= {keep} of sequence {seq}")
        del held[keep:]
        return keep

    def save(self, seq: int) -> tuple[list[int], Any, int]:
        """`seq`'s memory, kept so that each continuation after a context starts from there, as
        PrefixScorer does: copied into its keeper sequence, or serialized (llama_state_seq_get_data)."""
        import llama_cpp

        if self.keepers:
            keeper = self.n_work + seq
            self.copy(seq, keeper)
            return list(self.held[seq]), None, keeper
        size = llama_cpp.llama_state_seq_get_size(self._ctx.ctx, seq)
        data = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(self._ctx.ctx, data, size, seq)
        if written == 0:
            raise RuntimeError(f"llama.cpp could not save the state of sequence {seq}")
        return list(self.held[seq]), data, written

    def restore(self, seq: int, saved: tuple[list[int], Any, int]) -> None:
        """`seq`'s memory set back to what `save` kept."""
        import llama_cpp

        tokens, data, size = saved
        if data is None:  # a keeper's copy
            if self.held[size] != tokens:
                raise RuntimeError(f"sequence {size} no longer holds the state kept for sequence {seq}")
            self.copy(size, seq)
            return
        llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(self._ctx.ctx), seq, -1, -1)
        self.held[seq] = [-1]  # unknown until the restore succeeds
        if llama_cpp.llama_state_seq_set_data(self._ctx.ctx, data, size, seq) == 0:
            raise RuntimeError(f"llama.cpp could not restore the state of sequence {seq}")
        self.held[seq] = list(tokens)

    def copy(self, src: int, dst: int) -> None:
        """dst's memory replaced by a copy of src's, on the device."""
        import llama_cpp

        mem = llama_cpp.llama_get_memory(self._ctx.ctx)
        llama_cpp.llama_memory_seq_rm(mem, dst, -1, -1)
        llama_cpp.llama_memory_seq_cp(mem, src, dst, -1, -1)
        self.held[dst] = list(self.held[src])

    def decode(self, rows: list[tuple[int, int, int, bool]]) -> np.ndarray:
        """Evaluate rows of (seq, pos, token, wants logits) in one llama_decode; the logits of the rows
        that want them, in row order ([n, vocab], a view valid until the next decode)."""
        n = len(rows)
        b = self._batch.batch
        want = 0
        for i, (seq, pos, tok, out) in enumerate(rows):
            self._tok[i], self._pos[i], self._out[i] = tok, pos, out
            if self._seq_of[i] != seq:
                b.seq_id[i][0] = seq
                self._seq_of[i] = seq
            want += bool(out)
        b.n_tokens = n
        try:
            self._ctx.decode(self._batch)
        except RuntimeError:
            for seq in {r[0] for r in rows}:  # what a failed batch left in memory is unknown
                self.held[seq] = [-1]
            raise
        for seq, pos, tok, _ in rows:
            assert pos == len(self.held[seq]), "positions must follow what the sequence holds"
            self.held[seq].append(tok)
        if not want:
            return np.empty((0, self.n_vocab), dtype=np.float32)
        ptr = llama_logits(self._ctx.ctx)
        return np.ctypeslib.as_array(ptr, shape=(want, self.n_vocab))

    def eval_chunked(self, seq: int, tokens: list[int], start: int) -> np.ndarray:
        """Evaluate tokens[start:] of `seq` (positions start..) in chunks of n_batch, as Llama.eval does;
        the logits of the last token."""
        last = None
        for i in range(start, len(tokens), self.n_batch):
            chunk = tokens[i : i + self.n_batch]
            end = i + len(chunk)
            last = self.decode([(seq, p, tokens[p], p == end - 1) for p in range(i, end)])
        assert last is not None, "nothing to evaluate"
        return last[0]

    def close(self) -> None:
        self._batch.close()
        self._ctx.close()


def llama_logits(ctx: Any) -> Any:
    import llama_cpp

    return ctypes.cast(llama_cpp.llama_get_logits(ctx), ctypes.POINTER(ctypes.c_float))


def batch_invariant(sc: SeqContext, probe: list[int]) -> bool:
    """Whether llama.cpp computes a sequence's next-token logits bit for bit the same decoded alone and
    decoded with all n_seq sequences in one batch. On the CPU that depends on the file's tensor types
    and the machine: llama.cpp takes its tinyBLAS kernels for F16 weights only from two rows up
    (ggml-cpu/llamafile/sgemm.cpp, "only enable sgemm for prompt processing") and repacked gemm
    kernels for some K-quant tensors only from four rows up (ggml-cpu/repack.cpp), and those round
    differently from the one-row kernels. Measured on an AVX2 machine with the demo model: F16 and
    Q3_K_M (at 4 rows) differ; Q4_1, Q8_0, Q4_K_M and Q2_K do not."""
    if sc.n_seq == 1:
        return True
    head, last, pos = probe[:-1], probe[-1], len(probe) - 1

    def fresh() -> None:  # every sequence holding the same head, evaluated as the same chunk
        for s in range(sc.n_seq):
            sc.reuse(s, [], 0)
            sc.eval_chunked(s, head, 0)

    fresh()
    alone = np.array(sc.decode([(0, pos, last, True)]))
    fresh()
    together = sc.decode([(s, pos, last, True) for s in range(sc.n_seq)])
    same = all(np.array_equal(row, alone[0]) for row in together)
    for s in range(sc.n_seq):
        sc.reuse(s, [], 0)
    return same
