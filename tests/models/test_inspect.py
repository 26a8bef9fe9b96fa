"""harness/models/inspect.py: GGUF and HF folder metadata, read without running anything."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness.errors import BadInput
from harness.models.inspect import read_gguf_info, read_hf_info

TEMPLATE = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"


def _tiny_gguf(path, *, eos: int = 2, eot: int | None = None, template: str | None = TEMPLATE):
    import gguf

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("tiny-test")
    if template is not None:
        w.add_chat_template(template)
    w.add_bos_token_id(1)
    w.add_eos_token_id(eos)
    if eot is not None:
        w.add_eot_token_id(eot)
    w.add_add_bos_token(True)
    w.add_tensor("token_embd.weight", np.zeros((16, 32), dtype=np.float16))  # 512 params, 1024 bytes
    w.add_tensor("output_norm.weight", np.ones((32,), dtype=np.float32))  # 32 params, 128 bytes
    w.add_tensor("output.weight", np.zeros((16, 32), dtype=np.float16))  # 512 params, 1024 bytes
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


@pytest.fixture
def tiny_gguf(tmp_path):
    return _tiny_gguf(tmp_path / "tiny.gguf")


def test_read_gguf_info(tiny_gguf):
    info = read_gguf_info(tiny_gguf)
    assert info.kind == "gguf"
    assert info.chat_template == TEMPLATE
    assert info.bos_token_id == 1
    assert info.eos_token_ids == [2]
    assert info.add_bos is True
    assert info.tensor_count == 3
    assert info.n_params == 512 + 32 + 512
    assert info.size_bytes == 1024 + 128 + 1024
    assert info.bits_per_weight == pytest.approx(8 * 2176 / 1056)
    assert info.architecture == "llama"
    assert info.metadata["general.name"] == "tiny-test"


def test_eos_and_eot_merged(tmp_path):
    info = read_gguf_info(_tiny_gguf(tmp_path / "t.gguf", eos=7, eot=3))
    assert info.eos_token_ids == [3, 7]


def test_gguf_without_template(tmp_path):
    assert read_gguf_info(_tiny_gguf(tmp_path / "t.gguf", template=None)).chat_template is None


def test_wrong_magic(tmp_path):
    p = tmp_path / "fake.gguf"
    p.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(BadInput, match="wrong magic") as e:
        read_gguf_info(p)
    assert str(p) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(BadInput, match="no such"):
        read_gguf_info(tmp_path / "none.gguf")


@pytest.mark.parametrize("keep", [-1, -200, 40, 10, 4])
def test_truncated_gguf_is_bad_input(tiny_gguf, tmp_path, keep):
    data = tiny_gguf.read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(data[:keep] if keep < 0 else data[:keep])
    with pytest.raises(BadInput) as e:
        read_gguf_info(cut)
    assert str(cut) in str(e.value)
    assert "damaged" in str(e.value) or "truncated" in str(e.value)


def _hf_folder(path, *, template: str | None = TEMPLATE, eos=(2, 5), tokenizer: bool = True):
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], "eos_token_id": 2,
                                                  "bos_token_id": 1}))
    if tokenizer:
        (path / "tokenizer.json").write_text(json.dumps({"version": "1.0", "model": {"type": "BPE"}}))
    (path / "generation_config.json").write_text(json.dumps({"bos_token_id": 1, "eos_token_id": list(eos)}))
    if template is not None:
        (path / "chat_template.jinja").write_text(template)
    return path


def test_read_hf_info(tmp_path):
    info = read_hf_info(_hf_folder(tmp_path / "m", eos=(5, 2)))
    assert info.kind == "hf"
    assert info.chat_template == TEMPLATE
    assert info.eos_token_ids == [2, 5]
    assert info.bos_token_id == 1
    assert info.architecture == "LlamaForCausalLM"
    assert info.n_params == 0 and info.size_bytes == 0 and info.bits_per_weight == 0.0


def test_read_hf_info_template_from_tokenizer_config(tmp_path):
    folder = _hf_folder(tmp_path / "m", template=None, eos=(2,))
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": "T", "add_bos_token": True}))
    info = read_hf_info(folder)
    assert info.chat_template == "T" and info.add_bos is True and info.eos_token_ids == [2]


def test_read_hf_info_counts_safetensors_params(tmp_path):
    folder = _hf_folder(tmp_path / "m")
    header = json.dumps({"__metadata__": {"format": "pt"},
                         "a": {"dtype": "F16", "shape": [4, 8], "data_offsets": [0, 64]},
                         "b": {"dtype": "F16", "shape": [8], "data_offsets": [64, 80]}}).encode()
    (folder / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 80)
    info = read_hf_info(folder)
    assert info.n_params == 40
    assert info.size_bytes == (folder / "model.safetensors").stat().st_size


def test_hf_folder_without_tokenizer(tmp_path):
    folder = _hf_folder(tmp_path / "m", tokenizer=False)
    with pytest.raises(BadInput, match="tokenizer") as e:
        read_hf_info(folder)
    assert str(folder) in str(e.value)


def test_hf_folder_without_config(tmp_path):
    with pytest.raises(BadInput, match="config.json"):
        read_hf_info(tmp_path)


def test_hf_folder_bad_json(tmp_path):
    folder = _hf_folder(tmp_path / "m")
    (folder / "generation_config.json").write_text("{nope")
    with pytest.raises(BadInput, match="generation_config.json"):
        read_hf_info(folder)
