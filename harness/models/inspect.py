"""What an artifact carries, read without running it: template, special tokens, size, bits per weight.

GGUF files are read with gguf-py's GGUFReader; a damaged file is BadInput, never a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from harness.errors import BadInput
from harness.models.gguf_header import check_gguf_header

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ArtifactInfo:
    kind: str
    path: Path
    chat_template: str | None
    bos_token_id: int | None
    eos_token_ids: list[int]
    add_bos: bool
    size_bytes: int
    n_params: int
    architecture: str = ""
    file_type: int | None = None
    tensor_count: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    pad_token_id: int | None = None
    eos_token_id: int | None = None  # GGUF: tokenizer.ggml.eos_token_id alone (eos_token_ids adds EOT)
    tensor_types: dict[str, int] = field(default_factory=dict)  # GGUF: ggml type name -> tensor count

    @property
    def bits_per_weight(self) -> float:
        return 8.0 * self.size_bytes / self.n_params if self.n_params else 0.0


def _field(reader, key: str):
    f = reader.fields.get(key)
    return None if f is None else f.contents()


def read_gguf_info(path: Path) -> ArtifactInfo:
    path = Path(path)
    if not path.is_file():
        raise BadInput(path, "no such GGUF file")
    with open(path, "rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise BadInput(path, "not a GGUF file (wrong magic)")
    st = path.stat()
    # GGUFReader parses every vocabulary string (seconds for a 50k vocabulary, more for 250k) and a
    # release reads each file several times: once per file version is enough.
    return _read_gguf(path, st.st_size, st.st_mtime_ns)


def open_gguf(path: Path):
    """gguf-py's GGUFReader on a file whose header was first checked against its size (gguf-py
    trusts every count in it: a 329-byte file can make it loop forever); damage is BadInput."""
    from gguf import GGUFReader

    check_gguf_header(path)
    try:
        return GGUFReader(path)
    except Exception as e:  # gguf-py raises bare ValueError/IndexError/struct errors on damage
        raise BadInput(path, f"damaged GGUF file: {type(e).__name__}: {e}") from None


@lru_cache(maxsize=64)
def _read_gguf(path: Path, _size: int, _mtime: int) -> ArtifactInfo:
    from gguf import GGUFReader

    check_gguf_header(path)  # every count and length fits in the file, before gguf-py loops on them
    try:
        reader = GGUFReader(path)
        tensors = reader.tensors
        n_params = sum(int(t.n_elements) for t in tensors)
        tensor_bytes = sum(int(t.n_bytes) for t in tensors)
        end = max((int(t.data_offset) + int(t.n_bytes) for t in tensors), default=0)
    except Exception as e:  # gguf-py raises bare ValueError/IndexError/struct errors on damage
        size = path.stat().st_size  # mmap'd arrays that run past the end fail to reshape: truncation
        raise BadInput(path, f"damaged or truncated GGUF file ({size:,} bytes): {type(e).__name__}: {e}") from None
    size = path.stat().st_size
    if end > size:
        raise BadInput(path, f"truncated GGUF file: tensor data ends at byte {end}, file has {size}")
    eos = _field(reader, "tokenizer.ggml.eos_token_id")
    eot = _field(reader, "tokenizer.ggml.eot_token_id")
    add_bos = _field(reader, "tokenizer.ggml.add_bos_token")
    arch = str(_field(reader, "general.architecture") or "")
    keys = ("general.name", "general.architecture", "general.quantization_version", "tokenizer.ggml.model",
            "tokenizer.ggml.pre", f"{arch}.context_length", f"{arch}.block_count", f"{arch}.embedding_length",
            "quantize.imatrix.file", "quantize.imatrix.dataset", "quantize.imatrix.entries_count",
            "quantize.imatrix.chunks_count")
    meta = {k: str(_field(reader, k)) for k in keys if k in reader.fields}
    types: dict[str, int] = {}
    for t in tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    return ArtifactInfo(
        kind="gguf", path=path, chat_template=_field(reader, "tokenizer.chat_template"),
        bos_token_id=_field(reader, "tokenizer.ggml.bos_token_id"),
        eos_token_ids=sorted({int(x) for x in (eos, eot) if x is not None}),
        add_bos=bool(add_bos) if add_bos is not None else False,
        size_bytes=tensor_bytes, n_params=n_params,
        architecture=str(_field(reader, "general.architecture") or ""),
        file_type=_field(reader, "general.file_type"), tensor_count=len(tensors), metadata=meta,
        pad_token_id=_field(reader, "tokenizer.ggml.padding_token_id"), eos_token_id=eos, tensor_types=types,
    )


def require_safetensors(folder: Path) -> None:
    """Weights are only ever read from safetensors (or GGUF): a pickle checkpoint can run code."""
    folder = Path(folder)
    if not any(folder.glob("*.safetensors")):
        found = sorted(p.name for p in folder.glob("*") if p.suffix in (".bin", ".pt", ".pth", ".ckpt"))
        raise BadInput(folder, "no *.safetensors weights" + (f" (refusing pickle files {', '.join(found)})" if found else ""))


def _read_json(path: Path) -> dict:
    """A JSON object from an HF folder's config file; anything else is BadInput naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise BadInput(path, f"not valid JSON: {e}") from None
    except RecursionError:
        raise BadInput(path, "JSON nested too deeply") from None
    except OSError as e:
        raise BadInput(path, f"cannot read: {e.strerror}") from None
    if not isinstance(data, dict):
        raise BadInput(path, f"must be a JSON object, not {type(data).__name__}")
    return data


def _chat_template(folder: Path, tok_cfg: dict) -> str | None:
    """chat_template.jinja, else tokenizer_config.json's chat_template: a string, or a list of named
    templates ({"name", "template"}, a Hub format transformers reads) whose "default" is used."""
    file = folder / "chat_template.jinja"
    if file.is_file():
        try:
            return file.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise BadInput(file, f"not UTF-8 text (byte {e.start}): a chat template is text") from None
    value = tok_cfg.get("chat_template")
    where = folder / "tokenizer_config.json"
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(t, dict) and isinstance(t.get("name"), str)
                                       and isinstance(t.get("template"), str) for t in value):
        named = {t["name"]: t["template"] for t in value}
        if "default" in named:
            return named["default"]
        if len(named) == 1:
            return next(iter(named.values()))
        raise BadInput(where, f"chat_template lists {sorted(named)} but no 'default' template")
    raise BadInput(where, "chat_template must be a string or a list of {name, template} objects")


def read_hf_info(folder: Path) -> ArtifactInfo:
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise BadInput(folder, "not an HF model folder (no config.json)")
    if not (folder / "tokenizer.json").is_file() and not (folder / "tokenizer.model").is_file():
        raise BadInput(folder, "HF folder has no tokenizer (tokenizer.json or tokenizer.model)")
    tok_cfg = _read_json(folder / "tokenizer_config.json") if (folder / "tokenizer_config.json").is_file() else {}
    template = _chat_template(folder, tok_cfg)
    gen = _read_json(folder / "generation_config.json") if (folder / "generation_config.json").is_file() else {}
    cfg = _read_json(folder / "config.json")
    eos = gen.get("eos_token_id", cfg.get("eos_token_id"))
    try:
        eos_ids = sorted({int(x) for x in (eos if isinstance(eos, list) else [eos]) if x is not None})
    except (TypeError, ValueError):
        raise BadInput(folder / "generation_config.json", f"eos_token_id {eos!r} is not a token id") from None
    arch = cfg.get("architectures")
    weights = sorted(folder.glob("*.safetensors"))
    size, n_params = 0, 0
    for w in weights:
        size += w.stat().st_size
        n_params += _safetensors_params(w)
    return ArtifactInfo(
        kind="hf", path=folder, chat_template=template, bos_token_id=gen.get("bos_token_id", cfg.get("bos_token_id")),
        eos_token_ids=eos_ids, add_bos=bool(tok_cfg.get("add_bos_token", False)), size_bytes=size,
        n_params=n_params, architecture=str(arch[0]) if isinstance(arch, list) and arch else "",
        pad_token_id=gen.get("pad_token_id", cfg.get("pad_token_id")), eos_token_id=eos_ids[0] if eos_ids else None,
    )


MAX_SAFETENSORS_HEADER = 100 << 20  # the safetensors library's own limit


def _safetensors_params(path: Path) -> int:
    """Parameter count from the safetensors header alone (8-byte length + JSON), every length checked
    against the file before it is read."""
    if not path.is_file():
        raise BadInput(path, "not a safetensors file (a folder, or a link to nothing)")
    size = path.stat().st_size
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        if size < 8 or n > min(size - 8, MAX_SAFETENSORS_HEADER):
            raise BadInput(path, f"not a safetensors file: header claims {n:,} bytes, file has {size:,}")
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput(path, "not a safetensors file: header is not UTF-8") from None
    except (json.JSONDecodeError, RecursionError):
        raise BadInput(path, "not a safetensors file: header is not JSON") from None
    if not isinstance(header, dict):
        raise BadInput(path, "not a safetensors file: header is not a JSON object")
    total = 0
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        shape = meta.get("shape") if isinstance(meta, dict) else None
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise BadInput(path, f"not a safetensors file: tensor {name!r} has no valid shape")
        count = 1
        for d in shape:
            count *= d
        total += count
    return total
