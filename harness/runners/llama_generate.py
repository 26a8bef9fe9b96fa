"""Greedy generation of many prompts at once in a SeqContext (continuous batching).

Each prompt takes a free sequence slot, its prompt is evaluated there, and every step decodes the next
token of all running sequences in one llama_decode; a finished sequence's slot takes the next prompt at
once. What each prompt returns is decided by `Completion`, a token-by-token copy of what
llama-cpp-python's `create_completion` does with greedy settings (end-of-generation tokens, stop
strings, its guard against cutting a multi-byte character, the length bound), so the batched path
returns the same text, finish reason and token count as the one-at-a-time path.
"""

from __future__ import annotations

import ctypes
from collections import deque
from typing import Any

import numpy as np

from harness.runners.llama_batch import SeqContext


class Vocab:
    """The pieces and end tokens of a model, as llama-cpp-python's detokenize sees them."""

    def __init__(self, llm: Any):
        import llama_cpp

        self._vocab = llm._model.vocab
        self._is_eog = llama_cpp.llama_vocab_is_eog
        self.bos = llm.token_bos()
        self._pieces: dict[int, bytes] = {}
        self._buf = (ctypes.c_char * 32)()

    def piece(self, token: int) -> bytes:
        got = self._pieces.get(token)
        if got is None:
            import llama_cpp

            # The same call and 32-byte buffer as llama-cpp-python's LlamaModel.detokenize (special=False).
            n = llama_cpp.llama_token_to_piece(self._vocab, token, self._buf, 32, 0, False)
            got = self._pieces[token] = bytes(self._buf[:n])
        return got

    def is_eog(self, token: int) -> bool:
        return bool(self._is_eog(self._vocab, token))


class Completion:
    """One prompt's greedy completion, fed one sampled token at a time (create_completion's loop with
    no suffix, echo or logprobs)."""

    def __init__(self, prompt: list[int], max_tokens: int, n_ctx: int, stops: list[str], vocab: Vocab):
        self.prompt, self.vocab = prompt, vocab
        if max_tokens <= 0:  # create_completion: unlimited up to the context
            max_tokens = n_ctx - len(prompt)
        self.max_tokens = max_tokens if max_tokens + len(prompt) < n_ctx else n_ctx - len(prompt)
        self.stops = [s.encode("utf-8") for s in stops]
        self.tokens: list[int] = []
        self._raw = b""
        self._multibyte_fix = 0
        self.text: str | None = None  # set when done
        self.finish = ""

    def _detok(self) -> bytes:
        starts_bos = bool(self.tokens) and self.tokens[0] == self.vocab.bos
        return self._raw[1:] if starts_bos and self._raw[:1] == b" " else self._raw

    def _end(self, text: bytes, finish: str) -> bool:
        self.text, self.finish = text.decode("utf-8", errors="ignore"), finish
        return True

    def feed(self, token: int) -> bool:
        """Take the next sampled token; True when the completion is over."""
        if self.vocab.is_eog(token):
            return self._end(self._detok(), "stop")
        self.tokens.append(token)
        self._raw += self.vocab.piece(token)
        all_text = self._detok()
        # An unfinished UTF-8 character at the end: wait for its next bytes (length bound included).
        for k, char in enumerate(all_text[-3:]):
            k = 3 - k
            for num, pattern in ((2, 192), (3, 224), (4, 240)):
                if num > k and pattern & char == pattern:
                    self._multibyte_fix = num - k
        if self._multibyte_fix > 0:
            self._multibyte_fix -= 1
            return False
        hits = [s for s in self.stops if s in all_text]
        if hits:
            return self._end(all_text[: all_text.index(hits[0])], "stop")
        if len(self.tokens) >= self.max_tokens:
            return self._end(all_text, "length")
        return False

    def cut(self) -> None:
        """End at the context's end (past the bound only while waiting for a character's last bytes,
        where create_completion itself would fail to decode)."""
        self._end(self._detok(), "length")


class BatchGenerator:
    """Greedy completions in a SeqContext; a prompt sharing a prefix with what its slot holds evaluates
    only the rest (as Llama.generate does with its single sequence)."""

    def __init__(self, sc: SeqContext, llm: Any, fill_gaps: bool = False):
        self.sc, self.vocab = sc, Vocab(llm)
        # GPU: a finished slot between running ones decodes a filler token, so that a step stays one ubatch
        # (llama.cpp cuts a batch over per-sequence streams at every gap in the ids, llama_waves.py).
        self.fill_gaps = fill_gaps

    def _start(self, slot: int, prompt: list[int]) -> np.ndarray:
        """Evaluate `prompt` in `slot`; the logits of its last token."""
        # Two tokens at least: llama.cpp's CPU attention takes another kernel for a single row, so a
        # one-token tail would make a prompt's logits depend on what its slot held before.
        keep = self.sc.reuse(slot, prompt, len(prompt) - 2)
        return self.sc.eval_chunked(slot, prompt, keep)

    def run(self, jobs: list[Completion]) -> None:
        """Complete every job (prompt length + bound within the slot's n_ctx), in order of arrival."""
        waiting = deque(jobs)
        running: dict[int, tuple[Completion, int]] = {}  # slot -> (job, its next token)
        while waiting or running:
            for slot in range(self.sc.n_seq):
                while slot not in running and waiting:
                    job = waiting.popleft()
                    token = int(np.argmax(self._start(slot, job.prompt)))
                    if not job.feed(token):
                        running[slot] = (job, token)
            if not running:
                continue
            slots = sorted(running)  # increasing ids: llama.cpp splits a batch at gaps in them
            rows = [(s, len(self.sc.held[s]), running[s][1], True) for s in slots]
            if self.fill_gaps:  # the filler's memory is cleared or cut back when the slot takes a prompt
                held = self.sc.held
                idle = [s for s in range(slots[0], slots[-1])
                        if s not in running and len(held[s]) < self.sc.n_ctx and held[s][:1] != [-1]]  # [-1]: unknown
                rows += [(s, len(held[s]), 0, False) for s in idle]
                rows.sort()
            picked = np.argmax(self.sc.decode(rows), axis=1)
            for s, token in zip(slots, picked.tolist()):
                job = running[s][0]
                if job.feed(token):
                    del running[s]
                elif len(self.sc.held[s]) >= self.sc.n_ctx:
                    job.cut()
                    del running[s]
                else:
                    running[s] = (job, token)
