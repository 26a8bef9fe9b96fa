"""Does training at the 4b / 9b profiles' settings fit a 48 GB GPU, how fast, and at what cost (issue 19)?

Run ON the GPU machine, with Unsloth's site on PYTHONPATH (shared/gpu/build_unsloth_site.sh):
    python bench/train_fit.py --profiles 9b,4b --tokenizer DIR [--cap-gib 44] [--deadline 560]
For each profile: a random-init Qwen3.5 text model of the published shape (transformers `qwen3_5`,
vocab 248,320; 4B tied, 9B untied), LoRA with the profile's r/alpha on the targets the recipe
resolves (Gated DeltaNet projections included), trained through harness/training/unsloth_backend.py with
the profile's batch size, max_seq_len and packing setting, under a memory cap of --cap-gib
(torch's per-process fraction: past it the real OutOfMemoryError fires, and the recipe's guard
turns it into its one-line message). Trials, each a few steps:
  real   the profile's own mixture, rendered with --tokenizer's chat template (the Qwen3.5 one);
  worst  every example exactly max_seq_len tokens (what the cap must hold);
  sweep  worst-case lengths at other batch sizes: the largest batch under the cap.
The projection of the profile's full max_steps comes from `real` (upper bound: `worst`).
grad_accum does not change the peak (gradients accumulate in place), so trials run one micro-batch a
step and the projection multiplies by grad_accum. One process per profile (independent peaks);
results are written to $OUT/train_fit.json after every trial.
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
# The published Qwen3.5 text configs (the rest are transformers' Qwen3_5TextConfig defaults: 32 layers,
# 3 Gated DeltaNet + 1 full attention, 16/4 heads of 256, linear attention 16 key / 32 value heads of 128).
SHAPES = {"4b": dict(hidden_size=2560, intermediate_size=9216, tie_word_embeddings=True),
          "9b": dict(hidden_size=4096, intermediate_size=12288, tie_word_embeddings=False),
          "tiny": dict(hidden_size=256, intermediate_size=512, num_hidden_layers=4, num_attention_heads=4,
                       num_key_value_heads=2, head_dim=64, linear_num_key_heads=2, linear_num_value_heads=4,
                       vocab_size=151936, tie_word_embeddings=True)}  # the Qwen tokenizer's ids
SWEEP_UP, SWEEP_DOWN = (12, 16, 24, 32), (6, 4, 2, 1)


def train_spec(profile: str):
    """The built-in profile's train section, validated as the harness does (without the export
    section, whose ladder check needs the gguf package the GPU image lacks)."""
    import yaml

    from harness.profiles.model import BUILTIN_DIR, TrainSpec

    return TrainSpec.model_validate(yaml.safe_load((BUILTIN_DIR / f"{profile}.yaml").read_text())["train"])


def projection(spec, trial: dict) -> dict:
    """The profile's full run from one trial: seconds per optimizer step, wall hours, GPU-hours, cost."""
    per_micro = trial["batch"] * trial["mean_tokens"] / trial["tokens_per_s"]
    step_s = per_micro * spec.grad_accum
    hours = spec.max_steps * step_s / 3600
    return {"step_s": round(step_s, 3), "wall_h": round(hours, 2), "gpu_hours": round(hours, 2),
            "cost": round(hours * spec.gpu_price_per_hour, 2), "price_per_hour": spec.gpu_price_per_hour,
            "max_steps": spec.max_steps, "grad_accum": spec.grad_accum}


def largest_fit(trials: list[dict]) -> int | None:
    """The largest worst-case batch that trained under the cap; None if none did."""
    ok = [t["batch"] for t in trials if t["kind"] in ("worst", "sweep") and t["ok"]]
    return max(ok) if ok else None


def fmt_trial(t: dict) -> str:
    head = f"  {t['kind']:<6} batch {t['batch']:>2} x {t['mean_tokens']:>6,.0f} tok"
    if not t["ok"]:
        return f"{head}  OUT OF MEMORY under the cap: {t['oom']}"
    return (f"{head}  {t['tokens_per_s']:>8,.0f} tok/s  {t['sec_per_step']:.2f} s/step  peak {t['peak_gib']:.2f} GiB "
            f"(reserved {t['reserved_gib']:.2f})  {t['batching']}")


def build(a) -> dict:
    """A random-init Qwen3.5 text model of the profile's shape, saved with --tokenizer's files."""
    import shutil

    import torch
    from transformers import AutoTokenizer, GenerationConfig, Qwen3_5ForCausalLM, Qwen3_5TextConfig

    tok = AutoTokenizer.from_pretrained(a.tokenizer)
    shape = SHAPES["tiny" if a.tiny else a.profile]
    cfg = Qwen3_5TextConfig(**shape, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):  # on the GPU: seconds, not minutes
        model = Qwen3_5ForCausalLM(cfg).to(torch.bfloat16)
    model.save_pretrained(a.model, safe_serialization=True)
    for f in Path(a.tokenizer).iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
            shutil.copy2(f, Path(a.model) / f.name)
    GenerationConfig(eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id).save_pretrained(a.model)
    return {"class": type(model).__name__, "params_b": round(sum(p.numel() for p in model.parameters()) / 1e9, 3),
            "layers": cfg.num_hidden_layers, "tied": cfg.tie_word_embeddings, "vocab": cfg.vocab_size,
            "hidden": cfg.hidden_size, "layer_types": sorted(set(cfg.layer_types))}


def fit(a) -> dict:
    """The trials for one profile, in one process: the model loads once, each trial is a new trainer."""
    from harness.training.unsloth_backend import import_unsloth

    import_unsloth()  # first: it patches transformers/trl/peft
    import gc

    import torch
    from train_gpu_child import examples, timer, versions
    from transformers import AutoTokenizer

    from harness.training.mixture import Example
    from harness.training.oom import TrainOutOfMemory
    from harness.training.recipe import build_mixture
    from harness.training.sft import adapted_record, fit_guarded
    from harness.training.unsloth_backend import load_unsloth, unsloth_trainer

    started = time.monotonic()
    spec = train_spec(a.profile)
    if a.tiny:
        spec = spec.model_copy(update={"max_seq_len": 512, "batch_size": 2})
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, a.cap_gib * 2**30 / total))
    tok = AutoTokenizer.from_pretrained(a.model)
    m = load_unsloth(Path(a.model), spec)
    res = {"profile": a.profile, "cap_gib": a.cap_gib, "spec": spec.model_dump(), "versions": versions(),
           "adapted": adapted_record(m.model, m.targets.description).model_dump(), "trials": [],
           "load_s": round(time.monotonic() - started, 1), "weights_gib": torch.cuda.memory_allocated() / 2**30}
    save = lambda: Path(a.result).write_text(json.dumps(res, default=str))  # noqa: E731
    save()

    def trial(kind: str, batch: int, rows: list, warmup: int, steps: int) -> dict:
        sb = spec.model_copy(update={"batch_size": batch, "grad_accum": 1, "max_steps": warmup + steps})
        rows = rows[: batch * (warmup + steps)]
        mean = sum(len(tok(e.prompt + e.completion, add_special_tokens=False)["input_ids"]) for e in rows) / len(rows)
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        cb = timer(warmup, batch, mean)
        t0 = time.monotonic()
        trainer, packed = unsloth_trainer(m, sb, Path(a.work) / f"{kind}-{batch}", rows, [], [cb])
        t = {"kind": kind, "batch": batch, "mean_tokens": round(mean, 1), "batching": packed.batching,
             "packing": packed.model_dump()}
        try:
            fit_guarded(trainer, sb, f"{a.profile} {kind} batch {batch}", False)
            t.update(cb.result(), ok=True)
        except TrainOutOfMemory as e:  # the recipe's own one-line message, on real hardware
            t.update(ok=False, oom=str(e), peak_gib=torch.cuda.max_memory_allocated() / 2**30)
        t["wall_s"] = round(time.monotonic() - t0, 1)
        del trainer
        m.model.zero_grad(set_to_none=True)
        res["trials"].append(t)
        save()
        print(fmt_trial(t), flush=True)
        return t

    left = lambda: a.deadline - (time.monotonic() - started)  # noqa: E731
    b0 = spec.batch_size
    template = (Path(a.model) / "chat_template.jinja").read_text()
    real = build_mixture(spec.model_copy(update={"max_steps": 5, "grad_accum": 1}), template, tok)[0]
    trial("real", b0, real, 2, 3)
    n = max((b0, *SWEEP_UP)) * 2
    worst = [Example("worst", str(i), p, c) for i, (p, c) in enumerate(examples(a.model, n, spec.max_seq_len))]
    last = trial("worst", b0, worst, 1, 2)
    for b in SWEEP_UP if last["ok"] else SWEEP_DOWN:
        if (last["ok"] and b <= b0) or (not last["ok"] and b >= b0):
            continue
        if left() < 2.5 * last["wall_s"] * max(1.0, b / last["batch"]):
            print(f"  sweep stopped before batch {b}: {left():.0f}s left", flush=True)
            break
        last = trial("sweep", b, worst, 1, 1)
        if last["ok"] == (b < b0):  # going up: stop at the first OOM; going down: at the first fit
            break
    return res


def _run_child(mode: str, profile: str, a, timeout: float) -> int | str:
    path = [a.site, *os.environ.get("PYTHONPATH", "").split(":"), str(ROOT), str(HERE)]
    env = dict(os.environ, PYTHONPATH=":".join(dict.fromkeys(x for x in path if x)), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", UNSLOTH_DISABLE_STATISTICS="1", TOKENIZERS_PARALLELISM="false",
               PYTHONUNBUFFERED="1")
    d = Path(a.work) / profile
    cmd = [sys.executable, __file__, mode, "--profile", profile, "--model", str(d / "model"), "--work", str(d),
           "--result", str(d / f"{mode}.json"), "--tokenizer", a.tokenizer, "--cap-gib", str(a.cap_gib),
           "--deadline", str(max(60, timeout - 30))] + (["--tiny"] if a.tiny else [])
    d.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{profile}-{mode}.log", "w") as logf:
        try:
            return subprocess.run(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return "timeout"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", nargs="?", default="bench", choices=["bench", "build", "fit"])
    p.add_argument("--profiles", default="9b,4b")
    p.add_argument("--profile", default="9b")
    p.add_argument("--tokenizer", required=True, help="a folder with a Qwen tokenizer and the Qwen3.5 chat template")
    p.add_argument("--cap-gib", type=float, default=44.0)
    p.add_argument("--deadline", type=float, default=560)
    p.add_argument("--tiny", action="store_true", help="tiny models: a smoke run of every path")
    p.add_argument("--work", default="/tmp/train_fit")
    p.add_argument("--model", default="")
    p.add_argument("--result", default="")
    p.add_argument("--site", default=os.environ.get("PYTHONPATH", "").split(":")[0] or "/tmp/site")
    a = p.parse_args()
    if a.mode != "bench":
        Path(a.result).write_text(json.dumps({"build": build, "fit": fit}[a.mode](a), default=str))
        return
    bench(a)


def bench(a) -> None:
    deadline = time.monotonic() + a.deadline
    OUT.mkdir(parents=True, exist_ok=True)
    log_file = open(OUT / "train_fit.log", "a")

    def log(msg: str = "") -> None:
        print(msg, flush=True)
        log_file.write(msg + "\n")
        log_file.flush()

    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip()
    log(f"# bench/train_fit.py {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}  GPU: {gpu}  "
        f"cap {a.cap_gib} GiB (torch per-process memory fraction)")
    results = []
    for name in a.profiles.split(","):
        spec = train_spec(name)
        log(f"\n## {name}: LoRA r={spec.lora.r} alpha={spec.lora.alpha}, batch {spec.batch_size} x grad_accum "
            f"{spec.grad_accum}, max_seq_len {spec.max_seq_len}, packing {spec.packing}, {spec.max_steps} steps, "
            f"${spec.gpu_price_per_hour}/GPU-hour")
        rc = _run_child("build", name, a, deadline - time.monotonic() - 20)
        d = Path(a.work) / name
        if rc != 0:
            log(f"  build failed ({rc}); see {name}-build.log")
            continue
        meta = json.loads((d / "build.json").read_text())
        log(f"  model: {meta['class']} {meta['params_b']}B params, hidden {meta['hidden']}, {meta['layers']} layers "
            f"({', '.join(meta['layer_types'])}), vocab {meta['vocab']}, tied {meta['tied']}")
        rc = _run_child("fit", name, a, deadline - time.monotonic() - 10)
        if not (d / "fit.json").exists():
            log(f"  fit failed ({rc}); see {name}-fit.log")
            continue
        r = json.loads((d / "fit.json").read_text())
        r["build"] = meta
        results.append(r)
        ad = r["adapted"]
        log(f"  adapted: {ad['count']} modules {ad['names']}; weights {r['weights_gib']:.2f} GiB, load {r['load_s']}s"
            + ("" if rc == 0 else f"; child ended {rc}"))
        for t in r["trials"]:
            log(fmt_trial(t))
        best = largest_fit(r["trials"])
        tried = any(t["kind"] in ("worst", "sweep") for t in r["trials"])
        log(f"  largest batch x {spec.max_seq_len} tokens under {a.cap_gib} GiB: "
            f"{best if best else ('none tried fits' if tried else 'not measured')}"
            + ("" if any(t["kind"] == "sweep" and not t["ok"] for t in r["trials"]) or not best
               else " (no larger batch tried)"))
        for t in r["trials"]:
            if t["kind"] in ("real", "worst") and t["ok"]:
                pr = t["projection"] = projection(spec, t)
                log(f"  projection ({t['kind']} lengths): {pr['step_s']:.2f} s/step x {pr['max_steps']} steps = "
                    f"{pr['wall_h']:.2f} h = {pr['gpu_hours']:.2f} GPU-hours = ${pr['cost']:.2f} at "
                    f"${pr['price_per_hour']}/h")
        log(f"  versions: {r['versions']}")
    (OUT / "train_fit.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    main()
