"""What the issue-4 integrity work costs per artifact, and what the importance matrix buys.

On a finished run folder (default runs/demo): the template + tokenizer check of each GGUF against the
merged model, the EOS probe of each level (model load + 3 prompts), and, with --imatrix, the
importance matrix (compute time) and the KL divergence of the lowest ladder rung against the 16-bit
GGUF with and without it, side by side. Prints seconds; the lead compares them with the demo budget.

Usage: python bench/export_checks.py [--run runs/demo] [--imatrix] [--kld-tokens 1024]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _artifacts(run: Path) -> tuple[Path, list[tuple[str, str, Path]]]:
    report = json.loads((run / "report.json").read_text())
    levels = [(lv["name"], lv["kind"], run / lv["path"]) for lv in report["levels"]]
    merged = next(p for name, kind, p in levels if name == "bf16")
    return merged, levels


def _kld(ref: Path, level: Path, tokens: int) -> float:
    import numpy as np

    from harness.evals.kld import compare_logits, heldout_chunks, merge
    from harness.runners import open_runner

    r = open_runner("gguf", ref, n_ctx=1024)
    chunks = heldout_chunks(r.tokenize, tokens)
    ref_logits = [r.logits_for_tokens(c).astype(np.float32) for c in chunks]
    r.close()
    q = open_runner("gguf", level, n_ctx=1024)
    stats = merge([compare_logits(a, q.logits_for_tokens(c), c) for a, c in zip(ref_logits, chunks)])
    q.close()
    return float(stats.kld.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=Path("runs/demo"))
    parser.add_argument("--imatrix", action="store_true")
    parser.add_argument("--kld-tokens", type=int, default=1024)
    args = parser.parse_args()

    from harness.checks.template import compare
    from harness.evals.probe import probe_check, run_probe
    from harness.evals.store import ResultStore
    from harness.runners import open_runner

    merged, levels = _artifacts(args.run)
    print(f"run {args.run}  ({len(levels)} levels)")
    print(f"{'level':10s} {'template check s':>17s} {'probe s':>8s} {'probe tokens':>13s}  verdicts")
    with tempfile.TemporaryDirectory() as tmp, ResultStore(Path(tmp) / "probe.sqlite") as store:
        for name, kind, path in levels:
            t0 = time.monotonic()
            check = compare(merged, path, name) if kind == "gguf" else None
            t1 = time.monotonic()
            runner = open_runner(kind, path, n_ctx=512)
            items = run_probe(runner, store, name)
            runner.close()
            t2 = time.monotonic()
            probe = probe_check(name, items)
            tokens = sum(int(i.scores["new_tokens"]) for i in items)
            verdicts = f"template {'-' if check is None else check.passed}, probe {probe.passed}"
            print(f"{name:10s} {t1 - t0 if check else 0.0:17.2f} {t2 - t1:8.2f} {tokens:13d}  {verdicts}")
    if not args.imatrix:
        return
    from harness.export.imatrix import calibration_text, compute_imatrix
    from harness.models.inspect import read_gguf_info, read_hf_info

    ggufs = [(n, p) for n, k, p in levels if k == "gguf"]
    (ref_name, ref), (low_name, low) = ggufs[0], ggufs[-1]
    info = read_hf_info(merged)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        text = calibration_text(["fc_en", "fc_fr", "chat_fr", "replay_en"], info.chat_template, False, "<|im_end|>")
        facts = compute_imatrix(merged, ref, text, 8192, Path(tmp) / "imatrix.gguf", "training mixture")
        t1 = time.monotonic()
        weighted = Path(tmp) / f"{low_name}-imatrix.gguf"
        ftype = str(int(read_gguf_info(low).file_type))
        subprocess.run([sys.executable, "-m", "harness.export.llama_quantize", str(ref), str(weighted), ftype,
                        "--imatrix", str(Path(tmp) / "imatrix.gguf")], check=True, capture_output=True)
        t2 = time.monotonic()
        plain_kld, weighted_kld = _kld(ref, low, args.kld_tokens), _kld(ref, weighted, args.kld_tokens)
    print(f"imatrix: {facts['entries']} matrices from {facts['tokens']} tokens in {t1 - t0:.1f} s; "
          f"{low_name} quantized with it in {t2 - t1:.1f} s")
    print(f"{low_name} kld/mean vs {ref_name}: plain {plain_kld:.4f}  imatrix {weighted_kld:.4f}  "
          f"ratio {weighted_kld / plain_kld:.3f}")


if __name__ == "__main__":
    main()
