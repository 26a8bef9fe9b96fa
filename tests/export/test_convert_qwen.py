"""Export of the tiny Qwen3.5 and Qwen3 fixtures through the harness's own stages: base -> convert (16-bit
GGUF) -> quantize; every file loads in llama.cpp and decodes. Before --no-mtp, the Qwen3.5 text folder
converted to a GGUF llama.cpp refused (an MTP block without tensors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cache import StageCache, sha256_tree
from harness.export.toolchain import resolve_toolchain
from harness.models.base import materialize_base
from harness.pipeline import export
from harness.profiles.model import BaseModelSpec

pytestmark = pytest.mark.slow


def _decode(path: Path) -> list[int]:
    import llama_cpp

    llm = llama_cpp.Llama(str(path), n_ctx=128, n_threads=2, verbose=False)
    prompt = llm.tokenize(b"<|im_start|>user\nBonjour<|im_end|>\n<|im_start|>assistant\n", add_bos=False, special=True)
    assert prompt[0] == 151644 and len(prompt) == 9  # <|im_start|> and <|im_end|> are single tokens
    out = []
    for token in llm.generate(prompt, temp=0.0):
        out.append(token)
        if len(out) == 4:
            break
    return out


@pytest.mark.parametrize(("family", "arch", "blocks"), [("qwen35", "qwen35", "4"), ("qwen3", "qwen3", "2")])
def test_fixture_exports_and_every_gguf_loads(family, arch, blocks, qwen35_checkpoint, qwen3_checkpoint, tmp_path):
    src = qwen35_checkpoint if family == "qwen35" else qwen3_checkpoint
    base = tmp_path / "base"
    base.mkdir()
    materialize_base(BaseModelSpec(kind="hf", name=family, path=str(src)), base)
    cache, tools = StageCache(tmp_path / "run"), resolve_toolchain(None)
    conv = export.convert(cache, family, base, sha256_tree(base), "f16", tools)
    f16 = conv.path / conv.outputs.file
    gguf = conv.outputs.gguf
    assert gguf.architecture == arch and gguf.metadata[f"{arch}.block_count"] == blocks  # no MTP block
    files = [f16]
    for qtype in ("Q8_0", "Q4_K_M"):
        q = export.quantize(cache, family, f16, conv.outputs.sha256, qtype, tools)
        files.append(q.path / q.outputs.file)
    for path in files:
        assert len(_decode(path)) == 4, path.name
