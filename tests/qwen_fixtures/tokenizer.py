"""A real Qwen BPE tokenizer, built from a vendored llama.cpp vocabulary GGUF (tokens, types, merges).

The vocabulary GGUFs hold the Qwen2 vocabulary (151,643 BPE tokens and 3 control tokens; the slots after
them are llama.cpp `[PAD…]` placeholders). The Qwen2/Qwen3 checkpoints put their added tokens in those
slots; they are given the same names here, so every special token a Qwen template writes is one token.
The Qwen3.5 fixture uses Qwen3.5's pre-tokenizer (transformers' Qwen3_5Tokenizer) over this vocabulary:
the real Qwen3.5 vocabulary (248k tokens) is not vendored.
"""

from __future__ import annotations

from pathlib import Path

from .vendored import vendored_file

# Qwen2.5/Qwen3 added tokens from id 151643 on, in order; `special` as in their tokenizer_config.json
# (the tool and think tags are plain added tokens: they decode with skip_special_tokens=True).
ADDED = [("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True), ("<|object_ref_start|>", True),
         ("<|object_ref_end|>", True), ("<|box_start|>", True), ("<|box_end|>", True), ("<|quad_start|>", True),
         ("<|quad_end|>", True), ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
         ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False), ("</tool_call>", False),
         ("<|fim_prefix|>", False), ("<|fim_middle|>", False), ("<|fim_suffix|>", False), ("<|fim_pad|>", False),
         ("<|repo_name|>", False), ("<|file_sep|>", False), ("<tool_response>", False), ("</tool_response>", False),
         ("<think>", False), ("</think>", False)]
FIRST_ADDED = 151643
VOCAB_SIZE = 151936  # the embedding rows of Qwen2.5/Qwen3 (the tokenizer's 151,669 ids, padded)
_NORMAL = 1  # llama.cpp token type: a BPE token (3 = control, 4 = user-defined, 5 = unused)


def read_vocab(gguf_path: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The BPE tokens (id by text) and merges of a vocabulary GGUF."""
    from gguf import GGUFReader

    reader = GGUFReader(gguf_path)
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    types = reader.fields["tokenizer.ggml.token_type"].contents()
    # Byte-level BPE tokens never hold a space (it is written Ġ): a merge is "left right".
    merges = [tuple(m.split(" ", 1)) for m in reader.fields["tokenizer.ggml.merges"].contents()]
    vocab = {t: i for i, (t, ty) in enumerate(zip(tokens, types)) if ty == _NORMAL}
    if len(vocab) != FIRST_ADDED or max(vocab.values()) != FIRST_ADDED - 1:
        raise ValueError(f"{gguf_path}: {len(vocab)} BPE tokens, expected the Qwen2 vocabulary's {FIRST_ADDED}")
    return vocab, merges


def build_tokenizer(family: str, out: Path, template: str) -> None:
    """Save a tokenizer (tokenizer.json, tokenizer_config.json, chat_template.jinja) to `out`.

    family: "qwen3" (Qwen2Tokenizer over ggml-vocab-qwen2) or "qwen35" (Qwen3_5Tokenizer over
    ggml-vocab-qwen35). EOS <|im_end|>, pad <|endoftext|>, no BOS, as both families' instruct checkpoints.
    """
    from tokenizers import AddedToken

    if family == "qwen3":
        from transformers import Qwen2Tokenizer as cls
    elif family == "qwen35":
        from transformers.models.qwen3_5.tokenization_qwen3_5 import Qwen3_5Tokenizer as cls
    else:
        raise ValueError(f"unknown tokenizer family {family!r}")
    vocab, merges = read_vocab(vocab_file(family))
    # Special tokens named at construction would be added first, out of id order: named after.
    tok = cls(vocab=vocab, merges=merges, unk_token=None, bos_token=None, eos_token=None, pad_token=None)
    tok.add_tokens([AddedToken(t, special=s, normalized=False) for t, s in ADDED])
    tok.eos_token, tok.pad_token = "<|im_end|>", "<|endoftext|>"
    ids = tok.convert_tokens_to_ids([t for t, _ in ADDED])
    if ids != list(range(FIRST_ADDED, FIRST_ADDED + len(ADDED))):
        raise ValueError(f"added tokens landed at ids {ids[:3]}..., not from {FIRST_ADDED}")
    tok.chat_template = template
    tok.save_pretrained(out)
    path = out / "chat_template.jinja"
    if not path.is_file() or path.read_text(encoding="utf-8") != template:  # the template is kept byte for byte
        path.write_text(template, encoding="utf-8")


def vocab_file(family: str) -> Path:
    return vendored_file("ggml-vocab-qwen35.gguf" if family == "qwen35" else "ggml-vocab-qwen2.gguf")
