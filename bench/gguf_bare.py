"""The bare llama.cpp batch API, for bench/eval_gpu.py's GGUF log-likelihood baseline: many requests in one
`llama_batch`, each its own sequence of one unified KV cache, logits only at the continuation positions,
everything offloaded. No harness code: what a llama.cpp user writes for the same work."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np


class BareLlama:
    def __init__(self, path: Path, n_ctx: int, n_seq: int, n_batch: int = 4096, n_ubatch: int = 512):
        import llama_cpp as L

        self.L = L
        L.llama_backend_init()
        mp = L.llama_model_default_params()
        mp.n_gpu_layers = -1
        self.model = L.llama_model_load_from_file(str(path).encode(), mp)
        cp = L.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch, cp.n_seq_max, cp.kv_unified = n_ctx, n_batch, n_ubatch, n_seq, True
        self.ctx = L.llama_init_from_model(self.model, cp)
        self.vocab = L.llama_model_get_vocab(self.model)
        self.n_vocab = L.llama_vocab_n_tokens(self.vocab)
        self.n_batch, self.n_seq, self.n_ctx = n_batch, n_seq, n_ctx
        self.batch = L.llama_batch_init(n_batch, 0, 1)

    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        buf = (self.L.llama_token * (len(data) + 8))()
        n = self.L.llama_tokenize(self.vocab, data, len(data), buf, len(buf), False, True)
        return list(buf[:n])

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> np.ndarray:
        """entries: (token, pos, seq, wants logits), in at most n_batch-sized decodes; the wanted rows' logits."""
        out = []
        b = self.batch
        for s in range(0, len(entries), self.n_batch):
            chunk = entries[s : s + self.n_batch]
            for i, (tok, pos, seq, want) in enumerate(chunk):
                b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = tok, pos, 1, want
                b.seq_id[i][0] = seq
            b.n_tokens = len(chunk)
            if self.L.llama_decode(self.ctx, b) != 0:
                raise RuntimeError("llama_decode failed")
            n_out = sum(1 for e in chunk if e[3])
            if n_out:
                ptr = self.L.llama_get_logits(self.ctx)
                out.append(np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)),
                                                 shape=(n_out, self.n_vocab)).copy())
        return np.concatenate(out) if out else np.zeros((0, self.n_vocab), np.float32)

    def loglikelihood(self, requests: list[tuple[str, str]], max_tokens: int) -> list[tuple[float, bool]]:
        """Groups of up to n_seq requests (and `max_tokens` tokens) decoded together, memory cleared between groups."""
        seqs = []
        for c, x in requests:
            ctx = self.tokenize(c)
            cont = self.tokenize(c + x)[len(ctx) :]
            seqs.append((ctx + cont, len(ctx)))
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i][0]))
        out: list[tuple[float, bool]] = [(0.0, False)] * len(seqs)
        mem = self.L.llama_get_memory(self.ctx)
        start = 0
        while start < len(order):
            group, total = [], 0
            while start < len(order) and len(group) < self.n_seq and total + len(seqs[order[start]][0]) <= max_tokens:
                group.append(order[start])
                total += len(seqs[order[start]][0])
                start += 1
            if not group:
                raise RuntimeError("a request longer than max_tokens")
            entries = [(t, p, g, p >= n_ctx - 1 and p < len(tokens) - 1)
                       for g, i in enumerate(group) for tokens, n_ctx in [seqs[i]] for p, t in enumerate(tokens)]
            logits = self._decode(entries)
            row = 0
            for i in group:
                tokens, n_ctx = seqs[i]
                lg = logits[row : row + len(tokens) - n_ctx]
                row += len(tokens) - n_ctx
                target = np.array(tokens[n_ctx:])
                m = lg.max(-1, keepdims=True)
                logp = lg - m - np.log(np.exp(lg - m).sum(-1, keepdims=True))
                out[i] = (float(logp[np.arange(len(target)), target].sum()), bool((lg.argmax(-1) == target).all()))
            self.L.llama_memory_clear(mem, True)
        return out

    def close(self) -> None:
        self.L.llama_batch_free(self.batch)
        self.L.llama_free(self.ctx)
        self.L.llama_model_free(self.model)
