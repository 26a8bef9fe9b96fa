"""Every GGUF the harness runs in llama.cpp is opened here, so a file llama.cpp refuses is one line.

llama-cpp-python only raises "Failed to load model from file"; llama.cpp's own reason (`tensor
'blk.4.attn_norm.weight' not found`, a bad magic, an unknown architecture) goes to llama.cpp's log.
A log callback, installed once, keeps the recent error lines, and a failed load or decode quotes them.
Where llama.cpp runs is chosen here too: every layer on the GPU when the build can offload, unless
$HARNESS_LLAMA_GPU says otherwise.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import BadInput, StageError

if TYPE_CHECKING:
    from harness.runners.engine import EngineInfo

GPU_ENV = "HARNESS_LLAMA_GPU"  # auto (default) | on | off
BATCH_ENV = "HARNESS_LLAMA_BATCH"  # auto (default) | sequences decoded together (1: one at a time)
GPU_BATCH = 64  # what llama.cpp's batched decode is measured at on the GPU (issue 14)
# The CPU decodes one sequence at a time unless asked: batching gained 0-19 % on 2 cores
# (bench/gguf_batch.py), and on the demo's Q2_K level 4 of 24 greedy answers moved although the
# row probe passed (bench/RESULTS.md). $HARNESS_LLAMA_BATCH=N asks for N, still behind the probe.
CPU_BATCH = 1
# On the H200 the CUDA backend of the llama.cpp that llama-cpp-python 0.3.36 vendors aborts batched
# scoring of a Qwen3.5 GGUF ("CUDA error: an illegal instruction", in ggml_backend_cuda_synchronize) after
# 100-200 requests, with CUDA graphs on; with GGML_CUDA_DISABLE_GRAPHS set the same 256 requests pass,
# while GGML_CUDA_PDL=0 or clearing the memory every 48 requests still abort (bench/gguf_abort.py,
# bench/RESULTS.md). llama.cpp reads the variable once, at its first graph: set before any GPU load.
NO_GRAPHS_ENV = "GGML_CUDA_DISABLE_GRAPHS"
GPU_NOTE = "CUDA graphs off (GGML_CUDA_DISABLE_GRAPHS): with them batched scoring of a hybrid model aborts"
_ERROR, _CONT = 4, 5  # ggml_log_level values (ggml.h; llama-cpp-python's _logger.py comment is outdated)
_log: deque[tuple[int, str]] = deque(maxlen=64)  # (sequence number, error line)
# echo: error lines also go to stderr. Set once a model is loaded on the GPU: a CUDA error there aborts
# the process (ggml_abort), which leaves no Python error to quote the kept lines in, and without the
# echo the one line saying what failed ("CUDA error: out of memory") would be lost.
_state: dict[str, Any] = {"seq": 0, "callback": None, "level": 0, "partial": "", "echo": False}
# llama.cpp messages that only say that something failed, never why.
_GENERIC = ("failed to load model", "llama_decode returned", "failed to decode", "failed to create context",
            "failed to initialize batch")


def threads() -> int:
    # A spread evaluation's CPU worker runs on the CPUs its cluster gave it (HARNESS_THREADS, set by
    # harness/evals/worker.py), not on every core of a host it shares with other workers.
    given = os.environ.get("HARNESS_THREADS", "")
    return int(given) if given.isdigit() and int(given) > 0 else max(1, len(os.sched_getaffinity(0)))


def _install_log() -> None:
    """Route llama.cpp's log through us (once): error lines are kept, the rest printed only when
    llama-cpp-python's logger asks for it (verbose mode), as its own callback does."""
    if _state["callback"] is not None:
        return
    import logging

    import llama_cpp
    import llama_cpp._logger  # noqa: F401  its callback is installed at import: ours must come after

    py_logger = logging.getLogger("llama-cpp-python")

    def verbose() -> bool:
        # Only a level set to DEBUG (what `Llama(verbose=True)` does) prints llama.cpp's log: an unset
        # level (0, before any Llama exists, e.g. the checks' vocabulary-only loads) stays quiet.
        return 0 < py_logger.level <= logging.DEBUG

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        msg = text.decode("utf-8", errors="replace")
        level = _state["level"] if level == _CONT else level
        _state["level"] = level
        if level == _ERROR:
            _state["partial"] += msg
            if msg.endswith("\n"):  # llama.cpp may send one line in pieces
                _state["seq"] += 1
                _log.append((_state["seq"], _state["partial"].strip()))
                if _state["echo"] and not verbose():
                    print(f"llama.cpp: {_state['partial'].strip()}", file=sys.stderr, flush=True)
                _state["partial"] = ""
        if verbose():
            print(msg, end="", flush=True, file=sys.stderr)

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    _state["callback"] = callback  # a ctypes callback must outlive its registration


def _mark() -> int:
    _install_log()
    return _state["seq"]


def reason_since(mark: int) -> str:
    """llama.cpp's error messages logged after `mark`, on one line: function-name prefixes and messages
    that only say that something failed are left out."""
    seen: list[str] = []
    for seq, message in _log:
        if seq <= mark:
            continue
        # "llama_model_load: error loading model: missing tensor 'x'" -> "missing tensor 'x'"
        text = message.split("error loading model: ", 1)[-1]
        head, sep, rest = text.partition(": ")
        text = rest if sep and " " not in head and head.replace("_", "").isalnum() else text
        # Some messages span lines ("...positions:\n - X = 5\n - Y = 5"): one sentence each.
        text = " ".join(ln.strip().removeprefix("- ") for ln in text.splitlines() if ln.strip())
        if text and not any(g in text for g in _GENERIC) and text not in seen:
            seen.append(text)
    return "; ".join(seen)


@contextmanager
def llama_errors(path: Path, doing: str) -> Iterator[None]:
    """A failure inside llama.cpp while `doing` something with `path` is one StageError line."""
    mark = _mark()
    try:
        yield
    except (RuntimeError, ValueError, OSError) as e:
        why = reason_since(mark) or str(e).strip() or type(e).__name__
        raise StageError(f"{path}: llama.cpp failed while {doing}: {why}") from None


def gpu_layers() -> int:
    """n_gpu_layers for every Llama: -1 (all) when the build offloads, 0 on a CPU build or when
    $HARNESS_LLAMA_GPU=off; =on on a CPU-only build is bad input, not a silent CPU run."""
    import llama_cpp

    choice = os.environ.get(GPU_ENV, "auto").strip().lower() or "auto"
    if choice not in ("auto", "on", "off"):
        raise BadInput(f"${GPU_ENV}", f"{choice!r}: expected auto, on or off")
    can = bool(llama_cpp.llama_supports_gpu_offload())
    if choice == "on" and not can:
        raise BadInput(f"${GPU_ENV}", "on: this llama-cpp-python build has no GPU offload (build it with "
                       "CMAKE_ARGS=\"-DGGML_CUDA=on\")")
    return -1 if can and choice != "off" else 0


def batch_choice(n_gpu_layers: int) -> int:
    """Sequences decoded together. Auto: GPU_BATCH with the layers on the GPU, else CPU_BATCH; on the CPU
    the runner still falls back to one at a time where batched rows would not be bit-identical
    (llama_batch.batch_invariant), whatever $HARNESS_LLAMA_BATCH asked."""
    choice = os.environ.get(BATCH_ENV, "auto").strip().lower() or "auto"
    if choice == "auto":
        return GPU_BATCH if n_gpu_layers else CPU_BATCH
    if not choice.isdigit() or not 1 <= int(choice) <= 256:
        raise BadInput(f"${BATCH_ENV}", f"{choice!r}: expected auto or a number of sequences from 1 to 256")
    return int(choice)


def engine_record(n_gpu_layers: int, batch_size: int = 1) -> EngineInfo:
    """What runs a GGUF level, for the report: llama.cpp, on the GPU when its layers are offloaded."""
    from harness.runners.engine import EngineInfo

    return EngineInfo(engine="llama.cpp", device="gpu" if n_gpu_layers else "cpu",
                      device_name="" if n_gpu_layers else f"{threads()} threads", batch_size=batch_size,
                      note=GPU_NOTE if n_gpu_layers else "", lm_eval="harness-llama")


def open_llama(path: Path, n_ctx: int, logits_all: bool = False, n_gpu_layers: int | None = None) -> Any:
    """A `llama_cpp.Llama` over `path`; a file llama.cpp refuses is BadInput naming it and the reason."""
    from llama_cpp import Llama

    layers = gpu_layers() if n_gpu_layers is None else n_gpu_layers
    if layers:
        os.environ.setdefault(NO_GRAPHS_ENV, "1")
    mark = _mark()
    try:
        llm = Llama(str(path), n_ctx=n_ctx, n_threads=threads(), n_gpu_layers=layers, logits_all=logits_all,
                    verbose=False, seed=0)
    except (ValueError, RuntimeError, OSError) as e:
        raise BadInput(path, f"llama.cpp cannot load this GGUF: {reason_since(mark) or e}") from None
    _state["echo"] = _state["echo"] or layers != 0
    return llm


def open_vocab(path: Path) -> Any:
    """llama.cpp's model handle of `path` with its vocabulary only (no weights); free it with
    llama_cpp.llama_model_free. A refused file is BadInput naming it and llama.cpp's reason."""
    import llama_cpp

    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    mark = _mark()
    model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
    if not model:
        raise BadInput(path, f"llama.cpp cannot load this GGUF's tokenizer: {reason_since(mark) or 'no reason logged'}")
    return model


def is_untruncatable(llm: Any) -> bool:
    """Whether the context's memory cannot be cut back to a prefix: recurrent layers (Mamba, RWKV) and
    hybrids (Qwen3.5's Gated DeltaNet) keep one running state, not one entry per token."""
    import llama_cpp

    model = llm.model
    return bool(llama_cpp.llama_model_is_recurrent(model) or llama_cpp.llama_model_is_hybrid(model))


def decode_check(path: Path, n_new: int = 4) -> str:
    """Load `path` as the eval will and greedily decode `n_new` tokens: the text, or one error line."""
    llm = open_llama(path, n_ctx=128)
    try:
        with llama_errors(path, f"decoding {n_new} tokens"):
            prompt = llm.tokenize(b"The capital of France is", add_bos=True, special=False)
            out = llm.create_completion(prompt, max_tokens=n_new, temperature=0.0, top_k=1)
        return out["choices"][0]["text"]
    finally:
        llm.close()


def main(argv: list[str]) -> int:
    """`python -m harness.runners.llama_load FILE...`: each file loaded and decoded in this process, so
    that an abort inside llama.cpp takes down this process, not the caller."""
    import json

    from harness.errors import HarnessError

    for arg in argv:
        try:
            print(json.dumps({"file": arg, "text": decode_check(Path(arg))}), flush=True)
        except HarnessError as e:
            print(str(e), file=sys.stderr)
            return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
