"""An lm-eval model over the harness's HF runner, for HF levels on the GPU (`harness-hf`): log-likelihood
requests scored by HFRunner.loglikelihood, which batches them by length and keeps only the scored
positions' logits on the device. On the H200 (4B shape, bench/RESULTS.md) lm-eval's HFLM over the same
model took 34 of a 61-minute HF level; the runner's scoring ran 1.8x HFLM on HellaSwag. What the
multiple-choice tasks do not ask (rolling log-likelihood, generation: some Hub tasks) goes to HFLM over
the same model, built when first asked. On the CPU HFLM scores everything (the demo's scores are HFLM's).

HFLM's tokenization conventions are kept (lmeval_pairs.hflm_pair): a context's trailing whitespace goes
to the continuation, an empty context is scored after the BOS token (else EOS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lm_eval.api.model import LM

from harness.evals.lmeval_pairs import hflm_pair


class HarnessHFLM(LM):
    def __init__(self, runner: Any, make_hflm: Callable[[], Any]) -> None:
        super().__init__()
        self.runner = runner
        self._make_hflm = make_hflm
        self._hflm = None

    def _reference(self) -> Any:
        if self._hflm is None:
            self._hflm = self._make_hflm()
        return self._hflm

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
        return self._reference().loglikelihood_rolling(requests, disable_tqdm=True)

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        return self._reference().generate_until(requests, disable_tqdm=True)

    @property
    def tokenizer_name(self) -> str:
        return str(self.runner.path)
