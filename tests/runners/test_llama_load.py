"""harness/runners/llama_load.py: every GGUF opened in llama.cpp through one place; a file llama.cpp refuses
is one line naming it and llama.cpp's own reason; the GPU offload choice is explicit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import llama_cpp
import pytest
from gguf_files import write_tiny_llama_gguf

from harness.errors import BadInput, StageError
from harness.runners import llama_load
from harness.runners.llama_load import GPU_ENV, decode_check, gpu_layers, llama_errors, open_llama, reason_since

REFUSED = "llama.cpp cannot load this GGUF: tensor 'blk.2.attn_norm.weight' not found"


def test_a_gguf_llama_cpp_refuses_is_one_line_with_llama_cpps_reason(gguf_missing_block: Path) -> None:
    with pytest.raises(BadInput) as e:
        open_llama(gguf_missing_block, n_ctx=64)
    assert str(e.value) == f"{gguf_missing_block}: {REFUSED}"


def test_the_same_file_with_its_blocks_complete_loads_and_decodes(tmp_path: Path) -> None:
    ok = write_tiny_llama_gguf(tmp_path / "ok.gguf", blocks=2)
    text = decode_check(ok, n_new=3)
    assert isinstance(text, str) and text and decode_check(ok, n_new=3) == text  # greedy: the same every time


def test_checker_process_prints_one_line_and_exits_2(gguf_missing_block: Path, tmp_path: Path) -> None:
    ok = write_tiny_llama_gguf(tmp_path / "ok.gguf", blocks=1)
    proc = subprocess.run([sys.executable, "-m", "harness.runners.llama_load", str(ok), str(gguf_missing_block)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"{gguf_missing_block}: {REFUSED}"
    assert proc.stdout.count("\n") == 1 and str(ok) in proc.stdout  # the good file was checked first


def test_harness_eval_of_a_refused_gguf_is_exit_2_and_one_line(gguf_missing_block: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "eval", str(gguf_missing_block), "--task", "fr/mc",
                           "--limit", "1", "--out", str(tmp_path / "eval")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == f"harness: error: {gguf_missing_block}: {REFUSED}"
    assert "Traceback" not in proc.stderr


def test_reason_keeps_llama_cpps_words_without_prefixes_and_generic_lines() -> None:
    mark = llama_load._mark()
    base = llama_load._state["seq"]
    for i, line in enumerate([
        "llama_model_load: error loading model: missing tensor 'blk.4.attn_norm.weight'",
        "llama_model_load_from_file_impl: failed to load model",
        "init: the tokens of sequence 0 are inconsistent:\n - X = 4\n - Y = 3",
        "decode: failed to initialize batch",
    ], start=1):
        llama_load._log.append((base + i, line))
    llama_load._state["seq"] = base + 4
    assert reason_since(mark) == "missing tensor 'blk.4.attn_norm.weight'; the tokens of sequence 0 are inconsistent: X = 4 Y = 3"
    assert reason_since(base + 4) == ""


def test_a_failure_inside_llama_cpp_is_a_stage_error_naming_the_file() -> None:
    with pytest.raises(StageError) as e:
        with llama_errors(Path("m.gguf"), "decoding"):
            raise RuntimeError("llama_decode returned -1")
    assert str(e.value) == "m.gguf: llama.cpp failed while decoding: llama_decode returned -1"


def test_gpu_offload_when_the_build_has_it_and_the_env_overrides(monkeypatch) -> None:
    can = bool(llama_cpp.llama_supports_gpu_offload())
    monkeypatch.delenv(GPU_ENV, raising=False)
    assert gpu_layers() == (-1 if can else 0)
    monkeypatch.setenv(GPU_ENV, "off")
    assert gpu_layers() == 0
    monkeypatch.setenv(GPU_ENV, "sometimes")
    with pytest.raises(BadInput, match=rf"\${GPU_ENV}: 'sometimes': expected auto, on or off"):
        gpu_layers()
    monkeypatch.setenv(GPU_ENV, "on")
    if can:
        assert gpu_layers() == -1
    else:
        with pytest.raises(BadInput, match="no GPU offload"):
            gpu_layers()


def test_engine_record_says_where_llama_cpp_runs() -> None:
    cpu, gpu = llama_load.engine_record(0), llama_load.engine_record(-1)
    assert (cpu.engine, cpu.device, gpu.device) == ("llama.cpp", "cpu", "gpu")
    assert cpu.device_name.endswith("threads") and cpu.batch_size == 1


def test_a_vocabulary_only_load_before_any_model_prints_nothing(tmp_path: Path) -> None:
    # The checks open vocabularies before any Llama exists (its logger level still unset): the demo
    # printed ~440 lines of llama.cpp's loader log there.
    ok = write_tiny_llama_gguf(tmp_path / "ok.gguf", blocks=1)
    code = ("import sys, llama_cpp; from harness.runners.llama_load import open_vocab; "
            f"llama_cpp.llama_model_free(open_vocab(__import__('pathlib').Path({str(ok)!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and proc.stdout == ""
