"""A GGUF file run in-process by llama.cpp, with the chat template embedded in that GGUF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from harness.runners._chat import ChatPromptMixin
from harness.runners.llama_load import llama_errors
from harness.runners.llama_load import threads as _threads  # noqa: F401  (bench/eval_speed.py imports it)


class GGUFRunner(ChatPromptMixin):
    kind = "gguf"

    def __init__(self, path: Path, n_ctx: int = 2048):
        from harness.models.inspect import read_gguf_info
        from harness.runners.llama_load import engine_record, gpu_layers, is_untruncatable, open_llama

        info = read_gguf_info(path)  # refuses damaged files before llama.cpp sees them
        self.path = path
        self.n_ctx = n_ctx
        self.n_gpu_layers = gpu_layers()
        self.engine = engine_record(self.n_gpu_layers)  # what the level reports it ran on
        # Two contexts over one mmapped file: generation wants last-token logits only, scoring wants all.
        self._gen = open_llama(path, n_ctx, n_gpu_layers=self.n_gpu_layers)
        self._score: Any = None
        # Recurrent/hybrid memory (Qwen3.5) cannot be cut back to a shared prefix (harness/runners/llama_state.py).
        self.untruncatable = is_untruncatable(self._gen)
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
            res = self._complete(toks, max_tokens=min(max_new_tokens, room - 1),
                                 stop=[self.eos_token] if self.eos_token else None)
            outs.append(res["choices"][0]["text"])
        return outs

    def generate_with_stop(self, prompts: list[str], max_new_tokens: int):
        from harness.runners import Generation

        outs = []
        for prompt in prompts:
            toks = self._tokens(prompt, self._gen)
            # No stop strings: llama.cpp then ends with finish_reason "stop" only on an end-of-generation token.
            res = self._complete(toks, max_tokens=max(1, min(max_new_tokens, self.n_ctx - len(toks) - 1)))
            choice = res["choices"][0]
            stopped = choice["finish_reason"] == "stop"
            outs.append(Generation(choice["text"], res["usage"]["completion_tokens"] + int(stopped), stopped))
        return outs

    def _complete(self, tokens: list[int], max_tokens: int, stop: list[str] | None = None) -> dict:
        """Greedy completion. llama-cpp-python reuses the KV cache of the prefix shared with the previous
        prompt (shared tool preambles); a recurrent state cannot be cut back, so there every prompt starts
        from an empty memory (what a fresh context computes, whatever the llama-cpp-python version)."""
        if self.untruncatable:
            self._gen.reset()
        with llama_errors(self.path, "generating"):
            return self._gen.create_completion(tokens, max_tokens=max_tokens, temperature=0.0, top_k=1, stop=stop)

    def _scorer(self) -> Any:
        if self._score is None:
            from harness.runners.llama_load import open_llama
            from harness.runners.llama_state import PrefixScorer

            llm = open_llama(self.path, self.n_ctx, logits_all=True, n_gpu_layers=self.n_gpu_layers)
            self._score = PrefixScorer(llm, truncatable=not self.untruncatable)
        return self._score

    def _all_logits(self, tokens: list[int]) -> np.ndarray:
        return self._logit_rows(tokens, 0, len(tokens))

    def _logit_rows(self, tokens: list[int], start: int, stop: int, keep: int = 0) -> np.ndarray:
        """Logits at positions [start, stop) of `tokens`; `keep`: the length of the context later calls may
        share (the choices of one multiple-choice item)."""
        with llama_errors(self.path, f"scoring {len(tokens)} tokens"):
            return self._scorer().rows(tokens, start, stop, keep)

    def loglikelihood(self, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
        llm = self._scorer().llm
        out = []
        for context, continuation in requests:
            ctx = self._tokens(context, llm)
            whole = llm.tokenize((context + continuation).encode("utf-8"), add_bos=self.add_bos, special=True)
            cont = whole[len(ctx):] if whole[: len(ctx)] == ctx else \
                llm.tokenize(continuation.encode("utf-8"), add_bos=False, special=True)
            tokens = (ctx + cont)[-self.n_ctx:]
            n_cont = len(cont)
            logp = _log_softmax(self._logit_rows(tokens, len(tokens) - n_cont - 1, len(tokens) - 1,
                                                 keep=len(tokens) - n_cont))
            target = np.array(tokens[len(tokens) - n_cont :])
            picked = logp[np.arange(n_cont), target]
            out.append((float(picked.sum()), bool((logp.argmax(-1) == target).all())))
        return out

    def logits_for_tokens(self, tokens: list[int]) -> np.ndarray:
        return self._all_logits(tokens[: self.n_ctx])

    def tokenize(self, text: str) -> list[int]:
        return self._tokens(text, self._gen)

    def close(self) -> None:
        for llm in (self._gen, self._score.llm if self._score is not None else None):
            if llm is not None:
                llm.close()


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))
