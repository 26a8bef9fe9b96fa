"""An HF folder run by transformers with the folder's own chat template: on CUDA in bfloat16 with large
length-sorted batches when a GPU is present, else on CPU in float32 (the path the tests and the demo run)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np

from harness.runners import hf_attention, hf_decode, hf_linear
from harness.runners._chat import ChatPromptMixin
from harness.runners.engine import EngineInfo


CPU_BATCH = 8
# One log-likelihood forward on the GPU: padded tokens (activations), kept logit rows where the model's
# logits are not gathered at the scored positions (4k x 248k vocab: 2 GB in bf16, twice that for the
# float32 log-softmax; room on a 48 GB card beside 9B weights), and rows.
GPU_LL_TOKENS = 65_536
GPU_LL_LOGITS = 4_096
GPU_LL_ROWS = 1_024
SCORE_ROWS = 4_096  # scored positions a pass of the output layer takes, where the runner gathers them
# Rows decoded together on the GPU. The prefill runs in chunks (hf_decode.py), so this is bounded by the caches:
# 256 rows of ~3k tokens took 75 GiB with a 4B model on the H200, and a step of 256 cost 1.6x one of 64
# (bench/gpu_decode.py). 128 peaked at 39 GiB with the 4B shape: half that, for a 9B model or a 48 GB card
# (not measured there; HFRunner(batch_size=...) / --hf-batch set it).
GPU_BATCH = 128


def pick_device() -> str:
    """CUDA when present, unless HARNESS_DEVICE says otherwise (e.g. `cpu` to keep a GPU free)."""
    wanted = os.environ.get("HARNESS_DEVICE", "")
    if wanted:
        return wanted
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def hf_settings(device: str, batch_size: int | None = None) -> tuple[str, int]:
    """The dtype and batch size of an HF level on `device`: bf16 is what the GPU runs fast and what the
    merged folder holds; fp32 on CPU (bf16 matmuls are slow there)."""
    on_gpu = device.startswith("cuda")
    return ("bfloat16" if on_gpu else "float32"), batch_size or (GPU_BATCH if on_gpu else CPU_BATCH)


# The kernels Qwen3.5's linear attention uses when they import: what `harness doctor` checks too.
KERNELS = {"fla": "fla.ops.gated_delta_rule", "causal_conv1d": "causal_conv1d"}


def importable(module: str) -> bool:
    """What transformers' kernel lookup does (it imports, and falls back silently on any error): a
    package that is installed but fails to import (a Triton or torch mismatch) is a fallback too."""
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001  any failure means transformers took its PyTorch path
        return False
    return True


def hf_engine(config, device: str, batch_size: int | None = None) -> EngineInfo:
    """What runs an HF level, for the report and `harness doctor`: `config` is the model's config (or
    config.json read as a dict). Qwen3.5's linear attention runs on flash-linear-attention and
    causal-conv1d kernels when installed, else on transformers' slow PyTorch fallback; say which."""
    def get(obj, key: str):
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    layer_types = get(get(config, "text_config") or config, "layer_types") or []
    dtype, batch = hf_settings(device, batch_size)
    # As harness/evals/lmeval.py picks (lm_eval_model): the runner's scoring on the GPU, HFLM on the CPU.
    info = EngineInfo(engine="transformers", device=device, dtype=dtype, batch_size=batch,
                      lm_eval="harness-hf" if device.startswith("cuda") else "hflm")
    if "linear_attention" in layer_types:
        info.linear_attention = "fla" if importable(KERNELS["fla"]) else "pytorch fallback (slow)"
        info.causal_conv1d = "kernel" if importable(KERNELS["causal_conv1d"]) else "pytorch fallback"
    if device.startswith("cuda"):
        import torch

        info.device_name = torch.cuda.get_device_name(torch.device(device))
    return info


class HFRunner(ChatPromptMixin):
    kind = "hf"

    def __init__(self, path: Path, batch_size: int | None = None, n_ctx: int = 2048, device: str | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from harness.models.inspect import read_hf_info, require_safetensors

        info = read_hf_info(path)
        require_safetensors(path)
        self.path = path
        self.device = device or pick_device()
        self.dtype, self.batch_size = hf_settings(self.device, batch_size)
        # Log-likelihood's fast path (unmasked, logits_to_keep, float32), on the GPU; the CPU keeps the exact one.
        self.fast_scoring = self.device.startswith("cuda")
        self.n_ctx = n_ctx  # the same context limit as the GGUF levels, so every level sees the same items
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        # On the GPU a decode step attends without copying the KV cache (hf_attention.py); the CPU keeps SDPA.
        attn = hf_attention.register() if self.device.startswith("cuda") else None
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, self.dtype), use_safetensors=True,
                                                          attn_implementation=attn).to(self.device).eval()
        self.engine = hf_engine(self.model.config, self.device, self.batch_size)
        self.gathers = self.fast_scoring and self._lm_head() is not None
        if self.device.startswith("cuda") and os.environ.get("HARNESS_FLA_PACK", "1") != "0":
            hf_linear.install(self.model)  # fla's kernels compiled once, not once per batch size
        self.chat_template = info.chat_template or "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"
        self.bos_token = self.tokenizer.bos_token or ""
        self.eos_token = self.tokenizer.eos_token or ""
        self.eos_ids = info.eos_token_ids
        torch.set_num_threads(max(1, torch.get_num_threads()))

    def _encode(self, text: str) -> list[int]:
        # The rendered template already holds every special token it wants.
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _generate_ids(self, prompts: list[str], max_new_tokens: int) -> list[list[int]]:
        """Greedy new tokens of each prompt, cut after the first EOS (kept)."""
        import torch

        pad = self.pad_id
        encoded_all = [self._encode(p) for p in prompts]
        # As the GGUF runner: a prompt that leaves no room in n_ctx gets no answer, and an answer stops
        # where the context is full.
        limits = [min(max_new_tokens, self.n_ctx - len(e) - 1) for e in encoded_all]
        order = sorted((i for i in range(len(prompts)) if limits[i] > 0), key=lambda i: len(encoded_all[i]))
        outs: list[list[int]] = [[] for _ in prompts]
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            encoded = [encoded_all[i] for i in idx]
            if self.device.startswith("cuda"):  # chunked prefill, finished rows dropped (hf_decode.py)
                for i, new in zip(idx, hf_decode.greedy(self.model, encoded, [limits[i] for i in idx],
                                                        set(self.eos_ids), pad), strict=True):
                    outs[i] = new
                continue
            width = max(len(e) for e in encoded)
            ids = torch.tensor([[pad] * (width - len(e)) + e for e in encoded], device=self.device)
            mask = torch.tensor([[0] * (width - len(e)) + [1] * len(e) for e in encoded], device=self.device)
            with torch.inference_mode():
                gen = self.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max(limits[i] for i in idx),
                                          do_sample=False, eos_token_id=self.eos_ids, pad_token_id=pad)
            for row, i in enumerate(idx):
                new = gen[row, width : width + limits[i]].tolist()  # greedy: a shorter limit is a prefix
                cut = next((k + 1 for k, t in enumerate(new) if t in self.eos_ids), len(new))
                outs[i] = new[:cut]
        return outs

    def _text(self, new: list[int]) -> str:
        return self.tokenizer.decode(new[:-1] if new and new[-1] in self.eos_ids else new, skip_special_tokens=False)

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[str]:
        return [self._text(new) for new in self._generate_ids(prompts, max_new_tokens)]

    def generate_with_stop(self, prompts: list[str], max_new_tokens: int):
        from harness.runners import Generation

        return [Generation(self._text(new), len(new), bool(new) and new[-1] in self.eos_ids)
                for new in self._generate_ids(prompts, max_new_tokens)]

    @property
    def pad_id(self) -> int:
        return self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.eos_ids[0]

    def _logits(self, tokens: list[int]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self.model(torch.tensor([tokens], device=self.device)).logits[0].float().cpu().numpy()

    def _ll_tokens(self, context: str, continuation: str) -> tuple[list[int], int]:
        ctx = self._encode(context)
        whole = self._encode(context + continuation)
        cont = whole[len(ctx):] if whole[: len(ctx)] == ctx else self._encode(continuation)
        return ctx + cont, len(ctx)

    def loglikelihood(self, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
        seqs = [self._ll_tokens(c, x) for c, x in requests]
        # A request scores tokens[p] from the logits at p - 1, for p from max(n_ctx, 1) on.
        asks = [(max(n, 1), tokens) for tokens, n in seqs]
        if self.fast_scoring:
            # Requests whose scored logits come from the same inputs share one row: MMLU's four one-token
            # answers after one question are a quarter of the rows. The row is the inputs only (not the
            # last token, which no logit of it predicts from).
            row_of: dict[tuple[int, ...], int] = {}
            owner = [row_of.setdefault(tuple(tokens[:-1]) if len(tokens) > 1 else tuple(tokens), len(row_of))
                     for tokens, _ in seqs]
            rows = [list(key) for key in row_of]
        else:  # one row a request, its whole tokens, as before (the CPU's numbers stay put)
            owner, rows = list(range(len(seqs))), [tokens for tokens, _ in seqs]
        firsts = [len(r) for r in rows]
        for (p0, _), r in zip(asks, owner, strict=True):
            firsts[r] = min(firsts[r], p0)
        by_row: list[list[int]] = [[] for _ in rows]
        for i, r in enumerate(owner):
            by_row[r].append(i)
        out: list[tuple[float, bool]] = [(0.0, False)] * len(seqs)
        for idx in self._ll_batches([len(r) for r in rows], firsts):
            members = [i for r in idx for i in by_row[r]]
            local = {r: k for k, r in enumerate(idx)}
            results = self._score_batch([rows[r] for r in idx], [(local[owner[i]], *asks[i]) for i in members])
            for i, result in zip(members, results, strict=True):
                out[i] = result
        return out

    def _score_batch(self, rows: list[list[int]], asks: list[tuple[int, int, list[int]]]) -> list[tuple[float, bool]]:
        """One forward over right-padded rows; an ask (row, p0, tokens) sums log p(tokens[p]) for p >= p0
        from the row's logits at p - 1. Everything but two numbers an ask stays on the device.
        On the GPU: no mask (a causal model's real positions never see the pads on their right, in
        attention and in the linear-attention recurrence alike, so the fast causal kernels run) and
        logits only from the first scored position on (`logits_to_keep`: the full B x T x 248k logits
        of Qwen3.5 are gigabytes); bf16 logits, log-softmax in float32. On the CPU: masked, float64, as before."""
        import torch

        fast = self.fast_scoring
        width = max(len(t) for t in rows)
        first = min(min(p0 for _, p0, _ in asks) - 1, width - 1)  # an empty continuation scores nothing
        ids = torch.tensor([t + [self.pad_id] * (width - len(t)) for t in rows], device=self.device)
        which, cols, targets = [], [], []
        for a, (_, p0, tokens) in enumerate(asks):
            for p in range(p0, len(tokens)):
                which.append(a)
                cols.append(p - 1 - first)
                targets.append(tokens[p])
        with torch.inference_mode():
            ask_t = torch.tensor(which, dtype=torch.long, device=self.device)
            row_t = torch.tensor([asks[a][0] for a in which], dtype=torch.long, device=self.device)
            col_t = torch.tensor(cols, dtype=torch.long, device=self.device)
            target = torch.tensor(targets, dtype=torch.long, device=self.device)
            dtype = torch.float32 if fast else torch.float64
            head = self._lm_head() if fast else None  # fast_scoring may be set after __init__ (tests)
            if head is not None:  # logits of the scored positions only, SCORE_ROWS at a time
                hidden = self.model.base_model(input_ids=ids, use_cache=False).last_hidden_state[row_t, col_t + first]
                parts = [_pick(head(hidden[i:i + SCORE_ROWS]), target[i:i + SCORE_ROWS], dtype)
                         for i in range(0, len(targets), SCORE_ROWS)]
                missed, token_logp = (torch.cat([p[k] for p in parts]) for k in (0, 1))
            else:
                if fast:
                    logits = self.model(input_ids=ids, logits_to_keep=width - first).logits
                else:
                    mask = torch.tensor([[1] * len(t) + [0] * (width - len(t)) for t in rows], device=self.device)
                    logits = self.model(input_ids=ids, attention_mask=mask).logits[:, first:]
                missed, token_logp = _pick(logits[row_t, col_t], target, dtype)
                del logits
            sums = torch.zeros(len(asks), dtype=dtype, device=self.device).index_add_(0, ask_t, token_logp)
            misses = torch.zeros(len(asks), dtype=dtype, device=self.device).index_add_(0, ask_t, missed)
            return [(float(s), m == 0) for s, m in zip(sums.tolist(), misses.tolist(), strict=True)]

    def _lm_head(self):
        """The output layer, where the model's logits are only that layer over the last hidden state (no
        soft-capping or scaling after it): scored positions then need no B x T x vocab logits."""
        cfg = self.model.config
        cfg = getattr(cfg, "text_config", None) or cfg
        if any(getattr(cfg, k, None) for k in ("final_logit_softcapping", "logit_scale", "logits_scaling")):
            return None
        head = self.model.get_output_embeddings()
        return head if head is not None and self.model.base_model is not self.model else None

    def _ll_batches(self, lengths: list[int], contexts: list[int] | None = None) -> list[list[int]]:
        """Batches of request indices. On the GPU: length-sorted, at most GPU_LL_ROWS rows,
        GPU_LL_TOKENS padded tokens and, unless the runner gathers the scored positions (`gathers`),
        GPU_LL_LOGITS kept logit rows (batch x positions from the first scored one) each. On the CPU: request order in fixed batches, as before (the demo's numbers
        stay put)."""
        if not self.device.startswith("cuda"):
            return [list(range(s, min(s + self.batch_size, len(lengths)))) for s in range(0, len(lengths), self.batch_size)]
        contexts = contexts if contexts is not None else [n - 1 for n in lengths]
        gathered = getattr(self, "gathers", False)  # no B x T logits: no bound on them
        batches: list[list[int]] = []
        first = 0  # the smallest context of the current batch
        for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
            cur = batches[-1] if batches else None
            # Sorted ascending, so this row is the widest of the batch it joins.
            if cur is not None:
                n, lo = len(cur) + 1, min(first, contexts[i])
                if n <= GPU_LL_ROWS and n * lengths[i] <= GPU_LL_TOKENS and (gathered or n * (lengths[i] - lo) <= GPU_LL_LOGITS):
                    cur.append(i)
                    first = lo
                    continue
            batches.append([i])
            first = contexts[i]
        return batches

    def tokenize(self, text: str) -> list[int]:
        return self._encode(text)

    def logits_for_tokens(self, tokens: list[int]) -> np.ndarray:
        return self._logits(tokens)

    def close(self) -> None:
        self.model = None


def _pick(logits, target, dtype):
    """Per scored position: whether the target is not the argmax, and its log-probability (in `dtype`)."""
    missed = (logits.argmax(-1) != target).to(dtype)  # exact in any dtype: the upcast is monotonic
    return missed, logits.log_softmax(-1, dtype=dtype).gather(1, target[:, None])[:, 0]
