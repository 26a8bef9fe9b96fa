"""Evaluation speed on one GGUF level: the harness's generation against raw llama-cpp-python, and items/s
per task.

Part 1 (goal, issue 5: the harness at 0.9x raw or better): the same chat prompts (BFCL and the French
function-calling set, rendered with the GGUF's own template), the same greedy settings, the same order
(the order the harness's eval uses: sorted by prompt, so both reuse the KV cache of shared preambles),
generated once by the harness's GGUFRunner (prompt rendering included) and once by a bare
`llama_cpp.Llama.create_completion` on the same token ids. Tokens are counted the same way for both
(the answers re-tokenized); repeats alternate the two sides and the best time of each is kept.
Part 2: items/s of each task through the harness's eval path (fresh results store, nothing cached).

Usage: python bench/eval_speed.py [--gguf FILE | --level q8_0|f16] [--prompts 48] [--max-new-tokens 80]
       [--repeats 3] [--limit 16] [--tasks fc/bfcl_simple,fr/mc,...] [--skip-items]
Without --gguf the embedded model (SmolLM2-135M-Instruct) is converted to F16, and quantized to Q8_0
for --level q8_0, in a cache folder (--work, default /tmp/harness-bench-eval).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_TASKS = ("fc/bfcl_simple,fc/bfcl_multiple,fc/bfcl_parallel,fc/bfcl_parallel_multiple,fc/bfcl_irrelevance,"
                 "fc/bfcl_live_simple,fc/bfcl_live_multiple,fc/bfcl_live_parallel,fc/bfcl_live_parallel_multiple,"
                 "fc/bfcl_live_irrelevance,fc/bfcl_live_relevance,fc/fr_fc,fr/mc,fr/short,fr/lang,"
                 "general/arc_easy,general/arc_challenge,general/hellaswag,general/mmlu")


def build_gguf(work: Path, level: str) -> Path:
    """The embedded model as a GGUF level, through the harness's own stages (cached in `work`)."""
    from harness.cache import StageCache
    from harness.export.toolchain import resolve_toolchain
    from harness.pipeline import export, stages
    from harness.profiles import load_profile

    cache, tools = StageCache(work), resolve_toolchain(None)
    base = stages.base(cache, load_profile("demo"))
    conv = export.convert(cache, "bench", base.path, base.outputs.sha256, "f16", tools)
    f16 = conv.path / conv.outputs.file
    if level == "f16":
        return f16
    q = export.quantize(cache, "bench", f16, conv.outputs.sha256, level.upper(), tools)
    return q.path / q.outputs.file


def bench_prompts(n: int) -> list[tuple[list[dict], list[dict] | None]]:
    """(messages, tools) of the first items of BFCL simple/multiple/parallel and the French set, interleaved."""
    from harness.evals.registry import get_task

    pools = [get_task(name).dataset() for name in ("fc/bfcl_simple", "fc/bfcl_multiple", "fc/bfcl_parallel", "fc/fr_fc")]
    picked = [pool[i] for i in range(n) for pool in pools if i < len(pool)][:n]
    return [(s.messages, s.tools) for s in picked]


def harness_side(runner, items, max_new: int) -> tuple[float, list[str]]:
    started = time.perf_counter()
    prompts = sorted(runner.chat_prompt(m, t) for m, t in items)
    outs = runner.generate(prompts, max_new)
    return time.perf_counter() - started, outs


def raw_side(llm, runner, prompts: list[str], max_new: int) -> tuple[float, list[str]]:
    """Bare llama-cpp-python: the same token ids, greedy, the same stop, one create_completion per prompt."""
    started = time.perf_counter()
    outs = []
    for p in prompts:
        toks = llm.tokenize(p.encode("utf-8"), add_bos=runner.add_bos, special=True)
        room = runner.n_ctx - len(toks)
        if room <= 1:
            outs.append("")
            continue
        res = llm.create_completion(toks, max_tokens=min(max_new, room - 1), temperature=0.0, top_k=1,
                                    stop=[runner.eos_token] if runner.eos_token else None)
        outs.append(res["choices"][0]["text"])
    return time.perf_counter() - started, outs


def generation(gguf: Path, n_prompts: int, max_new: int, repeats: int, n_ctx: int) -> None:
    from llama_cpp import Llama

    from harness.runners.gguf import GGUFRunner, _threads

    runner = GGUFRunner(gguf, n_ctx=n_ctx)
    raw = Llama(str(gguf), n_ctx=n_ctx, n_threads=_threads(), verbose=False, seed=0)
    items = bench_prompts(n_prompts)
    prompts = sorted(runner.chat_prompt(m, t) for m, t in items)
    runner.generate(prompts[:1], 4)  # warm-up: first-call allocations on both sides
    raw_side(raw, runner, prompts[:1], 4)
    best_h = best_r = float("inf")
    outs_h: list[str] = []
    outs_r: list[str] = []
    for _ in range(repeats):
        t, outs_h = harness_side(runner, items, max_new)
        best_h = min(best_h, t)
        t, outs_r = raw_side(raw, runner, prompts, max_new)
        best_r = min(best_r, t)
    tok_h, tok_r = (sum(len(runner.tokenize(o)) for o in outs) for outs in (outs_h, outs_r))
    same = sum(a == b for a, b in zip(outs_h, outs_r))
    print(f"generation on {gguf.name}: {len(prompts)} prompts, max_new_tokens {max_new}, n_ctx {n_ctx}, "
          f"{_threads()} threads, best of {repeats}")
    print(f"  harness  {tok_h:6d} tokens  {best_h:8.2f} s  {tok_h / best_h:8.1f} tokens/s")
    print(f"  raw      {tok_r:6d} tokens  {best_r:8.2f} s  {tok_r / best_r:8.1f} tokens/s")
    print(f"  ratio harness/raw tokens/s: {(tok_h / best_h) / (tok_r / best_r):.3f}   (goal >= 0.9)   "
          f"identical answers: {same}/{len(prompts)}")
    runner.close()
    raw.close()


def items_per_second(gguf: Path, tasks: list[str], limit: int, max_new: int, n_ctx: int) -> None:
    from harness.evals.registry import resolve
    from harness.evals.run_task import run_task
    from harness.evals.store import ResultStore
    from harness.runners.gguf import GGUFRunner

    known = {t.name: t for t in resolve(["fc", "fr", "general"], tasks)}
    runner = GGUFRunner(gguf, n_ctx=n_ctx)
    print(f"items/s on {gguf.name} (limit {limit} per task, max_new_tokens {max_new}, fresh store):")
    with tempfile.TemporaryDirectory() as tmp, ResultStore(Path(tmp) / "r.sqlite") as store:
        for name in tasks:
            started = time.perf_counter()
            if name in known and not known[name].hub:
                n = len(run_task(runner, known[name], limit, store, "bench", max_new, n_ctx, "bench"))
            else:
                print(f"  {name:34s} skipped (not run by this bench)")
                continue
            seconds = time.perf_counter() - started
            print(f"  {name:34s} {n:4d} items  {seconds:8.2f} s  {n / seconds:7.2f} items/s")
    runner.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, help="a GGUF file (default: the embedded model at --level)")
    parser.add_argument("--level", default="q8_0", choices=["q8_0", "f16"])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "harness-bench-eval")
    parser.add_argument("--prompts", type=int, default=48)
    parser.add_argument("--max-new-tokens", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--limit", type=int, default=16, help="items per task for the items/s part")
    parser.add_argument("--tasks", default=DEFAULT_TASKS, help="comma-separated task names for the items/s part")
    parser.add_argument("--skip-items", action="store_true", help="only the generation comparison")
    args = parser.parse_args()

    from harness import progress

    progress.quiet_libraries()
    gguf = args.gguf or build_gguf(args.work, args.level)
    generation(gguf, args.prompts, args.max_new_tokens, args.repeats, args.n_ctx)
    if not args.skip_items:
        items_per_second(gguf, [t for t in args.tasks.split(",") if t], args.limit, args.max_new_tokens, args.n_ctx)


if __name__ == "__main__":
    main()
