"""Each artifact's own tokenizer, as a consumer of that artifact gets it.

HF folders load through transformers' AutoTokenizer (what `apply_chat_template` users get); GGUF files
through llama.cpp's vocabulary alone (`vocab_only`: no weights are read), what llama.cpp runs with.
Generation stops are each runtime's own: the generation config's EOS ids for transformers, llama.cpp's
end-of-generation set (declared EOS/EOT plus the tokens it recognises by name) for GGUF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from harness.errors import BadInput
from harness.models.inspect import ArtifactInfo


@dataclass
class Vocab:
    kind: str  # hf | gguf
    path: Path
    encode: Callable[[str], list[int]]  # special tokens in the text are parsed; none are added
    piece: Callable[[int], str]  # the token's vocabulary string
    add_bos: bool  # the tokenizer puts BOS in front of what it encodes
    bos: int | None
    eos: int | None
    pad: int | None
    stop: frozenset[int]  # ids generation stops on in this artifact's runtime
    declared: dict[str, list[int]] = field(default_factory=dict)  # generation config / tokenizer.ggml.*
    owner: object = None  # what keeps `encode` and `piece` valid (llama.cpp's vocabulary)

    def string(self, token: int | None) -> str:
        return self.piece(token) if token is not None else ""

    def sequence(self, rendered: str) -> tuple[str, list[int]]:
        """What the model is fed for a rendered prompt, and that text without its leading BOS string.

        Both transformers' chat path and llama.cpp's end with one BOS when the tokenizer adds one: a
        template's own leading `{{ bos_token }}` is then dropped (llama.cpp strips it; transformers
        encodes chat renders without adding specials, so such templates carry it themselves)."""
        bos = self.string(self.bos)
        text = rendered.removeprefix(bos) if bos else rendered
        if self.add_bos and self.bos is not None:
            return text, [self.bos, *self.encode(text)]
        return text, self.encode(rendered)


def load_vocab(info: ArtifactInfo) -> Vocab:
    path = Path(info.path).resolve()
    files = [path] if path.is_file() else [p for p in path.iterdir() if p.is_file()]
    stamp = max((p.stat().st_mtime_ns for p in files), default=0)  # an edited file is reloaded
    return _gguf_vocab(path, info, _llama_vocab(path, stamp)) if info.kind == "gguf" else \
        _hf_vocab(path, info, _hf_tokenizer(path, stamp))


def _ids(value) -> list[int]:
    if value is None:
        return []
    return sorted({int(v) for v in (value if isinstance(value, list) else [value]) if v is not None and int(v) >= 0})


@lru_cache(maxsize=16)
def _hf_tokenizer(folder: Path, _stamp: int):
    from harness.progress import quiet_libraries

    quiet_libraries()
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(folder)
    except Exception as e:  # noqa: BLE001  (a broken tokenizer file is the folder's fault)
        raise BadInput(folder, f"cannot load the tokenizer: {type(e).__name__}: {str(e)[:200]}") from None


def _hf_vocab(folder: Path, info: ArtifactInfo, tok) -> Vocab:
    def encode(text: str) -> list[int]:
        return list(tok(text, add_special_tokens=False)["input_ids"])

    plain, with_specials = encode("a"), list(tok("a", add_special_tokens=True)["input_ids"])
    add_bos = tok.bos_token_id is not None and with_specials[: len(with_specials) - len(plain)] == [tok.bos_token_id]
    return Vocab(
        kind="hf", path=folder, encode=encode, piece=lambda i: str(tok.convert_ids_to_tokens(int(i))),
        add_bos=add_bos, bos=tok.bos_token_id, eos=tok.eos_token_id, pad=tok.pad_token_id,
        stop=frozenset(info.eos_token_ids),
        declared={"bos": _ids(info.bos_token_id), "eos": list(info.eos_token_ids), "pad": _ids(info.pad_token_id)},
    )


class _LlamaVocab:
    """llama.cpp's vocabulary of one GGUF, loaded without its weights; freed with this object."""

    def __init__(self, path: Path):
        import llama_cpp

        from harness.runners.llama_load import open_vocab

        self._lib = llama_cpp
        self._model = open_vocab(path)  # a refused file: BadInput with llama.cpp's reason
        self.vocab = llama_cpp.llama_model_get_vocab(self._model)

    def __del__(self):
        if getattr(self, "_model", None):
            self._lib.llama_model_free(self._model)
            self._model = None


@lru_cache(maxsize=16)
def _llama_vocab(path: Path, _stamp: int) -> _LlamaVocab:
    return _LlamaVocab(path)


def _gguf_vocab(path: Path, info: ArtifactInfo, lv: _LlamaVocab) -> Vocab:
    lib, vocab = lv._lib, lv.vocab

    def encode(text: str) -> list[int]:
        data = text.encode("utf-8")
        size = len(data) + 8
        buf = (lib.llama_token * size)()
        n = lib.llama_tokenize(vocab, data, len(data), buf, size, False, True)
        if n < 0:  # the buffer was too small: n is minus the size needed
            buf = (lib.llama_token * -n)()
            n = lib.llama_tokenize(vocab, data, len(data), buf, -n, False, True)
        return list(buf[:n])

    def special(token: int) -> int | None:
        return token if token >= 0 else None

    return Vocab(
        kind="gguf", path=path, encode=encode,
        piece=lambda i: (lib.llama_vocab_get_text(vocab, int(i)) or b"").decode("utf-8", errors="replace"),
        add_bos=bool(lib.llama_vocab_get_add_bos(vocab)), bos=special(lib.llama_vocab_bos(vocab)),
        eos=special(lib.llama_vocab_eos(vocab)), pad=special(lib.llama_vocab_pad(vocab)),
        stop=frozenset(i for i in range(lib.llama_vocab_n_tokens(vocab)) if lib.llama_vocab_is_eog(vocab, i)),
        declared={"bos": _ids(info.bos_token_id), "eos": _ids(info.eos_token_id), "pad": _ids(info.pad_token_id)},
        owner=lv,
    )


def _shown(v: Vocab, ids) -> str:
    return "[" + ", ".join(f"{i} {v.string(i)!r}" for i in sorted(ids)) + "]"


def special_token_problems(r: Vocab, c: Vocab) -> list[str]:
    """BOS/EOS/pad ids and strings, add_bos, the declared generation config and the stop set."""
    problems = []
    for role in ("bos", "eos", "pad"):
        a, b = getattr(r, role), getattr(c, role)
        if role != "eos" and (a is None or b is None):
            # Unset on one side: harmless unless the tokenizer adds it (add_bos, below) or the template
            # renders it (then the renders differ, compared elsewhere). Qwen's HF tokenizer has no BOS
            # while its GGUF names one, unused.
            continue
        if a != b or r.string(a) != c.string(b):
            problems.append(f"{role.upper()} token differs: {a} {r.string(a)!r} vs {b} {c.string(b)!r}")
    if r.add_bos != c.add_bos:
        problems.append(f"add_bos differs: the reference tokenizer {'adds' if r.add_bos else 'does not add'} BOS, "
                        f"the candidate's {'does' if c.add_bos else 'does not'}")
    for key in ("bos", "pad"):
        a, b = r.declared.get(key), c.declared.get(key)
        if a and b and a != b:
            problems.append(f"generation config {key}_token_id differs: {a} vs {b}")
    a, b = set(r.declared.get("eos", [])), set(c.declared.get("eos", []))
    # Across kinds an HF generation config may list several EOS ids while a GGUF declares one.
    if (a != b) if r.kind == c.kind else not (b <= a if c.kind == "gguf" else a <= b):
        problems.append(f"generation config EOS ids differ: {_shown(r, a)} vs {_shown(c, b)}")
    if r.kind == c.kind and r.stop != c.stop:
        problems.append(f"stop tokens differ: {_shown(r, r.stop)} vs {_shown(c, c.stop)}")
    elif r.kind != c.kind:
        hf, gguf = (r, c) if r.kind == "hf" else (c, r)
        missing = hf.stop - gguf.stop
        if missing:
            problems.append(f"stop tokens: llama.cpp does not end generation on {_shown(hf, missing)} "
                            f"(its end-of-generation set: {_shown(gguf, gguf.stop)})")
    return problems


def first_token_difference(r: Vocab, a: list[int], c: Vocab, b: list[int], context: int = 2) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))

    def window(v: Vocab, ids: list[int]) -> str:
        return " ".join(f"{t}:{v.string(t)!r}" for t in ids[max(0, i - context): i + context + 1]) or "(end)"
    return (f"first differing token at position {i} ({len(a)} vs {len(b)} tokens): "
            f"reference …{window(r, a)}… vs candidate …{window(c, b)}…")
