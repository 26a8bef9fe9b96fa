"""Are two releases' scores identical? Every metric of every level (value, interval, n), every paired
comparison, every suite (version, items) and every check's verdict of report A against report B, and
the per-item scores sidecars byte for byte; prints each difference and exits 1 when there is one.

For a change that must not move a score (a refactor, a faster engine that promises identical greedy
outputs): run the demo before and after into two folders, then

    python bench/compare_reports.py runs-before/demo runs-after/demo
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.records.items import scores_path
from harness.records.report import Report, load_report


def _scores(r: Report) -> dict[str, object]:
    out: dict[str, object] = {}
    for lv in r.levels:
        out.update({f"level {lv.name} {m}": v.model_dump() for m, v in lv.metrics.items()})
        out[f"level {lv.name} sha256"] = lv.sha256
    out.update({f"comparison {c.a} -> {c.b} {c.metric}": c.model_dump() for c in r.comparisons})
    out.update({f"suite {s.name}": (s.version, s.n_items, s.skipped) for s in r.suites})
    out.update({f"check {c.name}": c.passed for c in r.checks})
    return out


def differences(a: Report, b: Report) -> list[str]:
    sa, sb = _scores(a), _scores(b)
    return [f"{k}: {sa.get(k, '(absent)')} != {sb.get(k, '(absent)')}" for k in sorted(set(sa) | set(sb))
            if sa.get(k) != sb.get(k)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path, help="report.json or run folder")
    ap.add_argument("b", type=Path, help="report.json or run folder")
    args = ap.parse_args()
    a, b = load_report(args.a), load_report(args.b)
    diffs = differences(a, b)
    same_items = scores_path(args.a).read_bytes() == scores_path(args.b).read_bytes()
    n = len(_scores(a))
    for d in diffs:
        print(d)
    print(f"{n} scores, comparisons, suites and checks compared: {len(diffs)} differ; "
          f"item_scores.json.gz {'identical' if same_items else 'DIFFERENT'}")
    sys.exit(1 if diffs or not same_items else 0)


if __name__ == "__main__":
    main()
