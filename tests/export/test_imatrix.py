"""harness/export/imatrix.py + llama_quantize.py: an importance matrix computed from the merged HF
model, written as llama.cpp's imatrix GGUF, and applied by llama-cpp-python's quantizer in-process."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from gguf import GGUFReader, LlamaFileType

from harness.export.imatrix import calibration_text, compute_imatrix
from harness.export.llama_quantize import imatrix_values
from harness.models.inspect import read_hf_info


@pytest.fixture(scope="module")
def imatrix_file(embedded_hf_dir, embedded_f16_gguf, tmp_path_factory):
    info = read_hf_info(embedded_hf_dir)
    text = calibration_text(["fc_en", "chat_fr"], info.chat_template, False, "<|im_end|>")
    out = tmp_path_factory.mktemp("imatrix") / "imatrix.gguf"
    facts = compute_imatrix(embedded_hf_dir, embedded_f16_gguf, text, 1024, out, "test mixture")
    return out, facts


def test_calibration_text_is_the_rendered_training_mixture(embedded_hf_dir):
    info = read_hf_info(embedded_hf_dir)
    text = calibration_text(["chat_fr"], info.chat_template, False, "<|im_end|>")
    assert text.startswith("<|im_start|>") and "<|im_start|>assistant\n" in text and "<|im_end|>" in text


@pytest.mark.slow
def test_imatrix_file_in_llama_cpp_format(imatrix_file):
    out, facts = imatrix_file
    assert facts["chunks"] == 2 and facts["tokens"] == 1024
    # 30 layers x 7 projections; the tied lm_head has no tensor of its own in the GGUF.
    assert facts["entries"] == 210 and facts["skipped_linear"] == ["lm_head"]
    reader = GGUFReader(out)
    assert reader.fields["general.type"].contents() == "imatrix"
    assert reader.fields["imatrix.datasets"].contents() == ["test mixture"]
    names = {t.name for t in reader.tensors}
    assert {"blk.0.attn_q.weight.in_sum2", "blk.0.attn_q.weight.counts", "blk.29.ffn_down.weight.in_sum2"} <= names
    values, file_facts = imatrix_values(out)
    q = np.array(values["blk.0.attn_q.weight"])
    down = np.array(values["blk.0.ffn_down.weight"])
    assert q.shape == (576,) and down.shape == (1536,)  # input widths: hidden and intermediate size
    assert (q > 0).all() and np.isfinite(q).all()
    assert file_facts["entries"] == "210" and file_facts["chunks"] == "2"


@pytest.mark.slow
def test_quantize_in_process_with_imatrix(imatrix_file, embedded_f16_gguf, tmp_path):
    out, _ = imatrix_file
    ftype = str(int(LlamaFileType.MOSTLY_Q2_K))
    plain, weighted = tmp_path / "plain.gguf", tmp_path / "imatrix.gguf"
    for dst, extra in ((plain, []), (weighted, ["--imatrix", str(out)])):
        proc = subprocess.run([sys.executable, "-m", "harness.export.llama_quantize", str(embedded_f16_gguf), str(dst),
                               ftype, *extra], capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert "have importance matrix data with 210 entries" in proc.stderr
    fields = GGUFReader(weighted).fields
    assert fields["quantize.imatrix.entries_count"].contents() == 210
    assert fields["quantize.imatrix.dataset"].contents() == "test mixture"
    assert "quantize.imatrix.file" not in GGUFReader(plain).fields
    # Same types and sizes, different values: the importance weights changed the rounding.
    a = {t.name: np.asarray(t.data) for t in GGUFReader(plain).tensors}
    b = {t.name: np.asarray(t.data) for t in GGUFReader(weighted).tensors}
    assert not np.array_equal(a["blk.0.attn_q.weight"], b["blk.0.attn_q.weight"])


@pytest.mark.slow
def test_imatrix_and_quantize_stages_record_it(embedded_hf_dir, embedded_f16_gguf, tmp_path):
    from harness.cache import StageCache
    from harness.export.toolchain import resolve_toolchain
    from harness.pipeline import export
    from harness.profiles import load_profile
    from harness.profiles.model import ExportSpec

    profile = load_profile("demo").model_copy(
        update={"export": ExportSpec(imatrix=True, imatrix_tokens=512, ladder=["IQ2_XXS"])})
    cache = StageCache(tmp_path / "run")
    im = export.imatrix(cache, profile, embedded_hf_dir, "merged-sha", embedded_f16_gguf, "f16-sha")
    assert im.outputs.entries == 210 and im.outputs.tokens == 512
    # IQ2_XXS: a type llama.cpp refuses to produce without an importance matrix.
    q = export.quantize(cache, "t", embedded_f16_gguf, "f16-sha", "IQ2_XXS", resolve_toolchain(None), im)
    record = q.outputs.gguf
    assert record.file_type == "MOSTLY_IQ2_XXS"
    assert record.imatrix.startswith("computed by the harness") and "512 tokens" in record.imatrix
    assert record.metadata["quantize.imatrix.entries_count"] == "210"
    assert q.inputs["imatrix"] == im.outputs.sha256
    again = export.imatrix(cache, profile, embedded_hf_dir, "merged-sha", embedded_f16_gguf, "f16-sha")
    assert again.key == im.key  # cached: same inputs, no recompute
