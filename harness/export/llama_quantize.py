"""Quantize a GGUF with llama-cpp-python's `llama_model_quantize`, optionally with an importance matrix.

Run as `python -m harness.export.llama_quantize SRC DST FTYPE [--imatrix FILE]`, in a subprocess:
llama.cpp logs to the C stderr, and a crash there must not take the release down.

llama-cpp-python >= 0.3.2x exposes the importance matrix as a C array of
`llama_model_imatrix_data {name, data, size}` ended by a NULL name, the same values llama-quantize
derives from an imatrix GGUF (`<tensor>.in_sum2` / `<tensor>.counts`). What it cannot do is compute
one: that is `llama-imatrix`, a llama.cpp tool the wheel does not build (harness/export/imatrix.py
computes it from the merged HF model instead).
"""

from __future__ import annotations

import argparse
import ctypes
import sys
from pathlib import Path


def imatrix_values(path: Path) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Per weight tensor: mean squared activation of each input column; and the file's facts."""
    import numpy as np
    from harness.models.inspect import open_gguf

    reader = open_gguf(path)  # header checked against the file size first
    tensors = {t.name: np.asarray(t.data, dtype=np.float32).reshape(-1) for t in reader.tensors}
    values = {}
    for name, sums in tensors.items():
        if not name.endswith(".in_sum2"):
            continue
        base = name.removesuffix(".in_sum2")
        counts = tensors[f"{base}.counts"]
        per = sums.reshape(len(counts), -1)
        # As llama-quantize: sums over count, and 1 where a matrix never saw input.
        values[base] = np.where(counts[:, None] > 0, per / np.maximum(counts[:, None], 1), 1.0).reshape(-1).tolist()
    datasets = reader.fields.get("imatrix.datasets")
    chunks = reader.fields.get("imatrix.chunk_count")
    facts = {"file": path.name, "dataset": ",".join(datasets.contents()) if datasets else "",
             "chunks": str(chunks.contents()) if chunks else "0", "entries": str(len(values))}
    return values, facts


def _kv(llama_cpp, key: str, value: str | int):
    kv = llama_cpp.llama_model_kv_override()
    kv.key = key.encode()
    if isinstance(value, int):
        kv.tag = llama_cpp.LLAMA_KV_OVERRIDE_TYPE_INT
        kv.value.val_i64 = value
    else:
        kv.tag = llama_cpp.LLAMA_KV_OVERRIDE_TYPE_STR
        kv.value.val_str = value.encode()[:127]
    return kv


def quantize(src: Path, dst: Path, ftype: int, imatrix: Path | None) -> int:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 0
    keep = []  # every buffer llama.cpp points into must outlive the call
    if imatrix is not None:
        values, facts = imatrix_values(imatrix)
        entries = (llama_cpp.llama_model_imatrix_data * (len(values) + 1))()  # zeroed: the last is the end mark
        for i, (name, vals) in enumerate(values.items()):
            data = (ctypes.c_float * len(vals))(*vals)
            keep += [name.encode(), data]
            entries[i].name, entries[i].data, entries[i].size = keep[-2], ctypes.cast(data, ctypes.POINTER(ctypes.c_float)), len(vals)
        params.imatrix = ctypes.cast(entries, ctypes.POINTER(llama_cpp.llama_model_imatrix_data))
        # Recorded in the output, as llama-quantize does, so the file says how it was made.
        kvs = (llama_cpp.llama_model_kv_override * 5)(
            _kv(llama_cpp, "quantize.imatrix.file", facts["file"]),
            _kv(llama_cpp, "quantize.imatrix.dataset", facts["dataset"]),
            _kv(llama_cpp, "quantize.imatrix.entries_count", int(facts["entries"])),
            _kv(llama_cpp, "quantize.imatrix.chunks_count", int(facts["chunks"])))
        params.kv_overrides = ctypes.cast(kvs, ctypes.POINTER(llama_cpp.llama_model_kv_override))
        keep += [entries, kvs]
    return int(llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("ftype", type=int)
    parser.add_argument("--imatrix", type=Path)
    args = parser.parse_args(argv)
    return quantize(args.src, args.dst, args.ftype, args.imatrix)


if __name__ == "__main__":
    sys.exit(main())
