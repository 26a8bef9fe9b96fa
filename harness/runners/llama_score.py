"""Log-likelihoods of many requests at once in a SeqContext.

A request is a token list and the number of its last tokens to score; the logits that score them are
the rows at positions len-n-1 .. len-2. Consecutive requests with the same context (the choices of
one multiple-choice item) form a unit, which runs in one sequence: its context is evaluated once, each
continuation after it, the memory cut back to the context in between. A recurrent memory cannot be cut
back: there the sequence's state after the context is saved and restored before each further
continuation (the four endings of a HellaSwag item: the context evaluated once, not four times, as
PrefixScorer does one at a time); one-token continuations, the " A"/" B" of MMLU, are all scored
from the context's last row either way. Each llama_decode carries the pending
tokens of one busy sequence (see BatchScorer), with logits asked only for the rows that score
something, and a sequence that finishes its unit takes the next at once.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from harness.runners.llama_batch import SeqContext
from harness.stats import token_logprobs


def _row_scores(rows: np.ndarray, targets: list[int], threads: int = 1) -> tuple[list[float], list[bool]]:
    """log p(target) of each logit row, and whether the target is the row's greedy token, with the
    arithmetic of GGUFRunner's one-at-a-time path (harness/stats.token_logprobs)."""
    lp, top = token_logprobs(rows, targets, threads)
    return lp.tolist(), top.tolist()


def _units(reqs: list[tuple[list[int], int]]) -> deque[deque[int]]:
    """Runs of consecutive requests with the same context."""
    units: deque[deque[int]] = deque()
    prev: list[int] | None = None
    for i, (tokens, n) in enumerate(reqs):
        ctx = tokens[: len(tokens) - n]
        if ctx != prev:
            units.append(deque())
        units[-1].append(i)
        prev = ctx
    return units


class BatchScorer:
    """One llama_decode carries rows of one sequence only; mixing sequences would not pay. On the CPU llama.cpp
    splits such a batch into ubatches of equal rows per sequence (llama-batch.cpp, split_equal), which
    can leave a sequence a one-row piece, and one query row takes another attention kernel than several
    (F16 KV: tinyBLAS from two rows up), so a log-likelihood would differ from the one-at-a-time path
    (0.048 on a 6-token choice of the demo model). On the H200 mixing gained nothing (2,552 against
    2,514 tok/s on 64 requests of the 4b shape, bench/RESULTS.md): prompt evaluation is matrix-matrix
    work already. llama.cpp's unified KV cache is not used: in the llama.cpp that llama-cpp-python
    0.3.36 vendors, a sequence decoded after another's cells gets other logits than alone (0.91 on a
    logit of the demo model, CPU), while per-sequence streams give the same ones."""

    def __init__(self, sc: SeqContext, threads: int = 1):
        self.sc, self.threads = sc, threads
        # Host saves pay on the CPU (a memcpy against seconds of prompt evaluation) but not on the GPU:
        # on the H200 a 1,000-token Qwen3.5-4B sequence's state is 81.5 MiB, 129 ms to save and 70 ms
        # to restore through host memory, and scoring fell from 3,384 to 2,101 tok/s with them
        # (bench/RESULTS.md); there the states stay on the device, in keeper sequences (SeqContext).
        self.save_states = not sc.truncatable
        # A keeper copy moves the whole attention stream (n_ctx cells of every layer), whatever the
        # context holds: on the H200 at n_ctx 8192 about 75 ms a copy (derived from timings) against 4,500 tok/s,
        # so HellaSwag's ~60-token contexts kept ran at 410 tok/s (bench/RESULTS.md). Contexts shorter
        # than n_ctx / 16 tokens (512 there) are evaluated again instead.
        self.min_keep = sc.n_ctx // 16 if sc.keepers else 0
        # Each sequence's last context row: (the tokens up to it, its logits), so that one-token
        # continuations after the same context need no evaluation (the choices " A", " B", ...).
        self._ctx_row: list[tuple[list[int], np.ndarray] | None] = [None] * sc.n_seq
        # Recurrent memories: each sequence's state right after its unit's context (SeqContext.save).
        self._saved: list[tuple[list[int], object, int] | None] = [None] * sc.n_seq

    def _cached(self, s: int, tokens: list[int], n: int) -> tuple[float, bool] | None:
        row = self._ctx_row[s]
        if n != 1 or row is None or row[0] != tokens[:-1]:
            return None
        lp, top = _row_scores(row[1][None, :], [tokens[-1]])
        return lp[0], top[0]

    def _restored(self, s: int, tokens: list[int], n: int) -> tuple[float, bool] | None:
        """On a recurrent memory, sequence s set back to the state saved after this request's context,
        and the first continuation token scored from the context's last row; None when nothing fits."""
        saved, row = self._saved[s], self._ctx_row[s]
        ctx = tokens[: len(tokens) - n]
        if not self.save_states or n < 2 or saved is None or row is None or saved[0] != ctx or row[0] != ctx:
            return None
        self.sc.restore(s, saved)
        lp, top = _row_scores(row[1][None, :], [tokens[len(ctx)]])
        return lp[0], top[0]

    def score(self, reqs: list[tuple[list[int], int]]) -> list[tuple[float, bool]]:
        """(sum log p, all greedy) of each (tokens, n scored) with 1 <= n < len(tokens) <= n_ctx."""
        picked: list[list[float]] = [[] for _ in reqs]
        greedy = [True] * len(reqs)
        units = _units(reqs)
        n_work = self.sc.n_work  # the others, if any, keep saved states
        mine: list[deque[int]] = [deque() for _ in range(n_work)]  # each sequence's unit
        cur: dict[int, tuple[int, int]] = {}  # sequence -> (request, next position to evaluate)
        self._saved = [None] * self.sc.n_seq  # a keeper may have held other work since the last call
        while True:
            for s in range(n_work):
                while s not in cur and (mine[s] or units):
                    if not mine[s]:
                        mine[s] = units.popleft()
                    i = mine[s].popleft()
                    tokens, n = reqs[i]
                    done = self._cached(s, tokens, n)
                    if done is not None:
                        picked[i], greedy[i] = [done[0]], done[1]
                        continue
                    restored = self._restored(s, tokens, n)
                    if restored is not None:  # the context's state and last row kept: the rest to evaluate
                        picked[i], greedy[i] = [restored[0]], restored[1]
                        cur[s] = (i, len(tokens) - n)
                        continue
                    # Its first scoring row evaluated again: its logits come from this decode.
                    cur[s] = (i, self.sc.reuse(s, tokens, len(tokens) - n - 1))
                    self._saved[s] = None
            if not cur:
                break
            rows: list[tuple[int, int, int, bool]] = []
            owners: list[tuple[int, int, int]] = []  # (sequence, request, position) of each logits row
            s = min(cur)  # one sequence a decode (see the class docstring)
            i, p = cur[s]
            tokens, n = reqs[i]
            first, end = len(tokens) - n - 1, len(tokens) - 1  # the last token predicts nothing
            take = min(end - p, self.sc.cap)
            ctx_end = len(tokens) - n
            # Kept when more of its unit follows and the context is worth a copy (see __init__).
            save = self.save_states and p < ctx_end and bool(mine[s]) and ctx_end >= self.min_keep
            if save:  # the context alone, so that its state can be kept (the continuation next)
                take = min(take, ctx_end - p)
            for q in range(p, p + take):
                rows.append((s, q, tokens[q], q >= first))
                if q >= first:
                    owners.append((s, i, q))
            cur[s] = (i, p + take)
            logits = self.sc.decode(rows)
            lp, top = _row_scores(logits, [reqs[i][0][q + 1] for _, i, q in owners], self.threads)
            for k, ((s, i, q), v, g) in enumerate(zip(owners, lp, top)):
                picked[i].append(v)
                greedy[i] = greedy[i] and g
                if q == len(reqs[i][0]) - reqs[i][1] - 1:
                    self._ctx_row[s] = (reqs[i][0][: q + 1], np.array(logits[k]))
            if save and p + take == ctx_end:
                self._saved[s] = self.sc.save(s)
            for s, (i, p) in list(cur.items()):
                if p == len(reqs[i][0]) - 1:
                    del cur[s]
        return [(float(np.array(v).sum()), g) for v, g in zip(picked, greedy)]
