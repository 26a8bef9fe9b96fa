"""HF side of bench/eval_gpu.py: the project's HFRunner against bare transformers doing the same work, on
a random-init model of the Qwen3.5-4B text shape (the published config: 32 layers, 3 Gated DeltaNet + 1
full attention, hidden 2560, vocabulary 248,320, tied embeddings)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

SHAPES = {
    "4b": dict(hidden_size=2560, intermediate_size=9216, tie_word_embeddings=True, vocab_size=248_320),
    # A smoke test of the bench itself on a CPU (`--shape tiny --layers 4`): no number of it means anything.
    "tiny": dict(hidden_size=128, intermediate_size=256, num_attention_heads=2, num_key_value_heads=1, head_dim=64,
                 linear_num_key_heads=2, linear_num_value_heads=4, linear_key_head_dim=32, linear_value_head_dim=32,
                 tie_word_embeddings=True, vocab_size=248_320),
}


def dev() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def sync_time(fn):
    _sync()
    t = time.perf_counter()
    out = fn()
    _sync()
    return out, time.perf_counter() - t


def build(bench: Path, layers: int, model_dir: Path, shape: str = "4b") -> Path:
    import torch
    from transformers import AutoTokenizer, GenerationConfig, Qwen3_5ForCausalLM, Qwen3_5TextConfig

    if (model_dir / "config.json").is_file():
        print(f"model: {model_dir} (built earlier in this session)")
        return model_dir
    tok = AutoTokenizer.from_pretrained(bench)
    cfg = Qwen3_5TextConfig(**SHAPES[shape], num_hidden_layers=layers, eos_token_id=tok.eos_token_id,
                            pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    with torch.device(dev()):
        model = Qwen3_5ForCausalLM(cfg).to(torch.bfloat16)
    model.save_pretrained(model_dir, safe_serialization=True)
    for f in bench.iterdir():
        if f.name.startswith(("tokenizer", "chat_template")):
            shutil.copy2(f, model_dir / f.name)
    GenerationConfig(eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id).save_pretrained(model_dir)
    print(f"model: Qwen3_5ForCausalLM {sum(p.numel() for p in model.parameters()) / 1e9:.3f}B params, {layers} layers, "
          f"vocab {cfg.vocab_size:,}")
    del model
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return model_dir


def bound_kernels() -> dict[str, str]:
    """Which implementation transformers bound for each Qwen3.5 kernel (its fallback is silent on import errors)."""
    import inspect

    from transformers.models.qwen3_5 import modeling_qwen3_5 as m

    out = {}
    for name in ("causal_conv1d_fn", "causal_conv1d_update", "torch_chunk_gated_delta_rule",
                 "torch_recurrent_gated_delta_rule"):
        fn = getattr(m, name)
        impl = inspect.getclosurevars(fn).nonlocals.get("implementation")
        out[name] = f"{impl.__module__}.{impl.__name__}" if impl is not None else "?"
    return out


def count_new(rows, eos: set[int], limit: int) -> int:
    n = 0
    for row in rows:
        row = row[:limit]
        n += next((k + 1 for k, t in enumerate(row) if t in eos), len(row))
    return n


def bare_generate(model, tok, prompts: list[str], batch: int, new: int, eos: list[int]) -> int:
    """What a transformers user writes: prompts in their order, left-padded batches, model.generate."""
    import torch

    tok.padding_side = "left"
    total = 0
    for s in range(0, len(prompts), batch):
        enc = tok(prompts[s : s + batch], return_tensors="pt", padding=True, add_special_tokens=False).to(dev())
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=new, do_sample=False, eos_token_id=eos,
                                 pad_token_id=tok.pad_token_id)
        total += count_new(out[:, enc["input_ids"].shape[1] :].tolist(), set(eos), new)
    return total


def bare_loglikelihood(model, tok, requests: list[tuple[str, str]], batch: int) -> list[tuple[float, bool]]:
    """A straightforward batched forward and gather: length-sorted batches of `batch` rows, right-padded,
    full logits, log-softmax in float32 of each row's continuation positions."""
    import torch

    seqs = []
    for c, x in requests:
        ctx = tok(c, add_special_tokens=False)["input_ids"]
        cont = tok(c + x, add_special_tokens=False)["input_ids"][len(ctx) :]
        seqs.append((ctx + cont, len(ctx)))
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i][0]))
    out: list[tuple[float, bool]] = [(0.0, False)] * len(seqs)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        width = max(len(seqs[i][0]) for i in idx)
        ids = torch.tensor([seqs[i][0] + [tok.pad_token_id] * (width - len(seqs[i][0])) for i in idx], device=dev())
        with torch.inference_mode():
            logits = model(input_ids=ids).logits
            for r, i in enumerate(idx):
                tokens, n_ctx = seqs[i]
                lp = logits[r, n_ctx - 1 : len(tokens) - 1].float().log_softmax(-1)
                target = torch.tensor(tokens[n_ctx:], device=dev())
                out[i] = (float(lp.gather(1, target[:, None]).sum()), bool((lp.argmax(-1) == target).all()))
    return out


def hflm_loglikelihood(runner, requests: list[tuple[str, str]], batch: int) -> list[tuple[float, bool]]:
    """lm-eval's HFLM as harness/evals/general.py builds it, on the same requests."""
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=runner.model, tokenizer=runner.tokenizer, batch_size=batch, device=runner.device)
    reqs = [Instance(request_type="loglikelihood", doc={}, arguments=r, idx=i) for i, r in enumerate(requests)]
    return lm.loglikelihood(reqs, disable_tqdm=True)


def pipeline_loglikelihood(runner, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
    """The lm-eval model the pipeline builds for this runner (harness/evals/lmeval.py make_lm: the runner's
    own scoring on the GPU), on the same requests."""
    from lm_eval.api.instance import Instance

    from harness.evals.lmeval import make_lm

    reqs = [Instance(request_type="loglikelihood", doc={}, arguments=r, idx=i) for i, r in enumerate(requests)]
    return make_lm(runner).loglikelihood(reqs, disable_tqdm=True)


def decode_steps(model, tok, prompts: list[str], batches: list[int], steps: int, eos: list[int]) -> None:
    """Per-step decode time at several batch sizes: generate(1 + steps) minus generate(1), over `steps`."""
    import torch

    tok.padding_side = "left"
    for b in batches:
        batch = (prompts * (b // len(prompts) + 1))[:b]
        enc = tok(batch, return_tensors="pt", padding=True, add_special_tokens=False).to(dev())
        run = lambda n: model.generate(**enc, max_new_tokens=n, min_new_tokens=n, do_sample=False,  # noqa: E731
                                       eos_token_id=eos, pad_token_id=tok.pad_token_id)
        with torch.inference_mode():
            _, t1 = sync_time(lambda: run(1))
            _, tn = sync_time(lambda: run(1 + steps))
        per = (tn - t1) / steps
        print(f"  decode batch {b:>3}: prefill {t1:.2f} s ({enc['input_ids'].numel():,} padded tokens), "
              f"{per * 1000:.1f} ms/step = {b / per:,.0f} new tok/s in the decode phase")


def profile_generate(model, tok, prompts: list[str], steps: int, eos: list[int], out_path: Path) -> None:
    import torch
    from torch.profiler import ProfilerActivity, profile

    tok.padding_side = "left"
    enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(dev())
    with torch.inference_mode(), profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        model.generate(**enc, max_new_tokens=steps, min_new_tokens=steps, do_sample=False, eos_token_id=eos,
                       pad_token_id=tok.pad_token_id)
        _sync()
    ka = prof.key_averages()
    text = (ka.table(sort_by="self_cpu_time_total", row_limit=25) + "\n"
            + ka.table(sort_by="self_cuda_time_total", row_limit=25))
    out_path.write_text(text)
    print(ka.table(sort_by="self_cpu_time_total", row_limit=12))
    print(ka.table(sort_by="self_cuda_time_total", row_limit=12))


def fla_conv_update(hidden_states, conv_state, weight, bias=None, activation=None):
    """transformers' causal_conv1d_update ([B, D, 1] in, conv_state [B, D, W] = the last W inputs, updated in
    place) on flash-linear-attention's Triton kernel, which keeps the same state layout."""
    from fla.modules.causal_conv1d.ops import causal_conv1d_update

    y, _ = causal_conv1d_update(hidden_states.transpose(1, 2), conv_state, weight=weight, bias=bias,
                                activation=activation)
    return y.transpose(1, 2)


def check_conv_shim(model) -> float:
    """Max |fla - transformers| of one decode step's conv output and updated state, on random data."""
    import torch
    from transformers.models.qwen3_5 import modeling_qwen3_5 as m

    layer = next(mod for mod in model.modules() if type(mod).__name__.endswith("GatedDeltaNet"))
    w = layer.conv1d.weight.squeeze(1)
    x = torch.randn(8, 1, w.shape[0], device=w.device, dtype=w.dtype).transpose(1, 2)
    s1 = torch.randn(8, w.shape[0], w.shape[1], device=w.device, dtype=w.dtype)
    s2 = s1.clone()
    ref = m.causal_conv1d_update(x, s1, w, None, "silu")
    got = fla_conv_update(x, s2, w, None, "silu")
    return max(float((ref - got).abs().max()), float((s1 - s2).abs().max()))


def raw_decode_ms(model, tok, prompts: list[str], steps: int) -> float:
    """ms per decode step of a bare forward loop (no generate(): no logits processors, no stopping checks)."""
    import torch

    tok.padding_side = "left"
    enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(dev())
    with torch.inference_mode():
        out = model(**enc, use_cache=True, logits_to_keep=1)
        cache, nxt = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
        mask = enc["attention_mask"]
        _sync()
        t = time.perf_counter()
        for _ in range(steps):
            mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
            out = model(input_ids=nxt, attention_mask=mask, past_key_values=cache, use_cache=True)
            cache, nxt = out.past_key_values, out.logits[:, -1].argmax(-1, keepdim=True)
        _sync()
    return (time.perf_counter() - t) / steps * 1000
