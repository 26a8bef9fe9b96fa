"""What `harness doctor` finds: the engine, device, precision and batch each level of a profile will get,
asked of the same functions the runners call (harness/runners/hf.py, llama_load.py), and the versions and
kernels behind them (the record: harness/records/doctor.py). Nothing is loaded: torch is imported only to
ask whether CUDA is there, and the kernels only to see whether they import."""

from __future__ import annotations

import importlib.metadata
import json
import os
from pathlib import Path

from harness.errors import BadInput, HarnessError, known_error
from harness.records.doctor import Diagnosis, LevelPlan

PACKAGES = ["torch", "transformers", "llama-cpp-python", "lm-eval", "peft", "trl", "unsloth",
            "flash-linear-attention", "causal-conv1d"]
KERNEL_PACKAGES = {"fla": "flash-linear-attention", "causal_conv1d": "causal-conv1d"}
NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")  # one folder per GPU the driver sees, torch or not


def diagnose(profile_arg: str | None) -> Diagnosis:
    profile = None
    if profile_arg is not None:
        from harness.profiles import load_profile

        profile = load_profile(profile_arg)  # a bad profile is bad input, as for every command
    from harness.runners.hf import KERNELS, importable

    versions = {p: _version(p) for p in PACKAGES}
    d = Diagnosis(profile=profile.name if profile else None, versions=versions, gpus=_nvidia_gpus(),
                  kernels={name: importable(module) for name, module in KERNELS.items()},
                  llama_gpu_env=os.environ.get("HARNESS_LLAMA_GPU", "auto"))
    _ask_torch(d)
    _ask_llama(d)
    if profile is not None:
        d.levels = _levels(profile, d)
    return d


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _nvidia_gpus() -> list[str]:
    names = []
    for info in sorted(NVIDIA_GPUS.glob("*/information")):
        model = next((ln.split(":", 1)[1].strip() for ln in info.read_text(errors="replace").splitlines()
                      if ln.startswith("Model:")), "")
        names.append(model or info.parent.name)
    return names


def _ask_torch(d: Diagnosis) -> None:
    from harness.runners.hf import pick_device

    if not os.environ.get("HARNESS_DEVICE"):
        import torch  # the only way to know whether this torch build reaches a GPU

        d.torch_cuda = torch.cuda.is_available()
    d.hf_device = pick_device()
    if d.hf_device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            d.problems.append(f"$HARNESS_DEVICE={d.hf_device}: this torch ({d.versions['torch']}) sees no CUDA GPU")


def _ask_llama(d: Diagnosis) -> None:
    try:
        import llama_cpp
    except Exception as e:  # a LLAMA_CPP_LIB_PATH without a usable libllama
        err = known_error(e)
        if err is None:
            raise
        d.problems.append(str(err))
        return
    lib = getattr(getattr(llama_cpp.llama_cpp, "_lib", None), "_name", "")
    d.llama_library = str(lib or "")
    d.llama_gpu_offload = bool(llama_cpp.llama_supports_gpu_offload())


def _hf_config(profile) -> tuple[dict, str]:
    """The base's config.json (architecture, layer types) and where it was read, without loading it."""
    if profile.base.kind != "hf":
        return {}, f"the base is a GGUF in {profile.base.package}, its layer types read once stage base has run"
    from harness.models.locate import locate_base

    try:
        folder = locate_base(profile.base).folder
    except BadInput as e:
        return {}, f"layer types unknown: {e.what}"
    return json.loads((folder / "config.json").read_text(encoding="utf-8")), f"config from {folder}"


def _levels(profile, d: Diagnosis) -> list[LevelPlan]:
    from harness.names import BASE, BF16
    from harness.profiles.semantics import levels_made
    from harness.runners.hf import hf_engine
    from harness.runners.llama_load import batch_choice, engine_record, gpu_layers

    config, source = _hf_config(profile)
    hf_problem = next((p for p in d.problems if p.startswith("$HARNESS_DEVICE")), "")
    hf = None if hf_problem else hf_engine(config, d.hf_device)
    n_layers, gguf_problem = None, ""
    if d.llama_gpu_offload is None:
        gguf_problem = "llama.cpp's library did not load"
    else:
        try:
            n_layers = gpu_layers()
            batch = batch_choice(n_layers)
        except HarnessError as e:
            gguf_problem = str(e)
            d.problems.append(gguf_problem)
    gguf = None if n_layers is None else engine_record(n_layers, batch)
    gguf_note = "" if n_layers is None or n_layers or batch == 1 else (
        "batched on the CPU only where llama.cpp computes a batched row as a lone one, else one at a time")
    plans = []
    for name in levels_made(profile):
        if name in (BASE, BF16):  # the base and the merged model are HF folders, every other level a GGUF
            plans.append(LevelPlan(name=name, kind="hf", engine=hf, note=source, problem=hf_problem))
        else:
            plans.append(LevelPlan(name=name, kind="gguf", engine=gguf, n_gpu_layers=n_layers,
                                   note=gguf_note, problem=gguf_problem))
    return plans
