"""An HF folder run by transformers on CPU (float32 compute), with the folder's own chat template."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.runners._chat import ChatPromptMixin


class HFRunner(ChatPromptMixin):
    kind = "hf"

    def __init__(self, path: Path, batch_size: int = 8, n_ctx: int = 2048):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from harness.models.inspect import read_hf_info, require_safetensors

        info = read_hf_info(path)
        require_safetensors(path)
        self.path = path
        self.batch_size = batch_size
        self.n_ctx = n_ctx  # the same context limit as the GGUF levels, so every level sees the same items
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, use_safetensors=True).eval()
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
            width = max(len(e) for e in encoded)
            ids = torch.tensor([[pad] * (width - len(e)) + e for e in encoded])
            mask = torch.tensor([[0] * (width - len(e)) + [1] * len(e) for e in encoded])
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
            return self.model(torch.tensor([tokens])).logits[0].float().numpy()

    def loglikelihood(self, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
        import torch

        seqs = []
        for context, continuation in requests:
            ctx = self._encode(context)
            whole = self._encode(context + continuation)
            cont = whole[len(ctx):] if whole[: len(ctx)] == ctx else self._encode(continuation)
            seqs.append((ctx + cont, len(ctx)))
        out = []
        # One forward per batch, padded on the right: a causal model's logits at real positions do not
        # depend on what follows them, so each row scores as if alone.
        for start in range(0, len(seqs), self.batch_size):
            batch = seqs[start : start + self.batch_size]
            width = max(len(t) for t, _ in batch)
            ids = torch.tensor([t + [self.pad_id] * (width - len(t)) for t, _ in batch])
            mask = torch.tensor([[1] * len(t) + [0] * (width - len(t)) for t, _ in batch])
            with torch.inference_mode():
                logits = self.model(input_ids=ids, attention_mask=mask).logits.float().numpy()
            for row, (tokens, n_ctx) in enumerate(batch):
                lg = logits[row, n_ctx - 1 : len(tokens) - 1].astype(np.float64)
                m = lg.max(-1, keepdims=True)
                logp = lg - m - np.log(np.exp(lg - m).sum(-1, keepdims=True))
                target = np.array(tokens[n_ctx:])
                out.append((float(logp[np.arange(len(target)), target].sum()), bool((logp.argmax(-1) == target).all())))
        return out

    def tokenize(self, text: str) -> list[int]:
        return self._encode(text)

    def logits_for_tokens(self, tokens: list[int]) -> np.ndarray:
        return self._logits(tokens)

    def close(self) -> None:
        self.model = None
