"""Scoring a token list in a llama.cpp context that keeps all logits, reusing what an earlier call left.

Attention-only models keep one KV entry per token: cutting the cache back to the prefix shared with the
previous call (`n_tokens` set back) reuses it, as llama-cpp-python's own generation does. Recurrent and
hybrid models (Mamba, RWKV; Qwen3.5's Gated DeltaNet layers) keep one running state that cannot be cut
back (llama.cpp then fails with `llama_decode returned -1`). For those, the state after a context is
saved (llama_state_seq_get_data) and restored for the next continuation of the same context; anything
else is evaluated from scratch. The work is split the same way either way (context, then
continuation), so a score is bit-identical to the one a fresh context gives for the same request.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class _Snapshot:
    tokens: list[int]  # the context whose state this is
    data: Any  # llama.cpp's serialized sequence state (ctypes buffer)
    size: int
    last_row: np.ndarray  # logits at the context's last position (they predict the continuation)


class PrefixScorer:
    """Logit rows of token lists in one `Llama(logits_all=True)` context."""

    def __init__(self, llm: Any, truncatable: bool):
        self.llm = llm
        self.truncatable = truncatable
        self._snap: _Snapshot | None = None

    def rows(self, tokens: list[int], start: int, stop: int, keep: int = 0) -> np.ndarray:
        """Logits at positions [start, stop) of `tokens`; `keep` is the length of a context that later
        calls may share (the choices of one multiple-choice item), 0 for none."""
        if self.truncatable:
            self._cut_back(tokens)
        else:
            self._from_state(tokens, keep)
        # Only the rows asked for, copied out of llama-cpp-python's n_ctx x vocab buffer.
        return np.array(self.llm.scores[start:stop], dtype=np.float32)

    def _cut_back(self, tokens: list[int]) -> None:
        llm = self.llm
        prev = llm.input_ids[: llm.n_tokens].tolist()
        k = 0
        for a, b in zip(prev, tokens):
            if a != b:
                break
            k += 1
        llm.n_tokens = min(k, len(tokens) - 1)  # at least one token evaluated: its logits are fresh
        llm.eval(tokens[llm.n_tokens :])

    def _from_state(self, tokens: list[int], keep: int) -> None:
        llm = self.llm
        snap = self._snap
        if 0 < keep < len(tokens) and snap is not None and snap.tokens == tokens[:keep]:
            self._restore(snap)
        else:
            llm.reset()
            self._clear()
            if 0 < keep < len(tokens):
                llm.eval(tokens[:keep])
                self._snap = self._save(tokens[:keep])
        llm.eval(tokens[llm.n_tokens :])

    def _clear(self) -> None:
        import llama_cpp

        # Llama.reset() of older llama-cpp-python only sets n_tokens back; the memory must be empty.
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.llm.ctx), True)

    def _save(self, tokens: list[int]) -> _Snapshot:
        import llama_cpp

        ctx = self.llm.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        data = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, data, size, 0)
        if written == 0:
            raise RuntimeError("could not save the sequence state")
        return _Snapshot(list(tokens), data, written, np.array(self.llm.scores[len(tokens) - 1], dtype=np.float32))

    def _restore(self, snap: _Snapshot) -> None:
        import llama_cpp

        llm = self.llm
        if llama_cpp.llama_state_seq_set_data(llm.ctx, snap.data, snap.size, 0) == 0:
            raise RuntimeError("could not restore the sequence state")
        n = len(snap.tokens)
        llm.n_tokens = n
        llm.input_ids[:n] = snap.tokens
        llm.scores[n - 1] = snap.last_row
