"""One fixed evaluation workload, a release's levels, timed serially (1 worker) and spread over N workers of
a Ray cluster (harness/evals/spread.py), side by side in one run: wall times, the speed-up and its ratio to
N (issue 18's goal: >= 0.85 N for levels spread across GPUs), and whether both runs stored the very same
items (outputs and scores). On a GPU host each worker gets one GPU; on a CPU host one CPU slot each.

Usage: python bench/eval_multi_gpu.py RUN_DIR [--workers N] [--profile P] [--limit K] [--tasks a,b]
                                      [--cluster ADDRESS] [--levels base,bf16,...] [--shards K]
RUN_DIR is a finished release's folder (report.json and its stages: the levels' files); the profile's eval
settings (default: the built-in profile of the report's release name) with --limit/--tasks to size the
workload. Each side starts from an empty results store in a temp folder: every item is computed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--tasks", default=None)
    ap.add_argument("--cluster", default=None)
    ap.add_argument("--shards", type=int, default=0, help="eval.shards (default 0: the automatic split)")
    ap.add_argument("--levels", default=None, help="comma-separated level names (default: every level)")
    args = ap.parse_args()

    from harness import progress
    from harness.evals.levels import Artifact, evaluate_levels
    from harness.evals.spread import evaluate_levels_spread
    from harness.evals.store import ResultStore
    from harness.profiles import load_profile
    from harness.records.report import load_report

    progress.quiet_libraries()
    report = load_report(args.run)
    spec = load_profile(args.profile or report.release).eval
    update = {k: v for k, v in (("limit", args.limit), ("tasks", args.tasks.split(",") if args.tasks else None))
              if v is not None}
    if args.limit is not None:
        update["limits"] = {}
    spec = spec.model_copy(update=update)
    wanted = set(args.levels.split(",")) if args.levels else None
    levels = [Artifact(lv.name, lv.kind, args.run / lv.path, lv.sha256, lv.gguf) for lv in report.levels
              if wanted is None or lv.name in wanted]

    with tempfile.TemporaryDirectory(prefix="harness-bench-workers-") as tmp:
        timed, stored = {}, {}
        for side, workers in (("1 worker", 0), (f"{args.workers} workers", args.workers)):
            with ResultStore(Path(tmp) / f"{workers}.sqlite") as store:
                started = time.monotonic()
                if workers:
                    run_spec = spec.model_copy(update={"workers": workers, "cluster": args.cluster,
                                                       "shards": args.shards})
                    evaluate_levels_spread(levels, run_spec, store, {})
                else:
                    evaluate_levels(levels, spec, store, {})
                timed[side] = time.monotonic() - started
                stored[side] = {a.name: sorted(store.rows(a.sha256)) for a in levels}
    one, many = timed.values()
    same = len(set(map(repr, stored.values()))) == 1
    print(f"workload: {len(levels)} levels ({', '.join(a.name for a in levels)}), "
          f"{sum(len(r) for r in next(iter(stored.values())).values())} items")
    for side, seconds in timed.items():
        print(f"{side:>12}: {seconds:8.1f} s")
    print(f"speed-up: {one / many:.2f}x with {args.workers} workers ({one / many / args.workers:.2f} N; goal 0.85 N)")
    print(f"identical items: {same}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
