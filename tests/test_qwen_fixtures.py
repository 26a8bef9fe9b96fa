"""tests/qwen_fixtures: the vendored files are the pinned ones, and the tiny checkpoints have the real
Qwen3.5 / Qwen3 layout, tokenizer and template."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest
import qwen_fixtures
from qwen_fixtures import VendoredFileError, vendored_file, vendored_template
from qwen_fixtures.checkpoints import ENDOFTEXT, IM_END, LAYER_TYPES


def test_qwen35_template_is_the_official_one():
    text = vendored_template("Qwen3.5-4B.jinja")
    data = text.encode()
    assert len(data) == 7756
    digest = hashlib.sha256(data).hexdigest()
    assert digest.startswith("a4aee8af") and digest.endswith("c28f715")
    assert "enable_thinking" in text and "<function=" in text


def test_changed_upstream_template_is_noticed(monkeypatch):
    monkeypatch.setitem(qwen_fixtures.vendored.TEMPLATES, "Qwen3.5-4B.jinja", "0" * 64)
    with pytest.raises(VendoredFileError, match="upstream template changed"):
        vendored_template("Qwen3.5-4B.jinja")


def test_missing_sdist_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv(qwen_fixtures.vendored.SDIST_ENV, str(tmp_path / "nope.tar.gz"))
    with pytest.raises(VendoredFileError, match="pip download --no-deps --no-binary :all: llama-cpp-python=="):
        qwen_fixtures.sdist_path()


def _ids(line: str) -> list[int]:
    return [int(x) for x in line.split()]


@pytest.mark.parametrize("family", ["qwen3", "qwen35"])
def test_tokenizer_matches_llama_cpp_tokenizer_tests(family, qwen3_checkpoint, qwen35_checkpoint):
    """llama.cpp's own expected tokens for its vocabulary GGUF (models/ggml-vocab-*.gguf.inp/.out)."""
    from transformers import AutoTokenizer

    folder = qwen35_checkpoint if family == "qwen35" else qwen3_checkpoint
    tok = AutoTokenizer.from_pretrained(folder)
    vocab = "ggml-vocab-qwen35.gguf" if family == "qwen35" else "ggml-vocab-qwen2.gguf"
    inputs = vendored_file(vocab + ".inp").read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    expected = vendored_file(vocab + ".out").read_text(encoding="utf-8").strip("\n").split("\n")
    # transformers NFC-normalises first, llama.cpp does not: inputs NFC changes are not comparable.
    pairs = [(s, e) for s, e in zip(inputs, expected) if unicodedata.normalize("NFC", s) == s]
    assert len(pairs) >= 40
    for text, want in pairs:
        assert tok.encode(text, add_special_tokens=False) == _ids(want), repr(text)


@pytest.mark.parametrize("family", ["qwen3", "qwen35"])
def test_template_special_tokens_are_single_tokens(family, qwen3_checkpoint, qwen35_checkpoint):
    from transformers import AutoTokenizer

    folder = qwen35_checkpoint if family == "qwen35" else qwen3_checkpoint
    tok = AutoTokenizer.from_pretrained(folder)
    names = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
             "<tool_response>", "</tool_response>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>"]
    for name in names:
        assert len(tok.encode(name, add_special_tokens=False)) == 1, name
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>" and tok.bos_token is None
    assert (folder / "chat_template.jinja").read_text(encoding="utf-8") == vendored_template(
        "Qwen3.5-4B.jinja" if family == "qwen35" else "Qwen-Qwen3-0.6B.jinja")


def test_qwen35_checkpoint_has_the_real_layout(qwen35_checkpoint: Path):
    from safetensors import safe_open

    cfg = json.loads((qwen35_checkpoint / "config.json").read_text())
    text = cfg["text_config"]
    assert cfg["architectures"] == ["Qwen3_5ForConditionalGeneration"] and cfg["model_type"] == "qwen3_5"
    assert cfg["tie_word_embeddings"] and text["tie_word_embeddings"]
    assert text["layer_types"] == LAYER_TYPES and text["hidden_size"] == 64
    assert text["mtp_num_hidden_layers"] == 1 and cfg["vision_config"]["depth"] == 1
    with safe_open(qwen35_checkpoint / "model.safetensors", "pt") as f:
        names = set(f.keys())
    assert "mtp.fc.weight" in names and "mtp.layers.0.self_attn.q_proj.weight" in names
    assert any(n.startswith("model.visual.blocks.0.") for n in names)
    assert "model.language_model.layers.0.linear_attn.in_proj_qkv.weight" in names
    assert "lm_head.weight" not in names  # tied
    gen = json.loads((qwen35_checkpoint / "generation_config.json").read_text())
    assert gen["eos_token_id"] == [IM_END, ENDOFTEXT] and "bos_token_id" not in gen


def test_qwen35_checkpoint_loads_and_generates(qwen35_checkpoint: Path):
    import torch
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(qwen35_checkpoint)
    model = AutoModelForImageTextToText.from_pretrained(qwen35_checkpoint, dtype=torch.float32)
    assert type(model).__name__ == "Qwen3_5ForConditionalGeneration"
    ids = tok.apply_chat_template([{"role": "user", "content": "Bonjour"}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)["input_ids"]
    out = model.generate(ids, max_new_tokens=4, do_sample=False)
    assert out.shape[1] == ids.shape[1] + 4


def test_qwen3_checkpoint(qwen3_checkpoint: Path):
    import torch
    from transformers import AutoModelForCausalLM

    cfg = json.loads((qwen3_checkpoint / "config.json").read_text())
    assert cfg["architectures"] == ["Qwen3ForCausalLM"] and cfg["tie_word_embeddings"]
    model = AutoModelForCausalLM.from_pretrained(qwen3_checkpoint, dtype=torch.float32)
    out = model.generate(torch.tensor([[IM_END - 1, 872, 198]]), max_new_tokens=3, do_sample=False)
    assert out.shape[1] == 6


def test_checkpoints_are_built_once(qwen35_checkpoint: Path):
    before = (qwen35_checkpoint / "model.safetensors").stat().st_mtime_ns
    assert qwen_fixtures.qwen35_checkpoint() == qwen35_checkpoint
    assert (qwen35_checkpoint / "model.safetensors").stat().st_mtime_ns == before
    assert qwen_fixtures.recipe_key() in qwen35_checkpoint.name
