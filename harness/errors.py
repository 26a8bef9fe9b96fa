"""The one error hierarchy. The CLI maps it to exit codes in one place (cli.main)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""

    exit_code = 2


class BadInput(HarnessError):
    """Input the user gave us is wrong: a file, a flag, a profile. Exit code 2."""

    def __init__(self, where: str | Path | None, what: str, line: int | None = None):
        self.where = str(where) if where is not None else None
        self.line = line
        self.what = " ".join(str(what).splitlines())  # one line on stderr, whatever the cause said
        loc = self.where or ""
        if loc and line is not None:
            loc = f"{loc}:{line}"
        super().__init__(f"{loc}: {self.what}" if loc else self.what)


class CheckFailed(HarnessError):
    """A gate or an integrity check failed: the release must not ship. Exit code 1."""

    exit_code = 1


class StageError(HarnessError):
    """A stage could not run (missing dependency, tool failure). Exit code 2, message names it."""


# Known errors that are not ours: third-party and OS exceptions whose cause is the user's input or machine,
# each turned into the one line it means. The CLI's one mapping (harness/cli main) asks `known_error`;
# anything not in this table is a bug and keeps its traceback. Classes are named, not imported: this
# module is imported everywhere and must stay light.
_DISK_FULL = {28, 27, 122}  # ENOSPC, EFBIG (file size limit), EDQUOT
_BAD_PATH = {1, 2, 13, 17, 20, 21, 30, 36, 40}  # EPERM ENOENT EACCES EEXIST ENOTDIR EISDIR EROFS ENAMETOOLONG ELOOP


def _os_error(e: OSError, out: str) -> HarnessError | None:
    if e.errno in _BAD_PATH and e.filename:
        # A path the user gave that cannot be written or read as asked (an --out that is a file, a folder
        # without permission).
        return BadInput(e.filename, e.strerror)
    if e.errno in _DISK_FULL:
        # Stages write to a partial folder renamed when complete, the store commits per batch: what was
        # finished before the disk filled is intact, and a rerun resumes from it.
        return BadInput(e.filename or out, f"disk full ({e.strerror}); finished stages and eval items are kept, "
                        "free space and rerun")
    return None


def _sqlite_full(e: Exception, _out: str) -> HarnessError | None:
    if "full" not in str(e):  # SQLite reports a full disk as its own error
        return None
    return BadInput("results store", f"disk full ({e}); finished eval items are kept, free space and rerun")


def _llama_library(e: Exception, _out: str) -> HarnessError | None:
    """llama-cpp-python found no usable libllama (LLAMA_CPP_LIB_PATH pointing at a folder without a build,
    or at a library built for another machine)."""
    import os

    text = str(e)
    if not (text.startswith("Failed to load shared library") or text.startswith("Shared library with base name")):
        return None
    where = os.environ.get("LLAMA_CPP_LIB_PATH")
    fix = ("point LLAMA_CPP_LIB_PATH at the folder holding your build's libllama.so (build/bin), or unset it"
           if where else "reinstall llama-cpp-python (make install, or make install-cuda)")
    return BadInput("$LLAMA_CPP_LIB_PATH" if where else "llama-cpp-python",
                    f"llama.cpp's library cannot be loaded{f' from {where}' if where else ''}: {text}; {fix}")


def _gpu_oom(e: Exception, _out: str) -> HarnessError | None:
    # Training turns its own out-of-memory into settings to lower (harness/training/oom.py); elsewhere (an HF level
    # scored on the GPU) the way out is the device.
    first = " ".join(str(e).split(". ")[0].split())
    return StageError(f"out of GPU memory ({first}): free the GPU, or score on the CPU with HARNESS_DEVICE=cpu")


# (qualified name of the class or a base, explain(e, out folder) -> the error it means, or None: not this case)
KNOWN_ERRORS: list[tuple[str, Callable[[Exception, str], HarnessError | None]]] = [
    ("torch.OutOfMemoryError", _gpu_oom),
    ("sqlite3.OperationalError", _sqlite_full),
    ("builtins.OSError", _os_error),
    ("builtins.FileNotFoundError", _llama_library),
    ("builtins.RuntimeError", _llama_library),
]


def known_error(e: BaseException, out: str = "output folder") -> HarnessError | None:
    """`e` as the HarnessError it means when the table knows it, else None. `out`: the folder being
    written, for errors that name no file."""
    if isinstance(e, HarnessError):
        return e
    names = {f"{c.__module__}.{c.__qualname__}" for c in type(e).__mro__}
    for name, explain in KNOWN_ERRORS:
        if name in names:
            found = explain(e, out)  # type: ignore[arg-type]
            if found is not None:
                return found
    return None
