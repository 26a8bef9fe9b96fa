"""Artifacts for the template checks, built from the embedded model's real tokenizer and GGUF metadata:
HF folders with a chosen template and generation config, GGUF copies with keys changed or removed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

# Adds the tokenizer's BOS (<|endoftext|>, id 0) in front of everything it encodes, as Llama's do.
_ADD_BOS = {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}}}


@pytest.fixture
def hf_folder(tmp_path: Path, embedded_hf_dir: Path) -> Callable[..., Path]:
    """make(name, template, eos=(2,), add_bos=False): the embedded model's tokenizer and config, no weights."""

    def make(name: str, template: str | None, eos=(2,), add_bos: bool = False) -> Path:
        out = tmp_path / name
        out.mkdir()
        shutil.copy(embedded_hf_dir / "config.json", out)
        shutil.copy(embedded_hf_dir / "tokenizer.json", out)
        tok_cfg = json.loads((embedded_hf_dir / "tokenizer_config.json").read_text())
        tok_cfg.pop("chat_template", None)  # chat_template.jinja (or its absence) decides
        if add_bos:
            tok_cfg["bos_token"] = "<|endoftext|>"
            tokenizer = json.loads((embedded_hf_dir / "tokenizer.json").read_text())
            tokenizer["post_processor"] = _ADD_BOS
            (out / "tokenizer.json").write_text(json.dumps(tokenizer))
        (out / "tokenizer_config.json").write_text(json.dumps(tok_cfg))
        gen = json.loads((embedded_hf_dir / "generation_config.json").read_text())
        gen["eos_token_id"] = list(eos) if len(eos) > 1 else eos[0]
        if add_bos:
            gen["bos_token_id"] = 0
        (out / "generation_config.json").write_text(json.dumps(gen))
        if template is not None:
            (out / "chat_template.jinja").write_text(template)
        return out

    return make


@lru_cache(maxsize=2)
def _reader(path: Path):
    import gguf

    return gguf.GGUFReader(path)  # parsing the vocabulary takes seconds: once per session


def copy_gguf(src: Path, dst: Path, drop: tuple[str, ...] = (), values: dict[str, Any] | None = None,
              all_tensors: bool = False) -> Path:
    """`src` rewritten by gguf-py: keys in `drop` removed, `values` set, every tensor or one dummy tensor
    (llama.cpp reads no tensor to load a vocabulary)."""
    import gguf
    import numpy as np

    reader = _reader(src)
    values = dict(values or {})
    writer = gguf.GGUFWriter(str(dst), str(reader.fields["general.architecture"].contents()))
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture" or key in drop:
            continue
        main, sub = field.types[0], field.types[-1] if field.types[0] == gguf.GGUFValueType.ARRAY else None
        value = values.pop(key) if key in values else field.contents()
        writer.add_key_value(key, value, main, sub)
    for key, value in values.items():  # keys the source does not have
        vtype = {str: gguf.GGUFValueType.STRING, bool: gguf.GGUFValueType.BOOL}.get(type(value), gguf.GGUFValueType.UINT32)
        writer.add_key_value(key, value, vtype)
    if all_tensors:
        for t in reader.tensors:
            writer.add_tensor(t.name, np.asarray(t.data))  # F16 and F32 only: dtype says the type
    else:
        writer.add_tensor("dummy.weight", np.zeros((4, 32), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return dst


@pytest.fixture
def gguf_file(tmp_path: Path, embedded_f16_gguf: Path) -> Callable[..., Path]:
    """make(name, drop=(), values={}, all_tensors=False): a copy of the embedded F16 GGUF, changed."""

    def make(name: str, drop: tuple[str, ...] = (), values: dict[str, Any] | None = None,
             all_tensors: bool = False) -> Path:
        return copy_gguf(embedded_f16_gguf, tmp_path / name, drop, values, all_tensors)

    return make
