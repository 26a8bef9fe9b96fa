"""Files llama.cpp ships, read from the llama-cpp-python sdist that `make install` keeps in the venv.

The sdist vendors llama.cpp: `models/templates/` holds the official Qwen chat templates (the Qwen3.5-4B/9B
one among them) and `models/` the Qwen vocabulary GGUFs (tokens, types, merges; no weights). Tests never
download from a model hub, so these are the real Qwen artifacts they can use. Each template is pinned by
its sha256: a changed upstream file must be noticed, not silently tested against.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tarfile
from pathlib import Path

from .cache import CACHE, build_once, version

SDIST_ENV = "HARNESS_LLAMA_CPP_SDIST"
SDIST_DIR = Path(sys.prefix) / "share" / "llama-cpp-python"  # where the Makefile's install step puts it

# sha256 of each vendored template this project tests against (llama-cpp-python 0.3.36's llama.cpp).
TEMPLATES = {
    "Qwen3.5-4B.jinja": "a4aee8afcf2e0711942cf848899be66016f8d14a889ff9ede07bca099c28f715",
    "Qwen-Qwen3-0.6B.jinja": "87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5",
    "Qwen-Qwen2.5-7B-Instruct.jinja": "cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f",
    "Qwen3-Coder.jinja": "d287fb2edf144207f868ae1b282755dc19db2a3f1c5b3a3d57e9e5abffa98392",
    "Qwen-QwQ-32B.jinja": "5ed15374ce53e19a7798710736a2c9fe41c79f7385e8421a2080d6575a80ef1b",
}
VOCABS = ("ggml-vocab-qwen2.gguf", "ggml-vocab-qwen35.gguf")


class VendoredFileError(RuntimeError):
    """The sdist is missing, or a vendored file is absent or changed upstream."""


def sdist_path() -> Path:
    """$HARNESS_LLAMA_CPP_SDIST, else the sdist of the installed llama-cpp-python under the venv."""
    if os.environ.get(SDIST_ENV):
        path = Path(os.environ[SDIST_ENV])
    else:
        path = SDIST_DIR / f"llama_cpp_python-{version('llama-cpp-python')}.tar.gz"
    if not path.is_file():
        raise VendoredFileError(
            f"{path}: llama-cpp-python sdist not found; run `make install`, or `pip download --no-deps "
            f"--no-binary :all: llama-cpp-python=={version('llama-cpp-python')} -d {SDIST_DIR}`")
    return path


def vendored_dir() -> Path:
    """The Qwen templates and vocabularies, extracted once per sdist into the test cache."""
    sdist = sdist_path()

    def extract(out: Path) -> None:
        wanted = {f"models/templates/{n}" for n in TEMPLATES} | {f"models/{v}{s}" for v in VOCABS
                                                                  for s in ("", ".inp", ".out")}
        with tarfile.open(sdist, "r:gz") as tar:
            for member in tar:
                rel = member.name.split("/vendor/llama.cpp/", 1)[-1]
                if member.isfile() and rel in wanted:
                    (out / Path(rel).name).write_bytes(tar.extractfile(member).read())
                    wanted.discard(rel)
        if wanted:
            raise VendoredFileError(f"{sdist}: no {', '.join(sorted(wanted))} in the vendored llama.cpp")

    return build_once(CACHE / f"vendored-{sdist.name.removesuffix('.tar.gz')}-{sdist.stat().st_size}", extract)


def vendored_file(name: str) -> Path:
    """A vocabulary GGUF (or its .inp/.out tokenizer test) from the vendored llama.cpp."""
    path = vendored_dir() / name
    if not path.is_file():
        raise VendoredFileError(f"{name}: not a vendored file this project extracts ({', '.join(VOCABS)})")
    return path


def vendored_template(name: str) -> str:
    """The text of an official template (e.g. "Qwen3.5-4B.jinja"), checked against its pinned sha256."""
    if name not in TEMPLATES:
        raise VendoredFileError(f"{name}: unknown template (known: {', '.join(TEMPLATES)})")
    data = (vendored_dir() / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != TEMPLATES[name]:
        raise VendoredFileError(f"{name}: sha256 {digest} is not the pinned {TEMPLATES[name]}: the upstream "
                                "template changed; review the change, then update TEMPLATES")
    return data.decode("utf-8")
