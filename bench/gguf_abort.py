"""The CUDA abort of batched GGUF log-likelihood scoring on a hybrid model (issue 14), one mode a child
process (an abort takes the process down), on the GPU machine:

    python bench/gguf_abort.py GGUF --bench .gpu/gpu_bench/evalbench --modes ref,plain,nographs,nopdl,clear48

The requests are bench/eval_gpu.py's (64 BFCL prompts, each 4 times: half a prompt of context, ~50 tokens
of continuation; 361-1,632 tokens), scored by GGUFRunner at `--batch` sequences. Modes: `ref` one request
at a time (the first 64, the reference the others are compared with); `plain` batched as the runner
would; `nographs` / `nopdl` / `nofusion` with GGML_CUDA_DISABLE_GRAPHS=1 / GGML_CUDA_PDL=0 /
GGML_CUDA_DISABLE_FUSION=1; `clearK` the batched context's memory cleared every K requests; `freshK`
the batched context made anew every K requests. Each prints one line: what it scored, how fast, how it
ended, and its largest difference from `ref`."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
ENV = {"nographs": {"GGML_CUDA_DISABLE_GRAPHS": "1"}, "nopdl": {"GGML_CUDA_PDL": "0"},
       "nofusion": {"GGML_CUDA_DISABLE_FUSION": "1"}}


def child(a) -> None:
    from eval_gpu import requests_of

    from harness.runners.gguf import GGUFRunner

    prompts = json.loads((Path(a.bench) / "prompts.json").read_text())[:64]
    reqs = requests_of(prompts)[: 64 if a.mode == "ref" else a.requests]
    runner = GGUFRunner(Path(a.gguf), n_ctx=a.n_ctx)
    runner.batch_size = 1 if a.mode == "ref" else a.batch
    every = int(a.mode[5:]) if a.mode.startswith(("clear", "fresh")) else len(reqs)
    n_tok = sum(len(runner.tokenize(c + x)) for c, x in reqs)
    out: list = []
    t = time.perf_counter()
    for k in range(0, len(reqs), every):
        out += runner.loglikelihood(reqs[k : k + every])
        sc = runner._batching._sc
        if sc is not None and a.mode.startswith("clear"):  # every sequence emptied, buffers zeroed
            import llama_cpp

            llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(sc._ctx.ctx), True)
            sc.held = [[] for _ in range(sc.n_seq)]
        elif a.mode.startswith("fresh"):
            runner._batching.close()
        Path(a.out).write_text(json.dumps(out))  # what was scored before an abort stays
    s = time.perf_counter() - t
    print(json.dumps({"mode": a.mode, "requests": len(reqs), "tokens": n_tok, "s": round(s, 1),
                      "tok_s": round(n_tok / s)}), flush=True)
    runner.close()


def parent(a) -> None:
    out = Path(os.environ.get("OUT", "/tmp/gguf_abort"))
    out.mkdir(parents=True, exist_ok=True)
    ref = None
    for mode in a.modes.split(","):
        path = out / f"ll_{mode}.json"
        path.unlink(missing_ok=True)
        env = {**os.environ, **ENV.get(mode, {})}
        cmd = [sys.executable, __file__, "child", a.gguf, "--bench", a.bench, "--mode", mode, "--out", str(path),
               "--batch", str(a.batch), "--requests", str(a.requests), "--n-ctx", str(a.n_ctx)]
        t = time.perf_counter()
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=a.timeout)
            rc, text = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as e:
            rc, text = "timeout", (e.stdout or b"").decode() + (e.stderr or b"").decode()
        wall = time.perf_counter() - t
        got = json.loads(path.read_text()) if path.is_file() else []
        line = next((ln for ln in text.splitlines() if ln.startswith('{"mode"')), "")
        err = [ln for ln in text.splitlines() if "error" in ln.lower() or "abort" in ln.lower()][-2:]
        if mode == "ref":
            ref = got
        diff = max((abs(x[0] - y[0]) for x, y in zip(got, ref or [])), default=float("nan"))
        flags = sum(x[1] == y[1] for x, y in zip(got, ref or []))
        print(f"MODE {mode} batch {a.batch}: rc {rc}, {wall:.0f} s, {len(got)} requests scored; {line or err}; "
              f"vs ref: max |d logp| {diff:.4f}, greedy flags {flags}/{min(len(got), len(ref or []))}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("role", nargs="?", choices=["parent", "child"], default="parent")
    p.add_argument("gguf")
    p.add_argument("--bench", required=True)
    p.add_argument("--modes", default="ref,plain,nographs,nopdl,clear48")
    p.add_argument("--mode", default="plain")
    p.add_argument("--out", default="")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--requests", type=int, default=256)
    p.add_argument("--n-ctx", type=int, default=2048)
    p.add_argument("--timeout", type=int, default=150)
    a = p.parse_args()
    child(a) if a.role == "child" else parent(a)


if __name__ == "__main__":
    main()
