"""LoRA SFT recipe, read top to bottom: load base, build mixture, attach adapter, train, save.

Backends: Unsloth `FastLanguageModel` on CUDA (harness/training/unsloth_backend.py), TRL SFTTrainer + PEFT
anywhere. `auto` picks Unsloth where CUDA and the package are present. Both backends get the same
mixture, the same SFTTrainer arguments and write the same outputs (adapter/, loss.csv, manifest).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any, Callable

from harness.errors import BadInput, CheckFailed
from harness.profiles.model import TrainSpec
from harness.training.cpu_head import labelled_positions_only
from harness.training.lm_head import HeadPlan, plan_head
from harness.training.manifest import DataFile, TrainManifest
from harness.training.mixture import Example, load_source, split_heldout, to_example, weighted_order
from harness.training.oom import oom_guard
from harness.training.packing import PADDED, Packing, is_hybrid, outcome
from harness.training.packing import plan as packing_plan
from harness.training.sft import BackendRun, adapted_record, fit_guarded, sft_args, to_dataset
from harness.training.targets import resolve_targets


def resolve_backend(spec: TrainSpec) -> str:
    import torch

    cuda = torch.cuda.is_available()
    if spec.backend == "auto":
        return "unsloth" if cuda and _has_unsloth() else "trl"
    if spec.backend == "unsloth" and not cuda:
        raise BadInput("profile", "train.backend unsloth needs a CUDA GPU; use backend: auto or trl on this machine")
    return spec.backend


def _cpu_bf16() -> bool:
    import torch

    checks = [getattr(torch.cpu, n, None) for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(c() for c in checks if c is not None)


def _has_unsloth() -> bool:
    import importlib.util

    return importlib.util.find_spec("unsloth") is not None


def build_mixture(spec: TrainSpec, template: str, tokenizer,
                  template_vars: dict[str, Any] | None = None) -> tuple[list[Example], list[Example], list[DataFile]]:
    """Each source split into train / held-out, rendered through the base's own template (with the
    release's template variables: thinking mode), drawn by weight."""
    from harness.chat.template import supports_tools

    tools_ok = supports_tools(template)
    heldout_rows: list[Example] = []
    files: list[DataFile] = []
    by_source: dict[str, list[Example]] = {}
    for name, weight in spec.mixture.items():
        src = load_source(name)
        tr, ho = split_heldout(src, spec.heldout_fraction, spec.seed)
        def ex(r):
            return to_example(name, r, template, tools_ok, tokenizer.eos_token or "", tokenizer.bos_token or "",
                              template_vars)
        # Over-long examples are dropped, not truncated: truncation would cut off the answer.
        fits = lambda e: len(tokenizer(e.prompt + e.completion, add_special_tokens=False)["input_ids"]) <= spec.max_seq_len  # noqa: E731
        by_source[name] = [e for e in map(ex, tr) if fits(e)]
        heldout_rows += [e for e in map(ex, ho) if fits(e)]
        files.append(DataFile(name=name, path=src.path.name, sha256=src.sha256, records=len(src.records),
                              train=len(tr), heldout=len(ho), weight=weight))
    total = spec.max_steps * spec.batch_size * spec.grad_accum
    return weighted_order(by_source, spec.mixture, total, spec.seed), heldout_rows, files


def loss_logger(losses: list[tuple[int, float]], max_steps: int, log: Callable[[str], None]):
    from transformers import TrainerCallback

    class _Log(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))
                log(f"step {state.global_step}/{max_steps} loss {logs['loss']:.4f}")
    return _Log()


def train_trl(base_dir: Path, spec: TrainSpec, out: Path, train_rows: list[Example], heldout_rows: list[Example],
              callbacks: list, log: Callable[[str], None] = print) -> BackendRun:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cuda = torch.cuda.is_available()
    # bf16 autocast where the hardware has bf16 math (CUDA, or AVX512-BF16/AMX CPUs: ~1.8x on 2 cores).
    bf16 = torch.cuda.is_bf16_supported() if cuda else _cpu_bf16()
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    # float32 weights on CPU (bf16 matmuls are slow there); bf16 weights on a bf16 GPU, as Unsloth loads them.
    dtype = torch.bfloat16 if cuda and bf16 else torch.float32
    with oom_guard(spec, str(out), lambda: "while loading the base"):
        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=dtype, use_safetensors=True)
        model.to("cuda" if cuda else "cpu")  # the trainer would move it: fail here, with the message

    if spec.method == "full":  # every weight trained: no adapter, no head to re-route
        head = HeadPlan([], [], False, "trained in full (full fine-tuning)")
        return _fit(model, tokenizer, spec, out, bf16, cuda, train_rows, heldout_rows, callbacks, head, "full", dtype)
    # Targets from the model's own module names; the lm_head guard decides how a requested head is trained.
    targets = resolve_targets(model, spec.lora.target_modules)
    head = plan_head(targets.names, bool(model.config.tie_word_embeddings))
    n_layers = model.config.num_hidden_layers
    layers = list(range(max(0, n_layers - spec.lora.last_layers), n_layers)) if spec.lora.last_layers else None
    lora = LoraConfig(r=spec.lora.r, lora_alpha=spec.lora.alpha, lora_dropout=spec.lora.dropout,
                      target_modules=head.target_modules, modules_to_save=head.modules_to_save or None,
                      ensure_weight_tying=head.ensure_weight_tying, layers_to_transform=layers,
                      exclude_modules=targets.exclude, task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    run = _fit(model, tokenizer, spec, out, bf16, cuda, train_rows, heldout_rows, callbacks, head, "adapter", dtype)
    run.adapted = adapted_record(model, targets.description)
    return run


def trl_trainer(model, tokenizer, spec: TrainSpec, out: Path, bf16: bool, cuda: bool, train_rows, heldout_rows,
                callbacks) -> tuple[Any, Packing]:
    """The TRL SFTTrainer of the recipe, and the batching it really uses."""
    from transformers import PrinterCallback
    from trl import SFTConfig, SFTTrainer

    asked, why = packing_plan(spec.packing, "trl", model.config)
    # TRL turns checkpointing on by default; with the adapter on the last layers only it just
    # recomputes the forward pass (6 demo steps: 99 s with it, 73 s without, on CPU), so only on CUDA.
    cfg = SFTConfig(**sft_args(spec, out, bf16, asked), gradient_checkpointing=cuda, use_cpu=not cuda)
    trainer = SFTTrainer(model=model, args=cfg, train_dataset=to_dataset(train_rows),
                         eval_dataset=to_dataset(heldout_rows) if heldout_rows else None,
                         processing_class=tokenizer, callbacks=callbacks)
    trainer.remove_callback(PrinterCallback)  # our logger reports progress; no raw dicts on stdout
    return trainer, outcome(spec.packing, asked, why, trainer.args, "trl", is_hybrid(model.config))


def _fit(model, tokenizer, spec: TrainSpec, out: Path, bf16: bool, cuda: bool, train_rows, heldout_rows, callbacks,
         head: HeadPlan, save_as: str, dtype) -> BackendRun:
    import torch

    trainer, packed = trl_trainer(model, tokenizer, spec, out, bf16, cuda, train_rows, heldout_rows, callbacks)
    with labelled_positions_only():  # CPU only; Triton devices take that path already
        heldout_loss = fit_guarded(trainer, spec, str(out), bool(heldout_rows))
    # LoRA: the adapter (merged by harness/training/merge.py); full: the whole model.
    model.save_pretrained(out / save_as)
    tokenizer.save_pretrained(out / save_as)
    return BackendRun(head=head, heldout_loss=heldout_loss, packing=packed,
                      precision=("bf16" if dtype == torch.bfloat16 else "bf16 autocast") if bf16 else "fp32")


def train(base_dir: Path, spec: TrainSpec, out: Path, base_name: str, base_revision: str, log=print,
          template_vars: dict[str, Any] | None = None) -> TrainManifest:
    backend = resolve_backend(spec)
    if backend == "unsloth":
        from harness.training.unsloth_backend import import_unsloth

        import_unsloth(log)  # before transformers/trl/peft: Unsloth patches them as it is imported
    elif spec.method == "qlora":
        raise BadInput("profile", "train.method qlora needs CUDA and 4-bit kernels (backend unsloth); use lora here")
    import peft
    import torch
    import transformers
    import trl
    from transformers import AutoTokenizer

    from harness.models.inspect import read_hf_info

    torch.manual_seed(spec.seed)
    started = time.monotonic()
    info = read_hf_info(base_dir)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)  # for length filtering; each backend loads its own
    train_rows, heldout_rows, files = build_mixture(spec, info.chat_template or "", tokenizer, template_vars)
    losses: list[tuple[int, float]] = []
    callbacks = [loss_logger(losses, spec.max_steps, log)]
    if backend == "unsloth":
        from harness.training.unsloth_backend import train_unsloth

        run = train_unsloth(base_dir, spec, out, train_rows, heldout_rows, callbacks, log)
        if run.head_changed is False or run.tied_kept is False:  # a head asked for but not really trained
            raise CheckFailed(f"{out}: lm_head guard: {run.head_note}")
    else:
        run = train_trl(base_dir, spec, out, train_rows, heldout_rows, callbacks, log)

    with open(out / "loss.csv", "w", newline="") as f:
        csv.writer(f).writerows([("step", "loss"), *losses])
    wall = time.monotonic() - started
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    gpu_hours = wall / 3600 if device != "cpu" else 0.0
    return TrainManifest(
        base_model=base_name, base_revision=base_revision, backend=backend, method=spec.method, device=device,
        data=files, hyperparameters={"r": spec.lora.r, "alpha": spec.lora.alpha, "dropout": spec.lora.dropout,
                                     "target_modules": run.head.target_modules,
                                     "adapted_modules": run.adapted.count if run.adapted else None,
                                     "learning_rate": spec.learning_rate,
                                     "batch_size": spec.batch_size, "grad_accum": spec.grad_accum,
                                     "max_seq_len": spec.max_seq_len, "scheduler": "cosine",
                                     "last_layers": spec.lora.last_layers, "precision": run.precision,
                                     "batching": run.packing.batching if run.packing else PADDED,
                                     **({"projected": projected_text(spec.projected)} if spec.projected else {})},
        seed=spec.seed, steps=spec.max_steps, train_examples=len(train_rows), heldout_examples=len(heldout_rows),
        final_loss=losses[-1][1] if losses else None, heldout_loss=run.heldout_loss, wall_seconds=round(wall, 1),
        gpu_hours=round(gpu_hours, 4), cost=round(gpu_hours * spec.gpu_price_per_hour, 4),
        versions={"torch": torch.__version__, "transformers": transformers.__version__, "trl": trl.__version__,
                  "peft": peft.__version__, **run.versions},
        lm_head=run.head.description + (f"; {run.head_note}" if run.head_note else ""),
        adapted=run.adapted, packing=run.packing, projected=spec.projected,
    )


def projected_text(p) -> str:
    """One line for the card's recipe table, which lists the hyperparameters: the run as projected."""
    return (f"{p.wall_h:.2f} h ({p.step_s:.2f} s/step), cost {p.cost:.2f}, peak {p.peak_gib:.1f} GiB "
            f"on {p.device} ({p.source})")
