"""The Unsloth backend of the recipe: same mixture, same SFTTrainer arguments, same outputs as TRL + PEFT.

Unsloth is an optional extra for CUDA machines (it cannot run on CPU, and installing it on one pulls
a CUDA torch): it is imported only inside these functions, only when CUDA is present, and before
transformers/trl/peft, because it patches them as it is imported.

The lm_head guard, as in harness/training/lm_head.py: requested heads go to `modules_to_save`. On a tied
model Unsloth only keeps tying when the INPUT embedding is in `modules_to_save` (PEFT rebuilds the
output head from the input embedding's copy); with `lm_head` alone it would train a second copy
that diverges from the embeddings and is dropped when the tied model is saved. So on tied models
`embed_tokens` is added: head and embeddings are one tensor there anyway. After training we verify
that the head really changed against the base weights on disk, and that tying held.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from harness.errors import StageError
from harness.profiles.model import TrainSpec
from harness.training.lm_head import HeadPlan, plan_head
from harness.training.mixture import Example
from harness.training.oom import oom_guard
from harness.training.packing import Packing, is_hybrid, outcome
from harness.training.packing import plan as packing_plan
from harness.training.sft import BackendRun, adapted_record, fit_guarded, sft_args, to_dataset
from harness.training.targets import TargetPlan, resolve_targets

# Libraries Unsloth patches at import; imported earlier, some of its speed-ups are lost.
_PATCHED = ("transformers", "trl", "peft")


def import_unsloth(log: Callable[[str], None] = print) -> ModuleType:
    import torch

    if not torch.cuda.is_available():
        raise StageError("the Unsloth backend needs a CUDA GPU; set train.backend: trl on this machine")
    late = [m for m in _PATCHED if m in sys.modules and "unsloth" not in sys.modules]
    if late:
        log(f"warning: {', '.join(late)} imported before unsloth; Unsloth may be slower in this process")
    try:
        import unsloth
    except ImportError as e:
        raise StageError(f"the Unsloth backend needs `pip install unsloth` on this CUDA machine ({e})") from None
    return unsloth


def _tied(model) -> bool:
    cfg = model.config
    text = cfg.get_text_config() if hasattr(cfg, "get_text_config") else cfg
    return bool(getattr(cfg, "tie_word_embeddings", False) or getattr(text, "tie_word_embeddings", False))


def unsloth_head_modules(head: HeadPlan, tied: bool) -> list[str]:
    """modules_to_save as Unsloth needs it: on tied models the input embedding carries the head."""
    if tied and head.modules_to_save and "embed_tokens" not in head.modules_to_save:
        return ["embed_tokens", *head.modules_to_save]
    return list(head.modules_to_save)


def base_head(base_dir: Path, tied: bool):
    """The base's output head read from its safetensors (no second model on the GPU)."""
    from safetensors import safe_open

    names: dict[str, Path] = {}
    for f in sorted(Path(base_dir).glob("*.safetensors")):
        with safe_open(str(f), "pt") as st:
            names.update({k: f for k in st.keys()})
    wanted = ("lm_head.weight",) if not tied else ()
    key = next((k for suffix in (*wanted, "embed_tokens.weight") for k in sorted(names, key=len) if k.endswith(suffix)), None)
    if key is None:
        raise StageError(f"{base_dir}: no lm_head or embed_tokens weight in the safetensors files")
    with safe_open(str(names[key]), "pt") as st:
        return st.get_tensor(key)


def verify_head(model, base_dir: Path, head: HeadPlan, tied: bool) -> tuple[bool | None, bool | None, str]:
    """(head changed, tying kept, note); (None, None, "") when no head was trained."""
    import torch

    if not head.modules_to_save:
        return None, None, ""
    out_w = model.get_output_embeddings().weight.detach()
    base = base_head(base_dir, tied).to(out_w.device, torch.float32)
    diff = (out_w.float() - base).abs().max().item()
    changed = diff > 0
    tied_kept = torch.equal(model.get_input_embeddings().weight.detach(), out_w) if tied else None
    note = (f"after training the head {'changed' if changed else 'did NOT change'} (max |delta| {diff:.3g})"
            + ("" if tied_kept is None else f", tying {'kept' if tied_kept else 'BROKEN'}"))
    return changed, tied_kept, note


@dataclass
class Loaded:
    """The base with its adapter attached, as Unsloth loads it (bench/train_fit.py reuses one)."""

    model: object
    tokenizer: object
    head: HeadPlan
    targets: TargetPlan | None
    tied: bool
    hybrid: bool


def load_unsloth(base_dir: Path, spec: TrainSpec) -> Loaded:
    import torch
    from unsloth import FastLanguageModel

    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=str(base_dir), max_seq_length=spec.max_seq_len, dtype=torch.bfloat16,
        load_in_4bit=spec.method == "qlora", full_finetuning=spec.method == "full", random_state=spec.seed)
    tied = _tied(model)
    targets = None
    if spec.method == "full":
        head = HeadPlan([], [], False, "trained in full (full fine-tuning)")
    else:
        targets = resolve_targets(model, spec.lora.target_modules)
        head = plan_head(targets.names, tied)
        n_layers = model.config.get_text_config().num_hidden_layers
        layers = list(range(max(0, n_layers - spec.lora.last_layers), n_layers)) if spec.lora.last_layers else None
        model = FastLanguageModel.get_peft_model(
            model, r=spec.lora.r, lora_alpha=spec.lora.alpha, lora_dropout=spec.lora.dropout,
            target_modules=head.target_modules, modules_to_save=unsloth_head_modules(head, tied) or None,
            ensure_weight_tying=head.ensure_weight_tying, layers_to_transform=layers,
            use_gradient_checkpointing="unsloth",  # Unsloth's offloaded checkpointing: the memory saving
            random_state=spec.seed, **({"exclude_modules": targets.exclude} if targets.exclude else {}))
    return Loaded(model, tokenizer, head, targets, tied, is_hybrid(model.config))


def unsloth_trainer(m: Loaded, spec: TrainSpec, out: Path, train_rows: list[Example], heldout_rows: list[Example],
                    callbacks: list) -> tuple[object, Packing]:
    from transformers import PrinterCallback
    from trl import SFTConfig, SFTTrainer

    # Padding-free asked for explicitly (on or off, never Unsloth's own auto choice); Unsloth's gate
    # may still refuse it (hybrid models without varlen kernels), so what ran is read back.
    asked, why = packing_plan(spec.packing, "unsloth", m.model.config)
    # gradient_checkpointing is left to Unsloth (set at load), as plain Unsloth scripts do.
    cfg = SFTConfig(**sft_args(spec, out, bf16=True, padding_free=asked))
    trainer = SFTTrainer(model=m.model, args=cfg, train_dataset=to_dataset(train_rows),
                         eval_dataset=to_dataset(heldout_rows) if heldout_rows else None,
                         processing_class=m.tokenizer, callbacks=list(callbacks))
    trainer.remove_callback(PrinterCallback)
    return trainer, outcome(spec.packing, asked, why, trainer.args, "unsloth", m.hybrid, _probe_note())


def _probe_note() -> str:
    """Unsloth's exactness probe on a hybrid model: one Gated DeltaNet mixer run on packed random input
    and on each example alone; packing stays on only when the two agree (unsloth/utils/packing.py)."""
    try:
        from unsloth.utils.packing import HYBRID_PACKING_STATS as s
    except ImportError:
        return ""
    if not s.get("probe_runs"):
        return ""
    err = s.get("last_probe_rel_err")
    return (f"Unsloth's exactness probe (packed vs per-example mixer output) passed {s['probe_passed']}/"
            f"{s['probe_runs']}" + (f", max rel err {err:.1e}" if isinstance(err, float) else ""))


def train_unsloth(base_dir: Path, spec: TrainSpec, out: Path, train_rows: list[Example], heldout_rows: list[Example],
                  callbacks: list, log: Callable[[str], None] = print) -> BackendRun:
    unsloth = import_unsloth(log)
    with oom_guard(spec, str(out), lambda: "while loading the base"):
        m = load_unsloth(base_dir, spec)
    trainer, packed = unsloth_trainer(m, spec, out, train_rows, heldout_rows, callbacks)
    log(f"batching: {packed.batching}" + (f" ({packed.reason})" if packed.reason else ""))
    heldout_loss = fit_guarded(trainer, spec, str(out), bool(heldout_rows))
    changed, tied_kept, note = verify_head(m.model, base_dir, m.head, m.tied)
    if note:
        log(f"lm_head guard: {note}")

    # LoRA: the adapter (merged later by harness/training/merge.py); full: the whole model.
    m.model.save_pretrained(out / ("adapter" if spec.method != "full" else "full"))
    m.tokenizer.save_pretrained(out / ("adapter" if spec.method != "full" else "full"))
    import peft

    return BackendRun(head=m.head, heldout_loss=heldout_loss,
                      precision="4-bit base, bf16 adapter" if spec.method == "qlora" else "bf16",
                      versions={"unsloth": unsloth.__version__, "unsloth_zoo": _version("unsloth_zoo"),
                                "peft": peft.__version__},
                      head_changed=changed, tied_kept=tied_kept, head_note=note, packing=packed,
                      adapted=adapted_record(m.model, m.targets.description) if m.targets else None)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"
