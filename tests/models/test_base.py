"""harness/models/base.py on the tiny Qwen3.5 and Qwen3 checkpoints: the text model of a multimodal
checkpoint on purpose (what was dropped recorded), tokenizer/template/generation config byte for byte, and
`check-template ORIGINAL BASE` passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.models.base import COPIED, materialize_base
from harness.models.parts import tensor_shapes
from harness.profiles.model import BaseModelSpec
from harness.records.base import BaseRecord

ROOT = Path(__file__).resolve().parents[2]


def _base(src: Path, out: Path) -> BaseRecord:
    out.mkdir()
    return BaseRecord.model_validate(materialize_base(BaseModelSpec(kind="hf", name="b", path=str(src)), out))


@pytest.fixture(scope="module")
def qwen35_base(qwen35_checkpoint: Path, tmp_path_factory) -> tuple[Path, BaseRecord]:
    out = tmp_path_factory.mktemp("qwen35") / "base"
    return out, _base(qwen35_checkpoint, out)


def test_qwen35_base_is_the_text_model(qwen35_checkpoint: Path, qwen35_base):
    out, record = qwen35_base
    assert record.source_architecture == "Qwen3_5ForConditionalGeneration"
    assert record.architecture == "Qwen3_5ForCausalLM" and record.tie_word_embeddings
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["architectures"] == ["Qwen3_5ForCausalLM"] and cfg["layer_types"][-1] == "full_attention"
    assert cfg["mtp_num_hidden_layers"] == 0  # it holds no MTP layer, so it declares none
    names = set(tensor_shapes(out))
    assert not any(n.startswith(("mtp.", "model.visual.")) for n in names)
    source = tensor_shapes(qwen35_checkpoint)
    dropped = {p.name: p for p in record.dropped}
    assert set(dropped) == {"vision tower", "MTP head"}
    for part in dropped.values():
        mine = [s for n, s in source.items() if n.startswith(part.prefix)]
        assert part.tensors == len(mine) > 0 and part.reason
    # Every text tensor arrived: same count, same element total.
    text = {n: s for n, s in source.items() if not n.startswith(("mtp.", "model.visual."))}
    assert len(names) == len(text)


@pytest.mark.parametrize("family", ["qwen35", "qwen3"])
def test_tokenizer_template_and_generation_config_are_byte_for_byte(family, qwen35_base, qwen3_checkpoint,
                                                                     qwen35_checkpoint, tmp_path):
    if family == "qwen35":
        src, (out, record) = qwen35_checkpoint, qwen35_base
    else:
        src, out = qwen3_checkpoint, tmp_path / "base"
        record = _base(src, out)
        assert record.dropped == [] and record.architecture == "Qwen3ForCausalLM"
    assert record.copied == [n for n in COPIED if (src / n).is_file()]
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json"):
        assert (out / name).read_bytes() == (src / name).read_bytes(), name
    gen = json.loads((out / "generation_config.json").read_text())
    assert len(gen["eos_token_id"]) == 2  # [<|im_end|>, <|endoftext|>], not rewritten to one


def test_check_template_original_against_base_passes(qwen35_checkpoint: Path, qwen35_base):
    out, _ = qwen35_base
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "check-template", str(qwen35_checkpoint), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"PASS {out}")


def test_base_without_template_is_bad_input(qwen3_checkpoint: Path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for f in qwen3_checkpoint.iterdir():
        if f.name != "chat_template.jinja":
            (src / f.name).symlink_to(f)
    from harness.errors import BadInput

    with pytest.raises(BadInput, match="no chat template") as e:
        _base(src, tmp_path / "out")
    assert e.value.where == str(src.resolve())
