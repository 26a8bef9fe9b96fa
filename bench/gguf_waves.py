"""GGUF log-likelihood on the GPU: the wave scorer (harness/runners/llama_waves.py, many requests a
decode) against the one-sequence-a-decode BatchScorer, side by side in one run on the same requests:
a sample of the `4b` level's lm-eval tasks (bench/gpu_prepare.py's level.json.gz), scored as the GGUF
level's lm-eval model scores them. Prints each task's tokens/s per scorer, the ratio, and how far the
two scorers' numbers are apart (other batch shapes round differently on the GPU).

    python bench/gguf_waves.py FILE.gguf --bench .gpu/gpu_bench/evalbench --items 256 --modes rows,waves2048
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def configure(runner, mode: str) -> None:
    """`rows`: BatchScorer (one sequence a decode, n_batch 512, keepers for long contexts);
    `wavesN`: WaveScorer in decodes of N rows (its own rule may hand long choices to BatchScorer)."""
    b = runner._batching
    b.close()
    if mode == "rows":
        b.waves, b.n_batch = False, None
    else:
        b.waves, b.n_batch = True, int(mode.removeprefix("waves"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gguf")
    p.add_argument("--bench", required=True)
    p.add_argument("--items", type=int, default=256, help="items of each task (evenly spread)")
    p.add_argument("--modes", default="rows,waves2048")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--tasks", help="comma-separated tasks (default: every general task of the level)")
    a = p.parse_args()
    import gpu_level

    from harness.runners.gguf import GGUFRunner

    level = json.loads(gzip.open(Path(a.bench) / "level.json.gz", "rt").read())
    by_task: dict[str, list] = defaultdict(list)
    for g in level["general"]:
        by_task[g["task"]].append(g)
    runner = GGUFRunner(Path(a.gguf), n_ctx=8192)
    runner.batch_size = a.batch
    modes = a.modes.split(",")
    results: dict[str, dict[str, tuple]] = defaultdict(dict)
    for task, items in sorted(by_task.items()):
        if a.tasks and task not in a.tasks.split(","):
            continue
        run = gpu_level._sample(items, min(1.0, a.items / len(items)), a.items)
        reqs = [(d["query"], " " + c) for d in run for c in d["choices"]]
        n_tok = sum(len(runner.tokenize(q + c)) for q, c in reqs)
        configure(runner, modes[0])
        runner.loglikelihood(reqs[:8])  # warm-up: the first graph reservation
        for mode in modes:
            configure(runner, mode)
            t = time.perf_counter()
            out = runner.loglikelihood(reqs)
            dt = time.perf_counter() - t
            results[task][mode] = (out, dt)
            print(f"  {task} {mode}: {len(run)} items, {len(reqs)} requests, {n_tok:,} tokens in {dt:.1f} s = "
                  f"{n_tok / dt:,.0f} tok/s", flush=True)
        ref, t_ref = results[task][modes[0]]
        for mode in modes[1:]:
            out, dt = results[task][mode]
            diff = max(abs(x[0] - y[0]) for x, y in zip(out, ref))
            flags = sum(x[1] == y[1] for x, y in zip(out, ref))
            picks = [max(range(len(d["choices"])), key=lambda k, o=off, r=res: r[o + k][0])
                     for res in (out, ref) for off, d in _offsets(run)]
            half = len(picks) // 2
            same = sum(x == y for x, y in zip(picks[:half], picks[half:]))
            print(f"RATIO {task} {mode}/{modes[0]}: {t_ref / dt:.2f}x; max |d logp| {diff:.4f}, greedy flags "
                  f"{flags}/{len(reqs)} equal, chosen answers {same}/{half} equal", flush=True)
    total = {m: sum(results[t][m][1] for t in results) for m in modes}
    for mode in modes[1:]:
        print(f"RATIO all tasks {mode}/{modes[0]}: {total[modes[0]]:.1f} s / {total[mode]:.1f} s = "
              f"{total[modes[0]] / total[mode]:.2f}x")
    runner.close()


def _offsets(run: list[dict]):
    off = 0
    for d in run:
        yield off, d
        off += len(d["choices"])


if __name__ == "__main__":
    main()
