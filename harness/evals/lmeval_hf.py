"""An lm-eval model over the harness's HF runner, for HF levels on the GPU (`harness-hf`): lm-eval's
local multiple-choice tasks scored by HFRunner.loglikelihood, which batches requests by length and keeps
only the scored positions' logits on the device. On the H200 (4B shape, bench/RESULTS.md) lm-eval's
HFLM over the same model took 34 of a 61-minute HF level; the runner's scoring ran 1.30x the bare
transformers forward. HFLM stays where it is the reference: on the CPU (the demo's scores are HFLM's)
and for lm-eval's Hub tasks, which may ask for rolling log-likelihood or generation.

HFLM's tokenization conventions are kept (lmeval_pairs.hflm_pair): a context's trailing whitespace goes
to the continuation, an empty context is scored after the BOS token (else EOS)."""

from __future__ import annotations

from typing import Any

from lm_eval.api.model import LM

from harness.evals.lmeval_pairs import hflm_pair


class HarnessHFLM(LM):
    def __init__(self, runner: Any) -> None:
        super().__init__()
        self.runner = runner

    @property
    def max_length(self) -> int:
        return self.runner.n_ctx

    def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        prefix = self.runner.bos_token or self.runner.eos_token
        out = self.runner.loglikelihood([hflm_pair(*req.args, prefix) for req in requests])
        for req, result in zip(requests, out, strict=True):
            self.cache_hook.add_partial("loglikelihood", req.args, result)
        return out

    def loglikelihood_rolling(self, requests: list[Any], disable_tqdm: bool = False) -> list[float]:
        raise NotImplementedError("harness-hf scores multiple-choice tasks only (Hub tasks run on HFLM)")

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        raise NotImplementedError("harness-hf scores multiple-choice tasks only (Hub tasks run on HFLM)")

    @property
    def tokenizer_name(self) -> str:
        return str(self.runner.path)
