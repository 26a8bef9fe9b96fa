"""Training backends on the GPU machine (issue 3): this module's Unsloth backend, plain Unsloth and
this module's TRL + PEFT backend, on random-init Qwen3-4B- and Qwen3.5-shaped models.

Run ON the GPU machine, with Unsloth's site on PYTHONPATH (shared/gpu/build_unsloth_site.sh):
    python bench/train_gpu.py --shapes qwen3_4b,qwen35 [--qwen35-layers 8] [--tiny] [--deadline 560]
Same settings everywhere: LoRA r=16 on every linear layer, batch 4 x 2048 tokens, bf16, N timed steps
after warmup. Each configuration runs in a fresh process (bench/train_gpu_child.py): independent
memory peaks. The log goes to $OUT/train_gpu.log (and stdout), child logs to $OUT/children.log.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = Path(os.environ.get("OUT", "."))
_log_file = None


def log(msg: str = "") -> None:
    print(msg, flush=True)
    if _log_file:
        _log_file.write(msg + "\n")
        _log_file.flush()


def site_without_fla(site: Path, work: Path) -> Path:
    """A copy of the site (symlinks) without flash-linear-attention: transformers then uses its
    pure-PyTorch Gated DeltaNet, which fla 0.6 forces on Hopper with Triton < 3.7.1 anyway (#640)."""
    dst = work / "site-nofla"
    dst.mkdir(parents=True, exist_ok=True)
    for p in site.iterdir():
        if not p.name.startswith(("fla", "flash_linear_attention")) and not (dst / p.name).exists():
            (dst / p.name).symlink_to(p)
    return dst


def child(kind: str, shape_dir: Path, a, deadline: float, nofla: bool = False, timeout: float | None = None,
          **over) -> dict | None:
    left = deadline - time.monotonic()
    if left < 45:
        log(f"  {kind}: skipped, {left:.0f}s left before the deadline")
        return None
    result = shape_dir / f"{kind}.json"
    result.unlink(missing_ok=True)
    opts = {"steps": a.steps, "warmup": a.warmup, "seq": a.seq, "batch": a.batch, "lengths": a.lengths,
            "grad-timeout": max(30, left - 60), **over}
    cmd = [sys.executable, str(HERE / "train_gpu_child.py"), kind, "--model", str(shape_dir / "model"),
           "--work", str(shape_dir), "--result", str(result)] + [x for k, v in opts.items() for x in (f"--{k}", str(v))]
    env = dict(os.environ, PYTHONPATH=f"{a.nofla_site if nofla else a.site}:{ROOT}", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", UNSLOTH_DISABLE_STATISTICS="1",
               UNSLOTH_ENABLE_LOGGING="1", TRITON_PRINT_AUTOTUNING="1", TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1")
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=shape_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=min(timeout or a.child_timeout, left - 15))
        text, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:  # one stream, in order: the progress lines end the log
        out = e.stdout or b""
        text, rc = out.decode(errors="replace") if isinstance(out, bytes) else out, "timeout"
    wall = time.monotonic() - t0
    log(f"  [{kind}: rc={rc}, {wall:.0f}s]")
    with open(OUT / "children.log", "a") as f:
        f.write(f"\n===== {shape_dir.name}/{kind} rc={rc} {wall:.0f}s =====\n" + "\n".join(text.splitlines()[-150:]) + "\n")
    if rc != 0 or not result.exists():
        tail = " | ".join(line for line in text.splitlines()[-6:] if line.strip())
        log(f"  {kind}: FAILED rc={rc} after {wall:.0f}s: {tail[-600:]}")
        return None
    res = json.loads(result.read_text())
    res["process_wall_s"] = round(wall, 1)
    return res


def fmt_train(name: str, r: dict | None) -> str:
    if not r or not r.get("tokens_per_s"):
        return f"  {name:<22} (no result)"
    return (f"  {name:<22} {r['tokens_per_s']:>9,.0f} tok/s  peak {r['peak_gib']:6.2f} GiB  "
            f"(reserved {r['reserved_gib']:.2f})  {r['sec_per_step']:.3f} s/step over {r['steps_timed']} steps  "
            f"process {r.get('process_wall_s', '?')}s  losses {r.get('losses')}")


def ratio(x: dict | None, y: dict | None, key: str) -> float | None:
    return x[key] / y[key] if x and y and x.get(key) and y.get(key) else None


def run_shape(shape: str, a, deadline: float) -> dict:
    from train_gpu_checks import compare_grads

    name = shape + ("-tiny" if a.tiny else "") + ("-mixed" if a.lengths == "mixed" else "")
    d = Path(a.work) / name
    d.mkdir(parents=True, exist_ok=True)
    layers = a.qwen35_layers if shape == "qwen35" else a.qwen3_layers
    log(f"\n## {name}")
    res: dict = {"shape": name}

    def step(kind: str, **over) -> dict | None:
        if a.reuse and (d / f"{kind}.json").exists():  # done in an earlier call on this (warm) machine
            res[kind] = json.loads((d / f"{kind}.json").read_text())
            log(f"  {kind}: reused from an earlier run")
        else:
            res[kind] = child(kind, d, a, deadline, **over)
        return res[kind]

    meta = step("build", shape=shape + ("-tiny" if a.tiny else ""), layers=0 if a.tiny else layers)
    if not meta:
        return {**res, "error": "build failed"}
    log(f"  model: {meta['class']}, {meta['layers']} layers, {meta['params_b']}B params, LoRA targets {meta['targets']}")
    # Qwen3.5: what needs no Unsloth first. The first Unsloth run compiles fla's Triton kernels
    # (about 215 s here), so an unmeasured "warm" run pays that before ours and plain are timed.
    # The TRL backend runs without fla there: fla 0.6 refuses its backward on Hopper + Triton 3.6.
    hybrid = shape == "qwen35"
    order = ["trl", "grad-torch", "warm", "ours", "plain", "grad-unsloth"] if hybrid else ["ours", "plain", "trl"]
    skip = set(a.skip.split(","))
    for kind in order:
        if (kind.startswith("grad") and a.no_grad) or kind in skip:
            continue
        long = hybrid and kind in ("warm", "grad-unsloth")  # may compile fla kernels for new shapes
        step(kind, nofla=kind in ("trl", "grad-torch") and hybrid,
             **({"steps": 1, "warmup": 1} if kind == "warm" else {}),
             **({"timeout": deadline - time.monotonic() - 150} if long else {}))
        r = res[kind]
        if kind == "warm":
            continue
        if kind.startswith("grad"):
            if r:
                calls = r["dqkwg_calls"]
                log(f"  {kind}: loss {r['loss']:.6f}, {r['n_grads']}/{r['n_lora']} LoRA grads, fla {r['fla'] or 'not imported'}")
                log(f"    fla chunk_bwd_dqkwg calls: {len(calls)}, key widths {sorted({c['K'] for c in calls})}, "
                    f"gated {sum(c['gated'] for c in calls)}")
        else:
            log(fmt_train({"ours": "ours (Unsloth backend)", "plain": "plain Unsloth", "trl": "ours (TRL + PEFT)"}[kind], r))
    o, p, t = res.get("ours"), res.get("plain"), res.get("trl")
    res["ratios"] = {"ours_over_plain_tps": ratio(o, p, "tokens_per_s"), "unsloth_over_trl_tps": ratio(o, t, "tokens_per_s"),
                     "unsloth_over_trl_peak": ratio(o, t, "peak_gib")}
    log("  ratios: " + ", ".join(f"{k} {v:.3f}" if v else f"{k} n/a" for k, v in res["ratios"].items()))
    gu, gt = res.get("grad-unsloth"), res.get("grad-torch")
    if gu and gt:
        c = res["grad_compare"] = compare_grads(d, meta["layer_types"])
        log(f"  grad unsloth vs torch: loss {gu['loss']:.6f} vs {gt['loss']:.6f}; {json.dumps(c)}")
    # lm_head guard: our backend with lm_head asked for (tied model), a few short steps, then merge + checks.
    g = step("guard", steps=3, warmup=1, seq=512) if "guard" not in skip else None
    if g:
        log(f"  guard: {g['head']}; {g['head_note']} (changed={g['head_changed']}, tied_kept={g['tied_kept']})")
        m = step("merge") if "merge" not in skip else None
        if m:
            log(f"  merge: merged head == trained head (harness/training/merge.py): {m.get('merged_head_equals_trained')} "
                f"{m.get('merge_error', '')}; template check: {m.get('template_check')}; head on disk: {m.get('disk_head')}; "
                f"merge {m.get('merge_s')}s")
    return res


def main() -> None:
    global _log_file
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shapes", default="qwen3_4b,qwen35")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seq", type=int, default=2048)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lengths", choices=["fixed", "mixed"], default="fixed",
                   help="mixed: example lengths uniform in [seq/8, seq]; tokens/s counts real tokens, never padding")
    p.add_argument("--skip", default="", help="comma-separated kinds not to run (e.g. guard,merge,plain)")
    p.add_argument("--qwen3-layers", type=int, default=36)
    p.add_argument("--qwen35-layers", type=int, default=8, help="8 keeps a run inside the device budget; 32 is the 4B shape")
    p.add_argument("--tiny", action="store_true", help="tiny models: a smoke run of every path")
    p.add_argument("--no-grad", action="store_true", help="skip the Gated DeltaNet gradient check")
    p.add_argument("--reuse", action="store_true", help="reuse results already in --work (an earlier call)")
    p.add_argument("--work", default="/tmp/bench")
    p.add_argument("--site", default=os.environ.get("PYTHONPATH", "").split(":")[0] or "/tmp/site")
    p.add_argument("--child-timeout", type=float, default=420)
    p.add_argument("--deadline", type=float, default=560, help="seconds; children that would overrun are skipped")
    a = p.parse_args()
    deadline = time.monotonic() + a.deadline
    OUT.mkdir(parents=True, exist_ok=True)
    _log_file = open(OUT / "train_gpu.log", "a")
    Path(a.work).mkdir(parents=True, exist_ok=True)
    a.nofla_site = site_without_fla(Path(a.site), Path(a.work))
    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip()
    log(f"# bench/train_gpu.py {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}  GPU: {gpu}")
    log(f"settings: LoRA r=16 alpha=32 on all linear layers, batch {a.batch} x {a.seq} tokens ({a.lengths} lengths), bf16, "
        f"{a.warmup} warmup + {a.steps} timed steps; peak = torch.cuda.max_memory_allocated over the process")
    results = [run_shape(s, a, deadline) for s in a.shapes.split(",") if s]
    for r in results:
        for k in ("ours", "plain", "trl"):
            if r.get(k):
                log(f"versions ({r['shape']}/{k}): {r[k]['versions']}")
                break
    (OUT / "train_gpu.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
