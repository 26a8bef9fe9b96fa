"""Qwen3.5 and Qwen3 test fixtures built from installed packages only (no model hub).

    from qwen_fixtures import qwen35_checkpoint, qwen3_checkpoint, vendored_template
    folder = qwen35_checkpoint()              # HF folder: Qwen3_5ForConditionalGeneration, built once
    text = vendored_template("Qwen3.5-4B.jinja")  # official template, sha256-checked

Importable as `qwen_fixtures` inside pytest (tests/ is on sys.path) and as `tests.qwen_fixtures` from
the repository root. Each checkpoint is built once into the test cache ($HARNESS_TEST_CACHE, else
<tmp>/harness-test-cache) under a key hashed from its recipe (these sources, the sdist, transformers,
tokenizers and torch versions); a changed recipe builds a new folder. Treat the folders as read-only.
"""

from __future__ import annotations

from pathlib import Path

from .cache import CACHE, build_once, key, version
from .vendored import TEMPLATES, VendoredFileError, sdist_path, vendored_file, vendored_template

__all__ = ["CACHE", "TEMPLATES", "VendoredFileError", "qwen35_checkpoint", "qwen3_checkpoint", "recipe_key",
           "vendored_file", "vendored_template"]


def recipe_key() -> str:
    """Hash of everything the checkpoints are built from."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    return key(*(p.read_text() for p in sources), sdist_path().name, version("transformers"),
               version("tokenizers"), version("torch"))


def qwen35_checkpoint() -> Path:
    """Tiny `Qwen3_5ForConditionalGeneration` HF folder (vision tower, MTP, 3 linear + 1 full attention)."""
    from .checkpoints import build_qwen35

    return build_once(CACHE / f"qwen35-{recipe_key()}", build_qwen35)


def qwen3_checkpoint() -> Path:
    """Tiny `Qwen3ForCausalLM` HF folder with the Qwen3 tokenizer and template."""
    from .checkpoints import build_qwen3

    return build_once(CACHE / f"qwen3-{recipe_key()}", build_qwen3)
