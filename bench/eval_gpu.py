"""HF levels on the GPU (issue 14): the project's HFRunner on CUDA at its GPU batch against the same runner
at the old CPU batch (8) and one prompt at a time, side by side in one run, on a random-init model of the
Qwen3.5-4B shape (published text config: 32 layers, 3 Gated DeltaNet + 1 full attention, hidden 2560).

    # here (CPU): render BFCL live_multiple prompts through the official Qwen3.5 template
    python bench/eval_gpu.py prepare --tokenizer DIR --out .gpu/evalbench
    # on the GPU machine
    python bench/eval_gpu.py run --bench .gpu/evalbench [--layers 32] [--prompts 64] [--new 128]

Prints new tokens/s per batch size, the ratios, greedy agreement between batch sizes, log-likelihood
tokens/s, peak memory and which linear-attention kernels ran (fla or transformers' PyTorch fallback)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHAPE_4B = dict(hidden_size=2560, intermediate_size=9216, tie_word_embeddings=True)


def prepare(a) -> None:
    from harness.chat.template import render
    from harness.chat.tools import to_template_messages
    from harness.evals.bfcl import bfcl_samples

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    template = (Path(a.tokenizer) / "chat_template.jinja").read_text(encoding="utf-8")
    prompts = []
    for s in bfcl_samples("live_multiple")[: a.prompts]:
        msgs, tools = to_template_messages(s.messages, s.tools, True)
        prompts.append(render(template, msgs, tools=tools, variables={"enable_thinking": False}))
    (out / "prompts.json").write_text(json.dumps(prompts))
    for f in Path(a.tokenizer).iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
            shutil.copy2(f, out / f.name)
    print(f"{len(prompts)} prompts, mean {sum(map(len, prompts)) / len(prompts):,.0f} characters -> {out}")


def build(bench: Path, layers: int) -> Path:
    import torch
    from transformers import AutoTokenizer, GenerationConfig, Qwen3_5ForCausalLM, Qwen3_5TextConfig

    model_dir = Path("/tmp/eval_gpu_model")
    tok = AutoTokenizer.from_pretrained(bench)
    cfg = Qwen3_5TextConfig(**SHAPE_4B, num_hidden_layers=layers, vocab_size=len(tok),
                            eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = Qwen3_5ForCausalLM(cfg).to(torch.bfloat16)
    model.save_pretrained(model_dir, safe_serialization=True)
    for f in bench.iterdir():
        if f.name.startswith(("tokenizer", "chat_template")):
            shutil.copy2(f, model_dir / f.name)
    GenerationConfig(eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id).save_pretrained(model_dir)
    print(f"model: Qwen3_5ForCausalLM {sum(p.numel() for p in model.parameters()) / 1e9:.2f}B params, {layers} layers")
    del model
    torch.cuda.empty_cache()
    return model_dir


def timed(fn):
    import torch

    torch.cuda.synchronize()
    t = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return out, time.perf_counter() - t


def run(a) -> None:
    import torch

    from harness.runners.hf import HFRunner

    bench = Path(a.bench)
    prompts = json.loads((bench / "prompts.json").read_text())[: a.prompts]
    model_dir = build(bench, a.layers)
    runner = HFRunner(model_dir, n_ctx=8192, device="cuda")
    print("engine:", runner.engine.model_dump_json())
    runner.generate(prompts[:2], 4)  # warm-up: kernels compiled, allocator primed
    results = {}
    for batch in (runner.batch_size, 8, 1):
        runner.batch_size = batch
        subset = prompts if batch > 1 else prompts[: max(4, a.prompts // 16)]  # batch 1 is slow: a sample
        torch.cuda.reset_peak_memory_stats()
        outs, secs = timed(lambda: [runner.tokenizer.encode(o) for o in runner.generate(subset, a.new)])
        new = sum(len(o) for o in outs)
        results[batch] = (outs, new / secs)
        print(f"generate batch {batch:>2}: {len(subset)} prompts, {new:,} new tokens in {secs:.1f} s = "
              f"{new / secs:,.0f} new tok/s, peak {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    big = max(results)
    print(f"ratio batch {big} / batch 8: {results[big][1] / results[8][1]:.2f}x; / batch 1: {results[big][1] / results[1][1]:.2f}x")
    same = sum(x == y for x, y in zip(results[big][0], results[8][0]))
    print(f"greedy outputs identical between batch {big} and 8: {same}/{len(prompts)} (bf16: padding changes rounding)")
    reqs = [(p[: len(p) // 2], p[len(p) // 2 : len(p) // 2 + 200]) for p in prompts for _ in range(4)]
    n_tok = sum(len(runner.tokenize(c + x)) for c, x in reqs)
    runner.batch_size = 64
    _, secs = timed(lambda: runner.loglikelihood(reqs))
    print(f"loglikelihood: {len(reqs)} requests, {n_tok:,} tokens in {secs:.1f} s = {n_tok / secs:,.0f} tok/s")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pre = sub.add_parser("prepare")
    pre.add_argument("--tokenizer", required=True)
    pre.add_argument("--out", required=True)
    pre.add_argument("--prompts", type=int, default=64)
    r = sub.add_parser("run")
    r.add_argument("--bench", required=True)
    r.add_argument("--layers", type=int, default=32)
    r.add_argument("--prompts", type=int, default=64)
    r.add_argument("--new", type=int, default=128)
    a = p.parse_args()
    prepare(a) if a.cmd == "prepare" else run(a)


if __name__ == "__main__":
    main()
