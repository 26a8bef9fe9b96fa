"""`harness doctor [PROFILE]`: which engine and device each level will use, before hours are spent finding
out (an H200 idle behind a CPU-only llama.cpp build scores a 4B release in weeks, not hours)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from harness.records.doctor import Diagnosis, LevelPlan


def doctor(profile: Annotated[Optional[str], typer.Argument(
               help="Built-in profile (demo, 4b, 9b) or a path to a YAML profile; without it, the machine only.")] = None,
           json_out: Annotated[bool, typer.Option("--json", help="Print the findings as one JSON record.")] = False):
    """Say which engine, device, precision and batch size each level of PROFILE will get, the versions and
    kernels behind them, and what to do about a GPU left unused. Loads no model; exit 0."""
    from harness.cli.diagnose import diagnose

    found = diagnose(profile)
    typer.echo(found.model_dump_json(indent=2) if json_out else render(found))


def advice(d: Diagnosis) -> list[str]:
    """What to do, from what was found: a GPU that some level will not use, and the slow fallbacks."""
    tips = []
    gpu = bool(d.gpus) or bool(d.torch_cuda)
    if gpu and d.llama_gpu_offload is False:
        version = d.versions.get("llama-cpp-python", "")
        tips.append("a GPU is here but this llama-cpp-python build is CPU-only, so GGUF levels run on the CPU: "
                    "`make install-cuda` rebuilds it with CUDA (outside the Makefile: CMAKE_ARGS=\"-DGGML_CUDA=on\" "
                    f"pip install --no-deps --force-reinstall --no-cache-dir llama-cpp-python=={version}), or point "
                    "LLAMA_CPP_LIB_PATH at your own CUDA build of llama.cpp (README, On a GPU); then run "
                    "`harness doctor` again")
    if d.llama_gpu_offload and d.llama_gpu_env.strip().lower() == "off":
        tips.append("GGUF levels stay on the CPU because HARNESS_LLAMA_GPU=off; unset it to offload every layer")
    if d.gpus and d.torch_cuda is False:
        tips.append(f"the NVIDIA driver sees {d.gpus[0]} but torch {d.versions.get('torch', '')} has no CUDA: HF "
                    "levels run on the CPU in float32; install a CUDA build of torch")
    slow = {lv.engine.linear_attention for lv in d.levels if lv.engine is not None}
    if "pytorch fallback (slow)" in slow and d.hf_device.startswith("cuda"):
        fla = d.versions.get("flash-linear-attention", "")
        why = (f"flash-linear-attention {fla} is installed but does not import (often a Triton or torch mismatch; "
               "python -c 'import fla.ops.gated_delta_rule' says why)" if fla else
               "flash-linear-attention is not installed (pip install flash-linear-attention causal-conv1d)")
        tips.append(f"this model has linear attention (Qwen3.5) and {why}: HF levels run transformers' slow "
                    "PyTorch fallback")
    if not gpu:
        tips.append("no GPU found: every level runs on the CPU (fine for the demo; 4b and 9b expect a GPU)")
    return tips


def render(d: Diagnosis) -> str:
    v = d.versions
    gpus = ", ".join(d.gpus) or "none seen by the NVIDIA driver"
    cuda = {None: "not asked ($HARNESS_DEVICE is set)", True: "yes", False: "no"}[d.torch_cuda]
    offload = {None: "library not loaded", True: "GPU offload supported", False: "CPU only (no GPU offload)"}
    lines = [f"harness doctor{f': profile {d.profile}' if d.profile else ''}",
             "versions   " + ", ".join(f"{p} {v.get(p) or '(not installed)'}" for p in
                                      ("torch", "transformers", "llama-cpp-python", "lm-eval")),
             f"GPU        {gpus}; torch.cuda.is_available(): {cuda}; HF levels on {d.hf_device}",
             f"llama.cpp  {offload[d.llama_gpu_offload]} ({d.llama_library or 'no libllama'}); "
             f"HARNESS_LLAMA_GPU={d.llama_gpu_env}",
             "kernels    " + ", ".join(f"{m} {_kernel(d, m, ok)}" for m, ok in d.kernels.items())
             + " (Qwen3.5's linear attention on the GPU)"]
    if d.levels:
        lines.append(f"{'level':12s} {'kind':5s} {'engine':13s} {'device':18s} {'dtype':10s} batch  notes")
        lines += [_level_line(lv) for lv in d.levels]
        notes = {lv.kind: lv.note for lv in d.levels if lv.note}
        lines += [f"note: {kind.upper()} levels: {note}" for kind, note in notes.items()]
    lines += [f"problem: {p}" for p in d.problems]
    lines += [f"advice: {t}" for t in advice(d)]
    return "\n".join(lines)


def _kernel(d: Diagnosis, module: str, imports: bool) -> str:
    from harness.cli.diagnose import KERNEL_PACKAGES

    if imports:
        return "imports"
    version = d.versions.get(KERNEL_PACKAGES.get(module, module), "")
    # Installed but failing to import (a Triton or torch mismatch): transformers falls back without a word.
    return f"{version} installed but does not import" if version else "missing"


def _level_line(lv: LevelPlan) -> str:
    if lv.engine is None:
        return f"{lv.name:12s} {lv.kind:5s} cannot run (the problem below)"
    e = lv.engine
    device = f"{e.device} ({e.device_name})" if e.device_name else e.device
    notes = []
    if lv.n_gpu_layers is not None:
        notes.append("every layer on the GPU" if lv.n_gpu_layers < 0 else
                     "no layer on the GPU" if lv.n_gpu_layers == 0 else f"{lv.n_gpu_layers} layers on the GPU")
    if e.linear_attention:
        notes.append(f"linear attention: {e.linear_attention}, causal conv1d: {e.causal_conv1d}")
    dtype = e.dtype or "file's"  # GGUF levels compute in their file's own tensor types
    return f"{lv.name:12s} {lv.kind:5s} {e.engine:13s} {device:18s} {dtype:10s} {e.batch_size:<5d}  {'; '.join(notes)}".rstrip()
