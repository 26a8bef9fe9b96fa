"""bench/train_fit.py's arithmetic, on canned trials: the projection of a profile's full run and the
largest batch under the cap (the GPU part runs only on the H200; bench/RESULTS.md has its output)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "train_fit.py"


def _mod():
    spec = importlib.util.spec_from_file_location("train_fit", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _trial(kind: str, batch: int, ok: bool = True, tps: float = 8000.0, mean: float = 4096.0) -> dict:
    t = {"kind": kind, "batch": batch, "mean_tokens": mean, "ok": ok, "batching": "padded", "packing": {}}
    if ok:
        t.update(tokens_per_s=tps, sec_per_step=batch * mean / tps, peak_gib=30.0, reserved_gib=31.0)
    else:
        t["oom"] = "9b: out of GPU memory ..."
    return t


def test_projection_of_the_full_run() -> None:
    m = _mod()
    spec = m.train_spec("9b")  # 1500 steps of 8 x grad_accum 2, $3.5/GPU-hour
    pr = m.projection(spec, _trial("real", 8, tps=10_000.0, mean=500.0))
    # 8 x 500 tokens at 10k tok/s = 0.4 s a micro-batch, 2 a step: 0.8 s x 1500 steps = 1200 s
    assert pr["step_s"] == 0.8 and pr["wall_h"] == round(1200 / 3600, 2) and pr["cost"] == round(1200 / 3600 * 3.5, 2)


def test_largest_batch_under_the_cap() -> None:
    m = _mod()
    trials = [_trial("real", 8), _trial("worst", 8), _trial("sweep", 12), _trial("sweep", 16, ok=False)]
    assert m.largest_fit(trials) == 12
    assert m.largest_fit([_trial("worst", 8, ok=False), _trial("sweep", 4, ok=False)]) is None
    assert "OUT OF MEMORY" in m.fmt_trial(trials[-1]) and "tok/s" in m.fmt_trial(trials[0])
