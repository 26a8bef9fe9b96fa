"""Where an HF decode step's time goes on the GPU (issue 14), on the random-init Qwen3.5-4B shape of
bench/eval_gpu.py: milliseconds per greedy step of a bare decode loop (no generate(): no logits
processors, no stopping checks) at several batch sizes, the prefill done in row chunks so that large
batches fit; the share of each step the GPU is busy (torch.profiler: CUDA kernel time / wall time); the
ops that take the time. Every shape is run once untimed first: flash-linear-attention autotunes its
Triton kernels once per shape bucket, which a level pays once and a timing must not.

    python bench/gpu_decode.py --bench .gpu/gpu_bench/evalbench --work /tmp/w --batches 64,128,256

Run it twice, once with causal-conv1d importable, to see what its kernels change (transformers binds
them at import)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def prefill(model, ids, mask, rows: int):
    import torch
    from transformers import DynamicCache

    pos = (mask.long().cumsum(-1) - 1).masked_fill(mask == 0, 0)
    caches, nxt = [], []
    for s in range(0, ids.shape[0], rows):
        cache = DynamicCache(config=model.config)
        out = model(input_ids=ids[s:s + rows], attention_mask=mask[s:s + rows], position_ids=pos[s:s + rows],
                    past_key_values=cache, use_cache=True, logits_to_keep=1)
        caches.append(out.past_key_values)
        nxt.append(out.logits[:, -1].argmax(-1, keepdim=True))
        del out
    from harness.runners.hf_decode import join_caches  # the runner's own join

    return join_caches(caches), torch.cat(nxt), pos[:, -1:]


def decode(model, cache, nxt, mask, pos, steps: int):
    import torch

    for _ in range(steps):
        mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], 1)
        pos = pos + 1
        out = model(input_ids=nxt, attention_mask=mask, position_ids=pos, past_key_values=cache, use_cache=True)
        nxt = out.logits[:, -1].argmax(-1, keepdim=True)
    return nxt, mask, pos


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def one_batch(model, tok, prompts, b: int, steps: int, rows: int, profile: bool) -> dict:
    import gpu_hf
    import torch

    batch = (prompts * (b // len(prompts) + 1))[:b]
    enc = tok(batch, return_tensors="pt", padding=True, add_special_tokens=False).to(gpu_hf.dev())
    ids, mask = enc["input_ids"], enc["attention_mask"]
    rec: dict = {"batch": b, "padded_tokens": ids.numel()}
    with torch.inference_mode():
        for rep in range(2):  # the first pays autotuning at these shapes
            sync()
            t0 = time.perf_counter()
            cache, nxt, pos = prefill(model, ids, mask, rows)
            sync()
            t1 = time.perf_counter()
            state = decode(model, cache, nxt, mask, pos, 4)  # warm at this batch
            sync()
            t2 = time.perf_counter()
            n = steps if rep else 4
            decode(model, cache, *state, n)
            sync()
            t3 = time.perf_counter()
            rec["warm" if rep == 0 else "timed"] = {"prefill_s": round(t1 - t0, 2),
                                                   "ms_per_step": round((t3 - t2) / n * 1000, 1)}
            del cache
        rec["peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 1) if torch.cuda.is_available() else 0
        if profile:
            rec["generate_ms_per_step"] = round(generate_ms(model, tok, ids, mask, steps), 1)
            rec["profile"] = profiled(model, tok, ids, mask, rows)
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return rec


def generate_ms(model, tok, ids, mask, steps: int) -> float:
    """ms per step of model.generate at the same batch: (generate(4 + steps) - generate(4)) / steps, after
    a generate(4) that pays its own shapes' autotuning."""
    def run(n: int) -> float:
        sync()
        t = time.perf_counter()
        model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=n, min_new_tokens=n, do_sample=False,
                       pad_token_id=tok.pad_token_id)
        sync()
        return time.perf_counter() - t

    run(4)
    return (run(4 + steps) - run(4)) / steps * 1000


def profiled(model, tok, ids, mask, rows: int, steps: int = 8) -> dict:
    from torch.profiler import ProfilerActivity, profile

    cache, nxt, pos = prefill(model, ids, mask, rows)
    state = decode(model, cache, nxt, mask, pos, 2)
    sync()
    import torch

    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=acts) as prof:
        t = time.perf_counter()
        decode(model, cache, *state, steps)
        sync()
        wall = time.perf_counter() - t
    ka = prof.key_averages()
    gpu_us = sum(e.self_device_time_total for e in ka if e.device_type.name == "CUDA")  # kernels only: ops count them too
    print(ka.table(sort_by="self_cpu_time_total", row_limit=15))
    if torch.cuda.is_available():
        print(ka.table(sort_by="self_cuda_time_total", row_limit=15))
    return {"wall_ms_per_step": round(wall / steps * 1000, 1), "gpu_ms_per_step": round(gpu_us / 1000 / steps, 1),
            "kernel_launches_per_step": sum(e.count for e in ka if e.device_type.name == "CUDA") // steps}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", required=True)
    p.add_argument("--work", default="/tmp/eval_gpu")
    p.add_argument("--batches", default="64,128,256")
    p.add_argument("--steps", type=int, default=32)
    p.add_argument("--rows", type=int, default=32, help="prefill chunk, rows")
    p.add_argument("--prompts", type=int, default=64)
    p.add_argument("--shape", default="4b", choices=["4b", "tiny"], help="tiny: a CPU smoke test of the bench")
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--profile-batch", type=int, default=64)
    p.add_argument("--attn", default="sdpa,harness_sdpa",
                   help="attention implementations, each measured at every batch size (harness_sdpa: the runner's on a GPU)")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--out", help="append the records to this JSON-lines file")
    a = p.parse_args()
    import gpu_hf
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.runners import hf_attention

    model_dir = gpu_hf.build(Path(a.bench), a.layers, Path(a.work) / "model", a.shape)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16, device_map=gpu_hf.dev()).eval()
    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.padding_side = "left"
    kernels = gpu_hf.bound_kernels()
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, kernels {json.dumps(kernels)}")
    prompts = json.loads((Path(a.bench) / "prompts.json").read_text())[: a.prompts]
    hf_attention.register()
    for b in (int(x) for x in a.batches.split(",")):
        for attn in a.attn.split(","):  # side by side at each batch size
            model.set_attn_implementation(attn)
            try:
                rec = one_batch(model, tok, prompts, b, a.steps, a.rows, b == a.profile_batch and not a.no_profile)
            except torch.OutOfMemoryError as e:
                rec = {"batch": b, "error": f"out of memory: {str(e)[:120]}"}
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
            rec.update(attn=attn, kernels=kernels)
            print("DECODE", json.dumps(rec))
            if a.out:
                with open(a.out, "a") as f:
                    f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
