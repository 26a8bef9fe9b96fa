"""An lm-eval model that runs a GGUF in-process through llama.cpp (`harness-llama`).

lm-eval's own `gguf` backend talks to a llama.cpp server and is broken against current servers; this one
wraps our GGUFRunner (a `Llama(logits_all=True)` context), and follows HFLM's tokenization conventions
(trailing context whitespace moved into the continuation, empty context scored after a prefix token) so
GGUF and HF levels are scored the same way and their numbers compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model
from lm_eval.utils import get_rolling_token_windows, make_disjoint_window

from harness.chat.thinking import answer_text, stored_output
from harness.evals.lmeval_pairs import hflm_pair
from harness.runners.gguf import GGUFRunner
from harness.stats import log_softmax


@register_model("harness-llama")
class HarnessLlamaLM(LM):
    """Built from a GGUFRunner (its template variables set by the release), or from `path=` (e.g.
    `--model harness-llama --model_args path=x.gguf,thinking=off`: the chat template's reasoning mode)."""

    def __init__(self, runner: GGUFRunner | None = None, path: str | None = None, n_ctx: int = 2048,
                 max_gen_toks: int = 256, thinking: str | None = None) -> None:
        super().__init__()
        if runner is None:
            if not path:
                raise ValueError("harness-llama needs a GGUFRunner or path=FILE.gguf")
            runner = GGUFRunner(Path(path), n_ctx=int(n_ctx))
        if thinking is not None:
            if str(thinking) not in ("off", "on"):
                raise ValueError(f"harness-llama: thinking must be off or on, not {thinking!r}")
            runner.template_vars = {**runner.template_vars, "enable_thinking": str(thinking) == "on"}
        self.runner = runner
        self.max_gen_toks = int(max_gen_toks)

    @property
    def max_length(self) -> int:
        return self.runner.n_ctx

    def _prefix_text(self) -> str:
        # HFLM conditions an empty context on BOS (else EOS); the runner parses special tokens in text.
        return "" if self.runner.add_bos else (self.runner.bos_token or self.runner.eos_token)

    def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        pairs = [hflm_pair(*req.args, self._prefix_text()) for req in requests]
        out = self.runner.loglikelihood(pairs)
        for req, result in zip(requests, out, strict=True):
            self.cache_hook.add_partial("loglikelihood", req.args, result)
        return out

    def _prefix_token(self) -> int:
        probe = self.runner.tokenize(self.runner.bos_token or self.runner.eos_token)
        return probe[-1]

    def loglikelihood_rolling(self, requests: list[Any], disable_tqdm: bool = False) -> list[float]:
        out = []
        for (text,) in [req.args for req in requests]:
            tokens = self.runner.tokenize(text)
            if self.runner.add_bos and tokens:
                prefix, body = tokens[0], tokens[1:]  # the GGUF's own BOS is the prefix
            else:
                prefix, body = self._prefix_token(), tokens
            total = 0.0
            # Disjoint windows of at most n_ctx tokens: every token predicted once, with maximal context.
            for window in get_rolling_token_windows(body, prefix, self.max_length, 1):
                ctx, pred = make_disjoint_window(window)
                seq = ctx + pred
                # The runner's scoring context gives logits for a token list without re-tokenizing text.
                logits = self.runner.logits_for_tokens(seq)
                logp = log_softmax(logits[len(ctx) - 1 : len(seq) - 1])
                total += float(logp[np.arange(len(pred)), np.array(pred)].sum())
            out.append(total)
            self.cache_hook.add_partial("loglikelihood_rolling", (text,), total)
        return out

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        out = []
        for context, gen_kwargs in [req.args for req in requests]:
            kwargs = dict(gen_kwargs or {})
            until = kwargs.get("until") or []
            stops = [until] if isinstance(until, str) else list(until)
            max_new = int(kwargs.get("max_gen_toks", self.max_gen_toks))
            # Greedy only: the same decoding for every level (DESIGN, "Evaluation method"). lm-eval scores
            # the answer: the text after the reasoning when the prompt opened a reasoning block.
            text = answer_text(stored_output(context, self.runner.generate([context], max_new)[0]))
            cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=len(text))
            out.append(text[:cut])
            self.cache_hook.add_partial("generate_until", (context, gen_kwargs), text[:cut])
        return out

    def apply_chat_template(self, chat_history: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        # The GGUF's own embedded template, as every other suite uses it; it always opens the answer turn.
        if not add_generation_prompt:
            raise NotImplementedError("harness-llama: prefilled assistant turns (gen_prefix) are not supported")
        return self.runner.chat_prompt(chat_history, None)

    @property
    def tokenizer_name(self) -> str:
        return str(self.runner.path)
