"""One level of a profile's full task set (rendered by bench/gpu_prepare.py), a stated fraction of it run
through a harness runner the way the pipeline drives it, timed and scaled to the whole level.

How the pipeline drives a runner (harness/evals/run_task.py, lmeval.py): generation items
of a task sorted by prompt and handed over `batch_size` at a time (the store's commit unit); each
multiple-choice item of our own as one loglikelihood call over its choices; an lm-eval task's requests
(query, " " + choice) in one call (HFLM for HF levels, the runner itself for GGUF levels).
Sampling: `fraction` of each task's items, evenly spread, at least one full batch (the whole task when
it is smaller); each task's time is scaled by its items / items run. A short warm-up call first (kernel
compiles and autotuning, which a process pays once) is timed once and added unscaled."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from typing import Any


def _sample(items: list, fraction: float, batch: int) -> list:
    """`fraction` of the items, evenly spread, and at least one full batch: a batched engine takes about
    as long for a part-filled batch as for a full one, so fewer items would scale to too long a time."""
    n = max(batch, math.ceil(len(items) * fraction))
    if n >= len(items) or fraction >= 1:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def run_level(runner, level: dict[str, Any], fraction: float, batch: int, lm_loglikelihood,
              budget_cap: int | None = None, limits: dict[str, int] | None = None,
              only_parts: set[str] | None = None, tasks: set[str] | None = None) -> dict[str, float]:
    """Seconds per part of one level, scaled to the full task set (to `limits[task]` items where the
    profile caps a task on this kind of level: eval.gguf_limits); `lm_loglikelihood(requests)` scores the
    general tasks' (context, continuation) requests as the level's lm-eval model would. `only_parts` (generate,
    choices, general) and `tasks` (generation tasks) run only some of it: the total then counts only those."""
    parts_wanted = only_parts or {"generate", "choices", "general"}
    by_task: dict[str, list] = defaultdict(list)
    for g in level["generate"]:
        by_task[g["task"]].append(g)
    parts: dict[str, float] = defaultdict(float)
    new_tokens = 0
    # A process's first calls compile and autotune kernels (Triton, cuBLAS): paid once a level, so timed
    # once here and not scaled with the tasks' items.
    t = time.perf_counter()
    first = next(iter(sorted(by_task.items())), (None, []))[1][:8]
    if first and "generate" in parts_wanted:
        runner.generate_with_stop([g["prompt"] for g in first], 8)
    warm_general = [g for g in level["general"]][:16] if "general" in parts_wanted else []
    if warm_general:
        lm_loglikelihood([(d["query"], " " + c) for d in warm_general for c in d["choices"]])
    parts["warmup"] = time.perf_counter() - t
    print(f"    warm-up: {parts['warmup']:.1f} s (once a level, not scaled)", flush=True)
    for task, items in sorted(by_task.items()):
        if "generate" not in parts_wanted or (tasks and task not in tasks):
            continue
        run = sorted(_sample(items, fraction, batch), key=lambda g: g["prompt"])
        t = time.perf_counter()
        for s in range(0, len(run), batch):
            chunk = run[s : s + batch]
            budget = min(chunk[0]["max_new_tokens"], budget_cap or 1 << 30)  # a cap: smoke tests only
            outs = runner.generate_with_stop([g["prompt"] for g in chunk], budget)
            new_tokens += sum(o.n_tokens for o in outs) * len(items) / len(run)
        parts["generate"] += (time.perf_counter() - t) * len(items) / len(run)
        print(f"    {task}: {len(run)}/{len(items)} items, {time.perf_counter() - t:.1f} s", flush=True)
    mc = level["choices"] if "choices" in parts_wanted else []
    run = _sample(mc, fraction, batch)
    t = time.perf_counter()
    for item in run:
        runner.loglikelihood([(item["context"], c) for c in item["choices"]])
    parts["choices"] += (time.perf_counter() - t) * len(mc) / max(1, len(run))
    by_general: dict[str, list] = defaultdict(list)
    for g in level["general"] if "general" in parts_wanted else []:
        by_general[g["task"]].append(g)
    for task, items in sorted(by_general.items()):
        run = _sample(items, fraction, batch)
        reqs = [(d["query"], " " + c) for d in run for c in d["choices"]]
        t = time.perf_counter()
        lm_loglikelihood(reqs)
        full = min(len(items), (limits or {}).get(task, len(items)))
        parts["general"] += (time.perf_counter() - t) * full / len(run)
        print(f"    {task}: {len(run)}/{len(items)} items ({len(reqs)} requests), {time.perf_counter() - t:.1f} s"
              + (f"; scaled to the profile's {full} items on this level" if full < len(items) else ""), flush=True)
    parts["total"] = parts["warmup"] + parts["generate"] + parts["choices"] + parts["general"]
    parts["new_tokens"] = new_tokens
    return dict(parts)
