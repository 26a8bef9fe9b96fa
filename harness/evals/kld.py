"""KL divergence of a level against the 16-bit reference, as `llama-perplexity --kl-divergence` reports it.

Per token: KL(P_ref || P_level) over the full vocabulary, whether the top-1 tokens agree, and each
model's log-likelihood of the actual next token (for the perplexity ratio). Held-out English and
French text (evalsets/heldout_*.txt) is cut into chunks of `chunk` tokens; the first `warmup` positions
of a chunk are not scored (too little context), as llama-perplexity scores only the later part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.records.report import Metric
from harness.stats import log_softmax, metric_summary


@dataclass(frozen=True)
class TokenStats:
    kld: np.ndarray
    top1_agree: np.ndarray
    nll_ref: np.ndarray
    nll_level: np.ndarray


def heldout_chunks(tokenize, max_tokens: int, chunk: int = 512) -> list[list[int]]:
    from evalsets import DATA_DIR

    chunks: list[list[int]] = []
    per_text = max_tokens // 2
    for name in ("heldout_en.txt", "heldout_fr.txt"):
        ids = tokenize(DATA_DIR.joinpath(name).read_text(encoding="utf-8"))[:per_text]
        chunks += [ids[i : i + chunk] for i in range(0, len(ids), chunk) if len(ids[i : i + chunk]) > 64]
    return chunks


def compare_logits(ref: np.ndarray, level: np.ndarray, tokens: list[int], warmup: int = 32) -> TokenStats:
    lp_ref = log_softmax(ref[warmup:-1])
    lp_lvl = log_softmax(level[warmup:-1])
    nxt = np.array(tokens[warmup + 1 :])
    rows = np.arange(len(nxt))
    kld = (np.exp(lp_ref) * (lp_ref - lp_lvl)).sum(-1)
    return TokenStats(
        kld=np.maximum(kld, 0.0),
        top1_agree=(lp_ref.argmax(-1) == lp_lvl.argmax(-1)).astype(np.float64),
        nll_ref=-lp_ref[rows, nxt], nll_level=-lp_lvl[rows, nxt],
    )


def merge(stats: list[TokenStats]) -> TokenStats:
    return TokenStats(*(np.concatenate([getattr(s, f) for s in stats]) for f in TokenStats.__dataclass_fields__))


def kld_metrics(s: TokenStats) -> dict[str, Metric]:
    n = len(s.kld)
    rng = np.random.default_rng(0)

    def boot(stat) -> tuple[float, float]:
        idx = rng.integers(0, n, size=(200, n))
        vals = np.array([stat(i) for i in idx])
        return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))

    def metric(stat) -> Metric:
        lo, hi = boot(stat)
        return Metric(value=float(stat(slice(None))), ci_low=lo, ci_high=hi, n=n)

    return {
        "kld/mean": metric_summary(s.kld.tolist()),
        "kld/median": metric(lambda i: np.median(s.kld[i])),
        "kld/p99": metric(lambda i: np.percentile(s.kld[i], 99)),
        "kld/p999": metric(lambda i: np.percentile(s.kld[i], 99.9)),
        "kld/max": metric(lambda i: np.max(s.kld[i])),
        "kld/top1_agree": metric_summary(s.top1_agree.tolist()),
        "kld/ppl_ratio": metric(lambda i: float(np.exp(s.nll_level[i].mean() - s.nll_ref[i].mean()))),
    }
