"""LoRA SFT recipe, read top to bottom: load base, build mixture, attach adapter, train, save.

Backends: TRL SFTTrainer + PEFT (any device). Unsloth is used on CUDA machines (issue 3); `auto`
picks TRL where CUDA is absent.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from harness.errors import BadInput, StageError
from harness.profiles.model import TrainSpec
from training.lm_head import plan_head
from training.manifest import DataFile, TrainManifest
from training.mixture import load_source, split_heldout, to_example, weighted_order


def resolve_backend(spec: TrainSpec) -> str:
    import torch

    cuda = torch.cuda.is_available()
    if spec.backend == "auto":
        return "unsloth" if cuda and _has_unsloth() else "trl"
    if spec.backend == "unsloth" and not cuda:
        raise BadInput("profile", "train.backend unsloth needs a CUDA GPU; use backend: auto or trl on this machine")
    return spec.backend


def _cpu_bf16() -> bool:
    checks = [getattr(torch_cpu(), n, None) for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(c() for c in checks if c is not None)


def torch_cpu():
    import torch

    return torch.cpu


def _has_unsloth() -> bool:
    import importlib.util

    return importlib.util.find_spec("unsloth") is not None


def train(base_dir: Path, spec: TrainSpec, out: Path, base_name: str, base_revision: str, log=print) -> TrainManifest:
    import torch
    import transformers
    import trl
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from harness.chat.template import supports_tools
    from harness.models.inspect import read_hf_info

    backend = resolve_backend(spec)
    if backend == "unsloth":
        raise StageError("the Unsloth backend is not wired in yet (issue 3); set train.backend: trl")
    if spec.method != "lora":
        raise BadInput("profile", f"train.method {spec.method} is not supported by the CPU recipe yet; use lora")
    torch.manual_seed(spec.seed)
    started = time.monotonic()

    # 1. Base model and tokenizer (float32 on CPU: bf16 matmuls are slow there).
    info = read_hf_info(base_dir)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)

    # 2. Mixture: each source split into train / held-out, rendered through the base's own template.
    template = info.chat_template or ""
    tools_ok = supports_tools(template)
    train_rows, heldout_rows, files = [], [], []
    by_source = {}
    for name, weight in spec.mixture.items():
        src = load_source(name)
        tr, ho = split_heldout(src, spec.heldout_fraction, spec.seed)
        def ex(r):
            return to_example(name, r, template, tools_ok, tokenizer.eos_token or "", tokenizer.bos_token or "")
        # Over-long examples are dropped, not truncated: truncation would cut off the answer.
        fits = lambda e: len(tokenizer(e.prompt + e.completion, add_special_tokens=False)["input_ids"]) <= spec.max_seq_len  # noqa: E731
        by_source[name] = [e for e in map(ex, tr) if fits(e)]
        heldout_rows += [e for e in map(ex, ho) if fits(e)]
        files.append(DataFile(name=name, path=src.path.name, sha256=src.sha256, records=len(src.records),
                              train=len(tr), heldout=len(ho), weight=weight))
    total = spec.max_steps * spec.batch_size * spec.grad_accum
    train_rows = weighted_order(by_source, spec.mixture, total, spec.seed)
    to_ds = lambda rows: Dataset.from_list([{"prompt": e.prompt, "completion": e.completion} for e in rows])  # noqa: E731

    # 3. Adapter, with the lm_head guard deciding how a requested head is trained.
    head = plan_head(spec.lora.target_modules, bool(model.config.tie_word_embeddings))
    n_layers = model.config.num_hidden_layers
    layers = list(range(max(0, n_layers - spec.lora.last_layers), n_layers)) if spec.lora.last_layers else None
    lora = LoraConfig(r=spec.lora.r, lora_alpha=spec.lora.alpha, lora_dropout=spec.lora.dropout,
                      target_modules=head.target_modules, modules_to_save=head.modules_to_save or None,
                      ensure_weight_tying=head.ensure_weight_tying, layers_to_transform=layers,
                      task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)

    # 4. Train: loss on completions (the assistant turn) only; no checkpoints, the stage is the unit.
    losses: list[tuple[int, float]] = []

    class _Log(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                losses.append((state.global_step, float(logs["loss"])))
                log(f"step {state.global_step}/{spec.max_steps} loss {logs['loss']:.4f}")

    # bf16 autocast where the hardware has bf16 math (CUDA, or AVX512-BF16/AMX CPUs: ~1.8x on 2 cores).
    bf16 = torch.cuda.is_bf16_supported() if torch.cuda.is_available() else _cpu_bf16()
    cfg = SFTConfig(
        bf16=bf16,
        # TRL turns checkpointing on by default; with the adapter on the last layers only it just
        # recomputes the forward pass (measured 3x slower on CPU).
        gradient_checkpointing=torch.cuda.is_available(),
        output_dir=str(out / "trainer"), max_steps=spec.max_steps, per_device_train_batch_size=spec.batch_size,
        gradient_accumulation_steps=spec.grad_accum, learning_rate=spec.learning_rate, lr_scheduler_type="cosine",
        warmup_steps=max(1, spec.max_steps // 20), logging_steps=5, save_strategy="no", report_to="none",
        seed=spec.seed, data_seed=spec.seed, max_length=spec.max_seq_len, completion_only_loss=True,
        per_device_eval_batch_size=spec.batch_size, use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0, disable_tqdm=True, shuffle_dataset=False, train_sampling_strategy="group_by_length",
    )
    trainer = SFTTrainer(model=model, args=cfg, train_dataset=to_ds(train_rows),
                         eval_dataset=to_ds(heldout_rows) if heldout_rows else None,
                         processing_class=tokenizer, callbacks=[_Log()])
    trainer.remove_callback(PrinterCallback)  # our _Log reports progress; no raw dicts on stdout
    trainer.train()
    heldout_loss = trainer.evaluate()["eval_loss"] if heldout_rows else None

    # 5. Save the adapter, the loss curve and the manifest.
    model.save_pretrained(out / "adapter")
    tokenizer.save_pretrained(out / "adapter")
    with open(out / "loss.csv", "w", newline="") as f:
        csv.writer(f).writerows([("step", "loss"), *losses])
    wall = time.monotonic() - started
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    gpu_hours = wall / 3600 if device != "cpu" else 0.0
    return TrainManifest(
        base_model=base_name, base_revision=base_revision, backend=backend, method=spec.method, device=device,
        data=files, hyperparameters={"r": spec.lora.r, "alpha": spec.lora.alpha, "dropout": spec.lora.dropout,
                                     "target_modules": head.target_modules, "learning_rate": spec.learning_rate,
                                     "batch_size": spec.batch_size, "grad_accum": spec.grad_accum,
                                     "max_seq_len": spec.max_seq_len, "scheduler": "cosine",
                                     "last_layers": spec.lora.last_layers,
                                     "precision": "bf16 autocast" if bf16 else "fp32"},
        seed=spec.seed, steps=spec.max_steps, train_examples=len(train_rows), heldout_examples=len(heldout_rows),
        final_loss=losses[-1][1] if losses else None, heldout_loss=heldout_loss, wall_seconds=round(wall, 1),
        gpu_hours=round(gpu_hours, 4), cost=round(gpu_hours * spec.gpu_price_per_hour, 4),
        versions={"torch": torch.__version__, "transformers": transformers.__version__, "trl": trl.__version__,
                  "peft": __import__("peft").__version__},
        lm_head=head.description,
    )
