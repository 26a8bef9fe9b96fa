"""Small GGUF files written with gguf-py for tests (importable from any test: tests/ is on sys.path)."""

from __future__ import annotations

from pathlib import Path


def write_tiny_llama_gguf(path: Path, blocks: int, declared: int | None = None) -> Path:
    """A llama-architecture GGUF small enough to write in milliseconds (gguf-py, random weights, a byte-level
    BPE vocabulary of 256 bytes, one merge, 2 specials), whose header may declare more blocks than it holds tensors for."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(0)
    emb, ff = 16, 32
    # GPT-2's byte-to-unicode table: every byte is one token, so any text tokenizes.
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars = {b: chr(b) for b in printable} | {b: chr(256 + i) for i, b in enumerate(b for b in range(256) if b not in printable)}
    tokens = [chars[b] for b in range(256)] + ["ab", "<s>", "</s>"]
    w = gguf.GGUFWriter(str(path), "llama")
    for add, value in ((w.add_block_count, declared or blocks), (w.add_context_length, 256), (w.add_embedding_length, emb),
                       (w.add_feed_forward_length, ff), (w.add_head_count, 2), (w.add_head_count_kv, 2),
                       (w.add_layer_norm_rms_eps, 1e-5), (w.add_file_type, int(gguf.LlamaFileType.ALL_F32))):
        add(value)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types([1] * 257 + [3, 3])
    w.add_token_merges(["a b"])  # llama.cpp wants at least one merge
    w.add_bos_token_id(257)
    w.add_eos_token_id(258)

    def t(name: str, *shape: int) -> None:
        w.add_tensor(name, (rng.standard_normal(shape) * (0.3 if len(shape) > 1 else 1)).astype(np.float32))

    t("token_embd.weight", len(tokens), emb)
    for i in range(blocks):
        t(f"blk.{i}.attn_norm.weight", emb)
        for m in ("q", "k", "v", "output"):
            t(f"blk.{i}.attn_{m}.weight", emb, emb)
        t(f"blk.{i}.ffn_norm.weight", emb)
        t(f"blk.{i}.ffn_gate.weight", ff, emb)
        t(f"blk.{i}.ffn_up.weight", ff, emb)
        t(f"blk.{i}.ffn_down.weight", emb, ff)
    t("output_norm.weight", emb)
    t("output.weight", len(tokens), emb)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
