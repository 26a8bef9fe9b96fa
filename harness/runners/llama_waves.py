"""Log-likelihoods on the GPU: many requests in each llama_decode, in waves.

BatchScorer evaluates one sequence a decode: on the H200 that ran MMLU's ~125-token requests at 4,420
tok/s, and every decode pays llama.cpp's fixed cost (a graph built and launched without CUDA graphs).
Here the requests of a wave share each decode. llama.cpp runs a batch over several per-sequence KV
streams as one ubatch only when the sequence ids are consecutive and every sequence brings the same
number of rows (llama-batch.cpp, split_equal with `sequential`); anything else is cut into one ubatch
per run, one sequence each at worst. A wave is laid out so that each decode is one ubatch. Not yet
measured on the GPU: bench/gguf_waves.py compares the two scorers there.

1. The wave's multiple-choice contexts, one a sequence (ids 0..u-1, shortest first; the units sorted by
   context length, so a wave's contexts are about as long), are evaluated together, equal rows from
   each; the context's last row scores every choice's first token.
2. Each choice of more than one token gets its own sequence (ids u..), a copy of its context's memory
   (llama_memory_seq_cp). llama.cpp applies pending copies at the next decode and then reserves its
   worst-case graph again (llama-context.cpp, memory_update): a wave pays that once, where BatchScorer's
   keepers paid it at every copy (~75 ms a copy, derived from the H200 timings of bench/RESULTS.md).
   The choices are then evaluated together.
   A sequence whose memory is not needed afterwards is padded past its last scoring row, so that
   every sequence in the range brings the same rows: a row after the last one scored changes nothing
   before it (causal attention, a recurrent state read left to right), and its logits are not asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.runners.llama_batch import SeqContext
from harness.runners.llama_score import BatchScorer
from harness.stats import choice_logprobs, token_logprobs


# Long choices after short contexts go to BatchScorer (one sequence a decode): continuations averaging
# more than LONG_CHOICES tokens, contexts less than LONG_CONTEXT times as long. On the H200 (Qwen3.5-4B
# bf16, bench/gguf_waves.py and bench/eval_gpu.py, bench/RESULTS.md) waves won on MMLU's one-token
# choices (1.80x), ARC's ~5-token ones (1.35-1.60x) and ~50-token continuations of ~660-token contexts
# (2.45x the bare batch API, where BatchScorer made 1.22x), and lost on HellaSwag's ~30-token endings of
# ~50-token contexts (0.67x; 0.50x for a layout without copies, each choice with its context, tried and dropped): there the wave's many short rows did not pay.
LONG_CHOICES = 12
LONG_CONTEXT = 4


@dataclass
class _Job:
    """Rows start..stop-1 of `tokens` to evaluate in sequence `seq`; rows from `want` on score the next
    token. `pad`: the memory is thrown away afterwards, so rows past `stop` may fill a decode."""

    seq: int
    tokens: list[int]
    start: int
    stop: int
    want: int
    pad: bool
    at: int = 0  # the next position to evaluate

    def __post_init__(self) -> None:
        self.at = self.start


class WaveScorer:
    """(sum log p, all greedy) of (tokens, n) requests, as BatchScorer, many sequences a decode."""

    def __init__(self, sc: SeqContext, threads: int = 1):
        self.sc, self.threads = sc, threads
        self._rows = BatchScorer(sc, threads)  # long choices after short contexts (LONG_CHOICES)

    def score(self, reqs: list[tuple[list[int], int]]) -> list[tuple[float, bool]]:
        if reqs:
            cont = sum(n for _, n in reqs) / len(reqs)
            ctx = sum(len(t) - n for t, n in reqs) / len(reqs)
            if cont > LONG_CHOICES and ctx < LONG_CONTEXT * cont:
                return self._rows.score(reqs)
        picked: list[list[float]] = [[] for _ in reqs]
        greedy = [True] * len(reqs)
        for wave in self._waves(reqs):
            self._run_wave(reqs, wave, picked, greedy)
        return [(float(np.array(v).sum()), g) for v, g in zip(picked, greedy)]

    def _waves(self, reqs: list[tuple[list[int], int]]) -> list[list[list[int]]]:
        """Units (requests with the same context) sorted by context length, packed into waves of at most
        n_seq sequences: one per unit for its context, one per choice of more than one token."""
        units: dict[tuple[int, ...], list[int]] = {}
        for i, (tokens, n) in enumerate(reqs):
            units.setdefault(tuple(tokens[: len(tokens) - n]), []).append(i)
        most = self.sc.n_seq - 1  # the choices of more than one token a unit may bring to a wave
        split: list[list[int]] = []
        for idx in units.values():
            multi = [i for i in idx if reqs[i][1] > 1]
            one = [i for i in idx if reqs[i][1] == 1]
            split.append(one + multi[:most])
            split += [multi[k : k + most] for k in range(most, len(multi), most)]
        split.sort(key=lambda u: len(reqs[u[0]][0]) - reqs[u[0]][1])
        waves: list[list[list[int]]] = []
        used = self.sc.n_seq
        for unit in split:
            need = 1 + sum(reqs[i][1] > 1 for i in unit)
            if used + need > self.sc.n_seq:
                waves.append([])
                used = 0
            waves[-1].append(unit)
            used += need
        return waves

    def _run_wave(self, reqs, wave: list[list[int]], picked, greedy) -> None:
        sc = self.sc
        for s in range(sc.n_seq):  # every memory cleared: a recurrent model has one state cell a sequence
            sc.reuse(s, [], 0)
        ctx_len = [len(reqs[u[0]][0]) - reqs[u[0]][1] for u in wave]
        multi = [[i for i in u if reqs[i][1] > 1] for u in wave]
        jobs = [_Job(s, reqs[u[0]][0], 0, n, n - 1, pad=not m) for s, (u, n, m) in enumerate(zip(wave, ctx_len, multi))]
        rows = self._evaluate(jobs)
        for s, (u, n) in enumerate(zip(wave, ctx_len)):
            lp, top = choice_logprobs(rows[s][0], [reqs[i][0][n] for i in u])
            for i, v, g in zip(u, lp.tolist(), top.tolist()):
                picked[i], greedy[i] = [v], g
        conts = sorted(((reqs[i][1], s, i) for s, m in enumerate(multi) for i in m))
        jobs = []
        for d, (n, s, i) in enumerate(conts, start=len(wave)):
            sc.copy(s, d)  # applied with the wave's other copies, at the next decode
            tokens = reqs[i][0]
            jobs.append(_Job(d, tokens, len(tokens) - n, len(tokens) - 1, len(tokens) - n, pad=True))
        rows = self._evaluate(jobs)
        for job, (_, _, i) in zip(jobs, conts):
            r = rows[job.seq]
            lp, top = token_logprobs(r, job.tokens[job.start + 1 : job.stop + 1], self.threads)
            picked[i] += lp.tolist()
            greedy[i] = greedy[i] and bool(top.all())

    def _evaluate(self, jobs: list[_Job]) -> dict[int, np.ndarray]:
        """Each job's rows evaluated, jobs on consecutive sequences; the logits of each job's wanted rows."""
        sc = self.sc
        got: dict[int, list[np.ndarray]] = {j.seq: [] for j in jobs}
        while True:
            live = [j for j in jobs if j.at < j.stop]
            if not live:
                break
            lo, hi = min(j.seq for j in live), max(j.seq for j in live)
            k = sc.cap // sum(lo <= j.seq <= hi for j in jobs)
            exact = [j.stop - j.at for j in live if not j.pad]
            k = min([k, *exact]) if exact else min(k, max(j.stop - j.at for j in live))
            k = max(1, min([k, *(sc.n_ctx - j.at for j in live)]))
            # A finished padded job inside the range fills it while its stream has room; any other gap
            # only costs llama.cpp a second ubatch.
            part = [j for j in jobs if j.at < j.stop or (j.pad and lo < j.seq < hi and j.at + k <= sc.n_ctx)]
            batch = []
            for j in part:
                for q in range(j.at, j.at + k):
                    tok = j.tokens[q] if q < j.stop else j.tokens[j.stop - 1]
                    batch.append((j.seq, q, tok, j.want <= q < j.stop))
                j.at += k
            logits = sc.decode(batch)
            r = 0
            for j in part:  # rows come back in batch order
                n = max(0, min(j.at, j.stop) - max(j.at - k, j.want))
                if n:
                    got[j.seq].append(np.array(logits[r : r + n]))
                    r += n
        return {s: np.concatenate(v) if v else np.empty((0, sc.n_vocab), np.float32) for s, v in got.items()}
