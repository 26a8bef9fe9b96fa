"""The checks of bench/train_gpu.py that are not throughput: merge + head/template checks, and the
Gated DeltaNet gradient check (Unsloth's fla path against transformers' pure-PyTorch fallback)."""

from __future__ import annotations

import json
import statistics
import sys
import time
import zlib
from pathlib import Path


def _head(files: list[Path], prefer_lm_head: bool = True):
    """The output head in safetensors files: lm_head if stored, else the (tied) input embedding."""
    from safetensors import safe_open

    found = {}
    for f in files:
        with safe_open(str(f), "pt") as st:
            for k in st.keys():
                if k.endswith(("lm_head.weight", "embed_tokens.weight")):
                    found[k] = st.get_tensor(k)
    order = ("lm_head.weight", "embed_tokens.weight") if prefer_lm_head else ("embed_tokens.weight",)
    for suffix in order:
        for k in sorted(found, key=len):
            if k.endswith(suffix):
                return k, found[k]
    return None, None


def merge_check(a) -> dict:
    """harness/training/merge.py on the guard run's adapter, then harness/checks/template.py, then the head on disk."""
    import torch

    from harness.checks.template import compare
    from harness.errors import CheckFailed
    from harness.training.merge import merge

    base, adapter, merged = Path(a.model), Path(a.work) / "guard" / "adapter", Path(a.work) / "merged"
    t0 = time.perf_counter()
    res: dict = {}
    try:
        res["merge"] = merge(base, adapter, merged)
        res["merged_head_equals_trained"] = True  # merge() raises CheckFailed when it does not
    except CheckFailed as e:
        return {"merged_head_equals_trained": False, "merge_error": str(e)}
    res["merge_s"] = round(time.perf_counter() - t0, 1)
    chk = compare(base, merged)
    res["template_check"] = {"passed": chk.passed, "detail": chk.detail}
    # On disk, the trap itself: a tied model saved after merge keeps one tensor; a trained head
    # that had diverged from the embeddings would be lost here while the in-memory check passed.
    k_tr, trained = _head([adapter / "adapter_model.safetensors"])
    k_m, on_disk = _head(sorted(merged.glob("*.safetensors")))
    _, base_w = _head(sorted(base.glob("*.safetensors")))
    if trained is not None and on_disk is not None:
        t = trained.to(torch.bfloat16).float()
        res["disk_head"] = {"adapter_key": k_tr, "merged_key": k_m,
                            "merged_equals_trained": bool(torch.equal(t, on_disk.float())),
                            "max_abs_diff": (t - on_disk.float()).abs().max().item(),
                            "merged_differs_from_base": not torch.equal(on_disk.float(), base_w.float())}
    return res


def _key(name: str) -> str:
    """A LoRA parameter's name without the wrapper prefixes, the same under Unsloth and PEFT."""
    return name[name.index("layers."):].replace(".default", "") if "layers." in name else name


def grad(a) -> dict:
    """One forward/backward of a fixed batch through the LoRA model; the LoRA gradients saved to disk."""
    import torch


    variant = a.kind.split("-", 1)[1]
    targets = json.loads((Path(a.model) / "bench_meta.json").read_text())["targets"]
    if variant == "unsloth":
        import unsloth  # noqa: F401
        from unsloth import FastLanguageModel

        model, _ = FastLanguageModel.from_pretrained(model_name=a.model, max_seq_length=a.seq, dtype=torch.bfloat16,
                                                     load_in_4bit=False)
        model = FastLanguageModel.get_peft_model(model, r=16, lora_alpha=32, lora_dropout=0.0, target_modules=targets,
                                                 use_gradient_checkpointing="unsloth", random_state=0)
    else:  # transformers' own Gated DeltaNet: the parent runs this with fla not importable
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.bfloat16).cuda()
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=targets))
    # Same LoRA weights in both processes, A and B non-zero, so every LoRA gradient is non-trivial.
    lora = {}
    for name, p in model.named_parameters():
        if "lora_" in name:
            gen = torch.Generator().manual_seed(zlib.crc32(_key(name).encode()))
            with torch.no_grad():
                p.copy_((torch.randn(p.shape, generator=gen) * 0.02).to(p.dtype))
            lora[_key(name)] = p
    model.train()
    calls = _count_dqkwg()
    print("[bench] model ready; forward/backward (may compile fla kernels for this shape)", flush=True)
    import faulthandler

    faulthandler.dump_traceback_later(a.grad_timeout, exit=True)  # where it hangs, if it does
    ids = torch.randint(0, 5000, (a.batch, a.seq), generator=torch.Generator().manual_seed(0)).cuda()
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    torch.cuda.synchronize()
    faulthandler.cancel_dump_traceback_later()
    grads = {k: p.grad.detach().float().cpu() for k, p in lora.items() if p.grad is not None}
    torch.save(grads, Path(a.work) / f"grads-{variant}.pt")
    fla = {}
    if "fla" in sys.modules:
        import fla as fla_mod
        import fla.ops.common.chunk_o as co

        fla = {"file": fla_mod.__file__, "version": getattr(fla_mod, "__version__", "?"),
               "dqkwg_patched_by_unsloth": bool(getattr(co.chunk_bwd_dqkwg, "_unsloth_hopper_dqkwg_patched", False)),
               "IS_NVIDIA_HOPPER_flag": bool(co.IS_NVIDIA_HOPPER)}
    return {"variant": variant, "loss": out.loss.item(), "n_lora": len(lora), "n_grads": len(grads),
            "dqkwg_calls": calls, "fla": fla, "versions": versions()}


def _count_dqkwg() -> list[dict]:
    """Wrap fla's chunk_bwd_dqkwg wherever a loaded module bound it: each call's key width K and
    tile BK say whether the Hopper miscompile case (BK=64, fla #640) was hit. Empty without fla."""
    calls: list[dict] = []
    for name, mod in list(sys.modules.items()):
        fn = getattr(mod, "chunk_bwd_dqkwg", None) if name.startswith("fla") else None
        if fn is None or getattr(fn, "_bench_counted", False):
            continue

        def counted(*args, _fn=fn, **kw):
            k = kw.get("k", args[1] if len(args) > 1 else None)
            calls.append({"K": int(k.shape[-1]) if hasattr(k, "shape") else None, "gated": kw.get("g") is not None})
            return _fn(*args, **kw)
        counted._bench_counted = True
        setattr(mod, "chunk_bwd_dqkwg", counted)
    return calls


def compare_grads(work: Path, layer_types: list[str]) -> dict:
    """Per LoRA tensor: cosine and relative L2 error of Unsloth's gradient against the PyTorch reference.
    Grouped by whether the gradient flowed back through a linear-attention (fla) backward."""
    import torch

    u, t = torch.load(work / "grads-unsloth.pt", weights_only=True), torch.load(work / "grads-torch.pt", weights_only=True)
    last_linear = max((i for i, lt in enumerate(layer_types) if lt == "linear_attention"), default=-1)
    groups: dict[str, list[tuple[str, float, float]]] = {"through_linear_attn_bwd": [], "full_attn_only": []}
    for k in sorted(set(u) & set(t)):
        x, y = u[k].flatten(), t[k].flatten()
        cos = torch.nn.functional.cosine_similarity(x, y, dim=0).item()
        rel = ((x - y).norm() / y.norm().clamp_min(1e-30)).item()
        layer = int(k.split(".")[1])
        groups["through_linear_attn_bwd" if layer <= last_linear else "full_attn_only"].append((k, cos, rel))
    summary = {g: {"n": len(r), "min_cos": min(c for _, c, _ in r), "median_rel_err": statistics.median(e for _, _, e in r),
                   "max_rel_err": max(e for _, _, e in r)} for g, r in groups.items() if r}
    worst = sorted((row for r in groups.values() for row in r), key=lambda row: -row[2])[:5]
    return {"matched": sum(len(r) for r in groups.values()), "only_unsloth": len(set(u) - set(t)),
            "only_torch": len(set(t) - set(u)), "groups": summary,
            "worst": [{"key": k, "cos": round(c, 5), "rel_err": round(e, 4)} for k, c, e in worst]}


def versions() -> dict:
    import torch
    out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0)}
    for m in ("transformers", "trl", "peft", "unsloth", "unsloth_zoo", "triton", "fla"):
        mod = sys.modules.get(m)
        out[m] = getattr(mod, "__version__", "loaded") if mod else "not imported"
    return out
