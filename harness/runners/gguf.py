"""A GGUF file run in-process by llama.cpp, with the chat template embedded in that GGUF."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from harness.runners._chat import ChatPromptMixin


def _threads() -> int:
    return max(1, len(os.sched_getaffinity(0)))


class GGUFRunner(ChatPromptMixin):
    kind = "gguf"

    def __init__(self, path: Path, n_ctx: int = 2048):
        from llama_cpp import Llama

        from harness.models.inspect import read_gguf_info

        info = read_gguf_info(path)  # refuses damaged files before llama.cpp sees them
        self.path = path
        self.n_ctx = n_ctx
        # Two contexts over one mmapped file: generation wants last-token logits only, scoring wants all.
        self._gen = Llama(str(path), n_ctx=n_ctx, n_threads=_threads(), verbose=False, seed=0)
        self._score: Any = None
        self.chat_template = info.chat_template or ""
        self.bos_token = self._piece(self._gen.token_bos())
        self.eos_token = self._piece(self._gen.token_eos())
        self.add_bos = info.add_bos
        if not self.chat_template:
            # No template of its own: scores must show the loss, so fall back to bare text.
            self.chat_template = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"

    def _piece(self, token: int) -> str:
        return self._gen.detokenize([token], special=True).decode("utf-8", errors="replace") if token >= 0 else ""

    def _tokens(self, text: str, llm: Any) -> list[int]:
        return llm.tokenize(text.encode("utf-8"), add_bos=self.add_bos, special=True)

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[str]:
        outs = []
        for prompt in prompts:
            toks = self._tokens(prompt, self._gen)
            room = self.n_ctx - len(toks)
            if room <= 1:
                outs.append("")
                continue
            # llama-cpp-python keeps the KV cache of the longest common prefix: shared tool preambles are reused.
            res = self._gen.create_completion(toks, max_tokens=min(max_new_tokens, room - 1), temperature=0.0,
                                              top_k=1, stop=[self.eos_token] if self.eos_token else None)
            outs.append(res["choices"][0]["text"])
        return outs

    def generate_with_stop(self, prompts: list[str], max_new_tokens: int):
        from harness.runners import Generation

        outs = []
        for prompt in prompts:
            toks = self._tokens(prompt, self._gen)
            # No stop strings: llama.cpp then ends with finish_reason "stop" only on an end-of-generation token.
            res = self._gen.create_completion(toks, max_tokens=max(1, min(max_new_tokens, self.n_ctx - len(toks) - 1)),
                                              temperature=0.0, top_k=1)
            choice = res["choices"][0]
            stopped = choice["finish_reason"] == "stop"
            outs.append(Generation(choice["text"], res["usage"]["completion_tokens"] + int(stopped), stopped))
        return outs

    def _scorer(self) -> Any:
        if self._score is None:
            from llama_cpp import Llama

            self._score = Llama(str(self.path), n_ctx=self.n_ctx, n_threads=_threads(), verbose=False,
                                logits_all=True, seed=0)
        return self._score

    def _all_logits(self, tokens: list[int]) -> np.ndarray:
        return self._logit_rows(tokens, 0, len(tokens))

    def _logit_rows(self, tokens: list[int], start: int, stop: int) -> np.ndarray:
        """Logits at positions [start, stop) of `tokens`, copied out of llama-cpp-python's n_ctx x vocab
        buffer: only the rows asked for (a few continuation tokens, not the whole context)."""
        llm = self._scorer()
        # Reuse the KV cache (and logits) of the prefix shared with the previous call: the choices of
        # one multiple-choice item, or items sharing a long tool preamble, are scored once.
        prev = llm.input_ids[: llm.n_tokens].tolist()
        k = 0
        for a, b in zip(prev, tokens):
            if a != b:
                break
            k += 1
        llm.n_tokens = min(k, len(tokens) - 1)
        llm.eval(tokens[llm.n_tokens :])
        return np.array(llm.scores[start:stop], dtype=np.float32)

    def loglikelihood(self, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
        llm = self._scorer()
        out = []
        for context, continuation in requests:
            ctx = self._tokens(context, llm)
            whole = llm.tokenize((context + continuation).encode("utf-8"), add_bos=self.add_bos, special=True)
            cont = whole[len(ctx):] if whole[: len(ctx)] == ctx else \
                llm.tokenize(continuation.encode("utf-8"), add_bos=False, special=True)
            tokens = (ctx + cont)[-self.n_ctx:]
            n_cont = len(cont)
            logp = _log_softmax(self._logit_rows(tokens, len(tokens) - n_cont - 1, len(tokens) - 1))
            target = np.array(tokens[len(tokens) - n_cont :])
            picked = logp[np.arange(n_cont), target]
            out.append((float(picked.sum()), bool((logp.argmax(-1) == target).all())))
        return out

    def logits_for_tokens(self, tokens: list[int]) -> np.ndarray:
        return self._all_logits(tokens[: self.n_ctx])

    def tokenize(self, text: str) -> list[int]:
        return self._tokens(text, self._gen)

    def close(self) -> None:
        for llm in (self._gen, self._score):
            if llm is not None:
                llm.close()


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))
