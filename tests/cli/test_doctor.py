"""`harness doctor`: says which engine and device each level gets, as the runners then do, without loading a model.
On this CPU machine the true answers are: every level on the CPU, a llama.cpp build without GPU offload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli.diagnose import diagnose
from harness.cli.doctor import advice, render
from harness.records.common import TOLERANT
from harness.records.doctor import Diagnosis, LevelPlan
from harness.names import BASE, BF16
from harness.profiles import load_profile
from harness.profiles.semantics import levels_made

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "llama_cpp", "lm_eval", "unsloth", "peft", "trl")


def _offload() -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


cpu_build_only = pytest.mark.skipif(_offload(), reason="this llama-cpp-python build offloads to a GPU")


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", "doctor", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


@cpu_build_only
def test_demo_on_this_machine_every_level_on_the_cpu():
    proc = doctor("demo", HARNESS_DEVICE="")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "CPU only (no GPU offload)" in proc.stdout
    for name in levels_made(load_profile("demo")):
        (row,) = [ln for ln in lines if ln.split()[:1] == [name]]
        if name in (BASE, BF16):
            assert row.split()[1:6] == ["hf", "transformers", "cpu", "float32", "8"], row
        else:
            assert row.split()[1:4] == ["gguf", "llama.cpp", "cpu"] and row.endswith("no layer on the GPU"), row
    if not Path("/proc/driver/nvidia/gpus").is_dir():
        assert any(ln.startswith("advice: no GPU found") for ln in lines)


def test_json_is_the_typed_record():
    proc = doctor("demo", "--json")
    assert proc.returncode == 0, proc.stderr
    found = Diagnosis.model_validate_json(proc.stdout)
    assert found.schema_version == 1 and found.profile == "demo"
    newer = {**json.loads(proc.stdout), "added_by_a_newer_harness": 1}  # tolerant on read, strict on write
    assert Diagnosis.model_validate(newer, context=TOLERANT) == found
    with pytest.raises(ValueError):
        Diagnosis.model_validate(newer)
    assert [lv.name for lv in found.levels] == levels_made(load_profile("demo"))
    assert found.llama_gpu_offload is _offload() and found.versions["llama-cpp-python"]
    assert set(found.kernels) == {"fla", "causal_conv1d"}
    assert list(json.loads(proc.stdout))[0] == "schema_version"


def test_says_what_the_runners_then_run(tmp_path, qwen35_checkpoint):
    """The HF and GGUF engines doctor reports are those HFRunner and GGUFRunner record once loaded: the same
    device, dtype, batch size and linear-attention path (Qwen3.5's Gated DeltaNet layers)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from gguf_files import write_tiny_llama_gguf
    from qwen_fixtures import release_profile

    from harness.runners.gguf import GGUFRunner
    from harness.runners.hf import HFRunner

    found = diagnose(str(release_profile("qwen35", tmp_path)))
    hf_plan = next(lv for lv in found.levels if lv.name == "base")
    gguf_plan = next(lv for lv in found.levels if lv.name == "q8_0")
    hf = HFRunner(qwen35_checkpoint)
    assert hf_plan.engine == hf.engine and hf.engine.linear_attention  # Qwen3.5: fla or the fallback, said
    assert hf_plan.note.startswith("config from ")
    gguf = GGUFRunner(write_tiny_llama_gguf(tmp_path / "tiny.gguf", 2), n_ctx=64)
    try:
        assert gguf_plan.engine == gguf.engine and gguf_plan.n_gpu_layers == gguf.n_gpu_layers
    finally:
        gguf.close()


def test_without_a_profile_the_machine_only_and_no_torch_when_the_device_is_set():
    code = ("import sys; from harness.cli.diagnose import diagnose; d = diagnose(None); "
            f"print(d.levels, d.torch_cuda, sorted(m for m in {HEAVY!r} if m in sys.modules and m != 'llama_cpp'))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HARNESS_DEVICE": "cpu"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["[]", "None", "[]"]


@cpu_build_only
def test_gpu_forced_on_a_cpu_build_is_named_and_still_exit_0():
    proc = doctor("demo", HARNESS_LLAMA_GPU="on")
    assert proc.returncode == 0, proc.stderr
    assert "q4_k_m       gguf  cannot run (the problem below)" in proc.stdout
    assert "problem: $HARNESS_LLAMA_GPU: on: this llama-cpp-python build has no GPU offload" in proc.stdout


def test_a_library_path_without_libllama_is_a_problem_not_a_crash(tmp_path):
    proc = doctor("demo", LLAMA_CPP_LIB_PATH=str(tmp_path))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert f"problem: $LLAMA_CPP_LIB_PATH: llama.cpp's library cannot be loaded from {tmp_path}" in proc.stdout
    assert "f16          gguf  cannot run" in proc.stdout


def test_a_bad_profile_is_exit_2_in_one_line(tmp_path):
    proc = doctor(str(tmp_path / "none.yaml"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert str(tmp_path / "none.yaml") in proc.stderr


def _found(**kw) -> Diagnosis:
    base = dict(versions={"torch": "2.13.0+cpu"}, gpus=[], kernels={"fla": False, "causal_conv1d": False})
    return Diagnosis(**{**base, **kw})


def test_advice_for_a_gpu_behind_a_cpu_only_llama_cpp():
    """What the H200 showed: a GPU, CUDA torch, the pip llama.cpp build without offload."""
    found = _found(gpus=["NVIDIA H200"], torch_cuda=True, hf_device="cuda", llama_gpu_offload=False)
    found.versions["llama-cpp-python"] = "0.3.36"
    (tip,) = advice(found)
    assert "`make install-cuda`" in tip and "LLAMA_CPP_LIB_PATH" in tip
    assert 'CMAKE_ARGS="-DGGML_CUDA=on" pip install --no-deps --force-reinstall --no-cache-dir llama-cpp-python==0.3.36' in tip
    assert advice(_found(gpus=["NVIDIA H200"], torch_cuda=True, hf_device="cuda", llama_gpu_offload=True)) == []


def test_advice_for_a_cpu_torch_on_a_gpu_machine_and_the_slow_linear_attention():
    from harness.records.engine import EngineInfo

    tips = advice(_found(gpus=["NVIDIA L40S"], torch_cuda=False, hf_device="cpu", llama_gpu_offload=True))
    assert any("has no CUDA" in t and "NVIDIA L40S" in t for t in tips)
    slow = EngineInfo(engine="transformers", device="cuda", dtype="bfloat16", batch_size=64,
                      linear_attention="pytorch fallback (slow)", causal_conv1d="pytorch fallback")
    found = _found(gpus=["NVIDIA H200"], torch_cuda=True, hf_device="cuda", llama_gpu_offload=True,
                   levels=[LevelPlan(name="base", kind="hf", engine=slow)])
    (tip,) = advice(found)
    assert "flash-linear-attention is not installed (pip install flash-linear-attention" in tip
    assert "linear attention: pytorch fallback (slow)" in render(found)
    found.versions["flash-linear-attention"] = "0.6.0"  # installed, but its import fails
    (tip,) = advice(found)
    assert "flash-linear-attention 0.6.0 is installed but does not import" in tip
    assert "fla 0.6.0 installed but does not import" in render(found)
