"""The demo's CPU training step with TRL's fused head projecting only labelled positions, against
every position (TRL's default off Triton), side by side in one process, alternating A B B A.

    python bench/train_cpu_head.py [--steps 5] [--run runs/bench_cpu_head]

Trains the demo profile's own recipe (mixture, LoRA, batch) from the same seed each time; prints
seconds per step, the ratio, and the loss of each run (the compact path computes the same values).
Run it alone on the machine: a second process on one of the 2 cores doubles the step time.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path


def one_run(base_dir: Path, spec, compact: bool, out: Path) -> tuple[float, float]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.models.inspect import read_hf_info
    from harness.training.cpu_head import labelled_positions_only
    from harness.training.recipe import _cpu_bf16, build_mixture, trl_trainer
    from harness.training.targets import resolve_targets

    torch.manual_seed(spec.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    rows, _, _ = build_mixture(spec, read_hf_info(base_dir).chat_template or "", tokenizer)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    n = model.config.num_hidden_layers
    layers = list(range(n - spec.lora.last_layers, n)) if spec.lora.last_layers else None
    model = get_peft_model(model, LoraConfig(r=spec.lora.r, lora_alpha=spec.lora.alpha,
                                             target_modules=resolve_targets(model, "auto").names,
                                             layers_to_transform=layers, task_type="CAUSAL_LM"))
    trainer, _ = trl_trainer(model, tokenizer, spec, out, _cpu_bf16(), False, rows, [], [])
    with labelled_positions_only() if compact else contextlib.nullcontext() as active:
        assert not compact or active, "this TRL has no compact switch"
        started = time.perf_counter()
        result = trainer.train()
    return (time.perf_counter() - started) / spec.max_steps, float(result.training_loss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--run", type=Path, default=Path("runs/bench_cpu_head"), help="run folder (base stage cached)")
    args = ap.parse_args()

    from harness.cache import StageCache
    from harness.pipeline.stages import base
    from harness.profiles import load_profile

    profile = load_profile("demo")
    spec = profile.train.model_copy(update={"max_steps": args.steps})
    base_dir = base(StageCache(args.run), profile).path
    times: dict[bool, list[float]] = {True: [], False: []}
    losses: dict[bool, list[float]] = {True: [], False: []}
    for compact in (False, True, True, False):
        with tempfile.TemporaryDirectory() as tmp:
            s, loss = one_run(base_dir, spec, compact, Path(tmp))
        times[compact].append(s)
        losses[compact].append(loss)
        print(f"{'labelled only' if compact else 'every position'}: {s:.2f} s/step, loss {loss:.4f}", flush=True)
    full, compact = sum(times[False]) / 2, sum(times[True]) / 2
    print(f"\n# demo recipe, {args.steps} steps a run, batch {spec.batch_size}, last {spec.lora.last_layers} layers")
    print(f"every position {full:.2f} s/step, labelled positions only {compact:.2f} s/step: "
          f"{full / compact:.2f}x faster; losses {losses[False]} vs {losses[True]}")


if __name__ == "__main__":
    main()
