"""A GGUF file run in-process by llama.cpp, with the chat template embedded in that GGUF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from harness.runners._chat import ChatPromptMixin
from harness.runners.llama_load import llama_errors
from harness.runners.llama_load import threads as _threads
from harness.stats import token_logprobs


class GGUFRunner(ChatPromptMixin):
    kind = "gguf"

    def __init__(self, path: Path, n_ctx: int = 2048):
        from harness.models.inspect import read_gguf_info
        from harness.runners.gguf_batching import Batching
        from harness.runners.llama_load import gpu_layers, is_untruncatable, open_llama

        info = read_gguf_info(path)  # refuses damaged files before llama.cpp sees them
        self.path = path
        self.n_ctx = n_ctx
        self.n_gpu_layers = gpu_layers()
        # Two contexts over one mmapped file: generation wants last-token logits only, scoring wants all.
        self._gen = open_llama(path, n_ctx, n_gpu_layers=self.n_gpu_layers)
        self._score: Any = None
        # Recurrent/hybrid memory (Qwen3.5) cannot be cut back to a shared prefix (harness/runners/llama_state.py).
        self.untruncatable = is_untruncatable(self._gen)
        self._batching = Batching(self._gen, on_gpu=bool(self.n_gpu_layers), truncatable=not self.untruncatable)
        self.chat_template = info.chat_template or ""
        self.bos_token = self._piece(self._gen.token_bos())
        self.eos_token = self._piece(self._gen.token_eos())
        self.add_bos = info.add_bos
        if not self.chat_template:
            # No template of its own: scores must show the loss, so fall back to bare text.
            self.chat_template = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"

    @property
    def batch_size(self) -> int:
        """Sequences decoded together (1: one at a time); settable, e.g. by a bench."""
        return self._batching.size

    @batch_size.setter
    def batch_size(self, size: int) -> None:
        self._batching.set(size)

    @property
    def engine(self) -> Any:
        """What the level ran on (EngineInfo), for its report."""
        from harness.runners.llama_load import engine_record

        info = engine_record(self.n_gpu_layers, self.batch_size)
        info.note = "; ".join(n for n in (info.note, self._batching.note) if n)
        return info

    def _piece(self, token: int) -> str:
        return self._gen.detokenize([token], special=True).decode("utf-8", errors="replace") if token >= 0 else ""

    def _tokens(self, text: str, llm: Any) -> list[int]:
        return llm.tokenize(text.encode("utf-8"), add_bos=self.add_bos, special=True)

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[str]:
        jobs: list[tuple[list[int], int] | None] = []
        for prompt in prompts:
            toks = self._tokens(prompt, self._gen)
            room = self.n_ctx - len(toks)
            jobs.append(None if room <= 1 else (toks, min(max_new_tokens, room - 1)))
        done = self._run(jobs, [self.eos_token] if self.eos_token else [])
        return ["" if d is None else d[0] for d in done]

    def generate_with_stop(self, prompts: list[str], max_new_tokens: int):
        from harness.runners import Generation

        jobs: list[tuple[list[int], int] | None] = []
        for prompt in prompts:
            toks = self._tokens(prompt, self._gen)
            jobs.append((toks, max(1, min(max_new_tokens, self.n_ctx - len(toks) - 1))))
        # No stop strings: a completion then ends as "stop" only on an end-of-generation token.
        return [Generation(text, n + int(finish == "stop"), finish == "stop")
                for text, n, finish in self._run(jobs, [])]

    def _run(self, jobs: list[tuple[list[int], int] | None], stop: list[str]) -> list[Any]:
        """Greedy completions (text, new tokens, finish reason) of (prompt tokens, max new tokens), None
        passed through: batched when batch_size > 1, else one create_completion each."""
        out: list[Any] = [None] * len(jobs)
        batched = self._batching.generator()
        if batched is not None:
            from harness.runners.llama_generate import Completion

            n_ctx = self._gen.n_ctx()  # llama.cpp's bound, the one create_completion checks
            # create_completion refuses an empty prompt or one that fills the context: it says so below.
            todo = {i: Completion(j[0], j[1], n_ctx, stop, batched.vocab)
                    for i, j in enumerate(jobs) if j is not None and 0 < len(j[0]) < n_ctx}
            with llama_errors(self.path, "generating"):
                batched.run(list(todo.values()))
            for i, c in todo.items():
                out[i] = (c.text, len(c.tokens), c.finish)
        for i, j in enumerate(jobs):
            if j is not None and out[i] is None:
                res = self._complete(j[0], max_tokens=j[1], stop=stop or None)
                choice = res["choices"][0]
                out[i] = (choice["text"], res["usage"]["completion_tokens"], choice["finish_reason"])
        return out

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
        reqs = [self._request(context, continuation) for context, continuation in requests]
        out: list[tuple[float, bool] | None] = [None] * len(reqs)
        batched = self._batching.scorer()
        if batched is not None:
            todo = [i for i, (tokens, n) in enumerate(reqs) if 0 < n < len(tokens)]
            with llama_errors(self.path, f"scoring {len(todo)} requests"):
                for i, res in zip(todo, batched.score([reqs[i] for i in todo])):
                    out[i] = res
        for i, (tokens, n_cont) in enumerate(reqs):
            if out[i] is None:
                out[i] = self._score_one(tokens, n_cont)
        return out  # type: ignore[return-value]

    def _request(self, context: str, continuation: str) -> tuple[list[int], int]:
        """(tokens, how many of the last ones the continuation is), cut to the last n_ctx tokens."""
        llm = self._gen
        ctx = self._tokens(context, llm)
        whole = llm.tokenize((context + continuation).encode("utf-8"), add_bos=self.add_bos, special=True)
        cont = whole[len(ctx):] if whole[: len(ctx)] == ctx else \
            llm.tokenize(continuation.encode("utf-8"), add_bos=False, special=True)
        return (ctx + cont)[-self.n_ctx:], len(cont)

    def _score_one(self, tokens: list[int], n_cont: int) -> tuple[float, bool]:
        if n_cont == 0:  # an empty continuation: nothing to score
            return 0.0, True
        rows = self._logit_rows(tokens, len(tokens) - n_cont - 1, len(tokens) - 1, keep=len(tokens) - n_cont)
        picked, top = token_logprobs(rows, tokens[len(tokens) - n_cont :], _threads())
        return float(picked.sum()), bool(top.all())

    def logits_for_tokens(self, tokens: list[int]) -> np.ndarray:
        return self._all_logits(tokens[: self.n_ctx])

    def tokenize(self, text: str) -> list[int]:
        return self._tokens(text, self._gen)

    def close(self) -> None:
        self._batching.close()
        for llm in (self._gen, self._score.llm if self._score is not None else None):
            if llm is not None:
                llm.close()
