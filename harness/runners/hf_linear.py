"""Qwen3.5's linear attention over a padded batch, run as one packed sequence per row (GPU only).

flash-linear-attention's chunked Gated DeltaNet compiles a kernel (`chunk_local_cumsum`) with the batch
size as a compile-time constant and autotunes it per batch size: every prefill chunk and log-likelihood
batch with a row count not seen before in the process pays a Triton compile and an autotune. A level's
batches have hundreds of different row counts. Packed, a [B, T] batch is one sequence of B*T tokens with
boundaries every T (fla's `cu_seqlens`), which fla computes row by row exactly as it does the batch, and
the constant is always 1: one compile per process. The query and key L2 norm that fla would run in its own
kernel (compiled per token-count bucket) runs in PyTorch before the call (`l2norm`).

`install(model)` wraps the chunked function that the model's Gated DeltaNet layers call (a module global in
transformers 5.2x, an attribute of the layer in earlier 5.x); the one-token recurrent step (decode) does not
compile per batch size and is left alone."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

NAMES = ("torch_chunk_gated_delta_rule", "chunk_gated_delta_rule")


def packed(fn: Callable, cpu: bool = False) -> Callable:
    """`fn` (fla's chunk_gated_delta_rule signature: q, k, v [B, T, H, D], g, beta [B, T, H], initial_state
    [B, H, K, V]) called on the batch packed into one sequence, q and k L2-normed first where `fn` was asked
    to; outputs unpacked. CUDA tensors only, unless `cpu` (tests); one row or a call already packed is only
    normed, other arguments go to `fn` as they are."""
    if getattr(fn, "_harness_packed", False):
        return fn

    @functools.wraps(fn)
    def run(query, key, value, *args: Any, g=None, beta=None, cu_seqlens=None, **kwargs: Any):
        b, t = query.shape[:2]
        if args or g is None or beta is None or not (query.is_cuda or cpu):
            return fn(query, key, value, *args, g=g, beta=beta, cu_seqlens=cu_seqlens, **kwargs)
        if kwargs.get("use_qk_l2norm_in_kernel"):  # here, not in fla's kernel: see l2norm
            query, key, kwargs["use_qk_l2norm_in_kernel"] = l2norm(query), l2norm(key), False
        if cu_seqlens is not None or b == 1:
            return fn(query, key, value, g=g, beta=beta, cu_seqlens=cu_seqlens, **kwargs)
        import torch

        flat = lambda x: x.reshape(1, b * t, *x.shape[2:])  # noqa: E731
        bounds = torch.arange(0, (b + 1) * t, t, dtype=torch.long, device=query.device)
        out, state = fn(flat(query), flat(key), flat(value), g=flat(g), beta=flat(beta), cu_seqlens=bounds, **kwargs)
        return out.reshape(b, t, *out.shape[2:]), state

    run._harness_packed = True  # type: ignore[attr-defined]
    return run


def l2norm(x, eps: float = 1e-6):
    """What fla's in-kernel L2 norm computes (float32, x / sqrt(sum x^2 + eps), back to x's dtype), in
    PyTorch: fla's kernel is compiled and autotuned per bucket of 4,096 tokens (a constant `NB` in its
    autotune key), another compile for nearly every new batch's token count."""
    import torch

    x32 = x.float()
    return (x32 * torch.rsqrt((x32 * x32).sum(-1, keepdim=True) + eps)).to(x.dtype)


def install(model) -> int:
    """Wraps the chunked Gated DeltaNet function of every linear-attention layer of `model`; the number of
    places wrapped (0: not a Gated DeltaNet model, or fla is not what the layers call)."""
    done = 0
    seen_modules: set[str] = set()
    for layer in model.modules():
        if not type(layer).__name__.endswith("GatedDeltaNet"):
            continue
        for name in NAMES:
            fn = layer.__dict__.get(name)
            if callable(fn) and _is_fla(fn):
                setattr(layer, name, packed(fn))
                done += 1
        where = type(layer).__module__
        if where in seen_modules:
            continue
        seen_modules.add(where)
        mod = sys.modules.get(where)
        for name in NAMES:
            fn = getattr(mod, name, None)
            if callable(fn) and _is_fla(fn):
                setattr(mod, name, packed(fn))
                done += 1
    return done


def _is_fla(fn: Callable) -> bool:
    """Whether `fn` runs fla's kernels (transformers falls back to its own PyTorch function without fla,
    which takes no packed sequences)."""
    inner = getattr(fn, "__wrapped__", fn)
    if getattr(fn, "_harness_packed", False):
        return True
    mod = getattr(inner, "__module__", "") or ""
    if mod.startswith("fla"):
        return True
    # transformers' hub wrapper keeps the chosen implementation in its closure.
    for cell in getattr(fn, "__closure__", None) or ():
        value = cell.cell_contents
        if callable(value) and (getattr(value, "__module__", "") or "").startswith("fla"):
            return True
    return False
