"""GGUF headers whose counts and lengths lie: refused (BadInput naming the file) within 1 s and 100 MB
each, before gguf-py loops on them. A small well-formed file is written byte by byte, then every
count and length in it is replaced by random values, and random bytes are flipped."""

from __future__ import annotations

import random
import struct
import time
import tracemalloc
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.models.inspect import read_gguf_info
from harness.models.gguf_header import check_gguf_header

U32, U64, STR, ARR = 4, 10, 8, 9


def _s(b: bytes, length: int | None = None) -> bytes:
    return struct.pack("<Q", len(b) if length is None else length) + b


def build(fields: dict[str, int] | None = None) -> bytes:
    """A GGUF v3 file: 4 metadata entries (string, u32, string array, u32 array), 2 F32 tensors.
    `fields` overrides a count or length by name (the ones the fuzzer targets)."""
    f = {"n_tensors": 2, "n_kv": 4, "key0": None, "str0": None, "arr_count": 3, "arr_item_len": None,
         "u32_count": 2, "n_dims": 2, "dim0": 4, "offset1": 64, "type0": 0, **(fields or {})}
    f["n_dims"] &= 0xFFFFFFFF  # 32-bit fields in the file
    f["type0"] &= 0xFFFFFFFF
    kv = [_s(b"general.architecture", f["key0"]) + struct.pack("<I", STR) + _s(b"llama", f["str0"]),
          _s(b"general.alignment") + struct.pack("<II", U32, 32),
          _s(b"tokenizer.ggml.tokens") + struct.pack("<IIQ", ARR, STR, f["arr_count"])
          + b"".join(_s(t, f["arr_item_len"]) for t in (b"a", b"bc", b"def")),
          _s(b"x.ids") + struct.pack("<IIQ", ARR, U32, f["u32_count"]) + struct.pack("<II", 7, 9)]
    tensors = [_s(b"t0") + struct.pack("<I", f["n_dims"]) + struct.pack("<QQ", f["dim0"], 4)[: 8 * max(min(f["n_dims"], 2), 0)]
               + struct.pack("<IQ", f["type0"], 0),
               _s(b"t1") + struct.pack("<IQQ", 2, 4, 4) + struct.pack("<IQ", 0, f["offset1"])]
    head = b"GGUF" + struct.pack("<IQQ", 3, f["n_tensors"], f["n_kv"]) + b"".join(kv) + b"".join(tensors)
    head += b"\0" * (-len(head) % 32)
    return head + struct.pack("<32f", *range(32))


FIELDS = ["n_tensors", "n_kv", "key0", "str0", "arr_count", "arr_item_len", "u32_count", "n_dims", "dim0",
          "offset1", "type0"]
HUGE = [0, 1, 2, 3, 7, 255, 2**16, 2**31, 2**32 - 1, 2**32, 2**40, 2**60, 2**62, 2**63, 2**64 - 1]


def _bounded(path: Path) -> tuple[float, int, str]:
    """Read the file as the harness does: (seconds, peak traced bytes, outcome)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        read_gguf_info(path)
        outcome = "ok"
    except BadInput as e:
        assert e.where == str(path)
        outcome = e.what
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, peak, outcome


def test_well_formed_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.gguf"
    path.write_bytes(build())
    info = read_gguf_info(path)
    assert info.architecture == "llama" and info.tensor_count == 2 and info.n_params == 32


@pytest.mark.parametrize("field,value,message", [
    ("arr_count", 2**60, "array of 1,152,921,504,606,846,976 items"),  # gguf-py loops with memory growing
    ("str0", 2**62, "string value of 4,611,686,018,427,387,904 bytes"),  # gguf-py reads it as valid
    ("n_kv", 2**63, "metadata entries"),
    ("n_tensors", 2**40, "tensor infos"),
    ("n_dims", 9, "9 dimensions"),
    ("dim0", 2**62, "tensor data ends at byte"),
    ("type0", 77, "unknown tensor type 77"),
])
def test_lying_header_is_refused_by_name(tmp_path: Path, field: str, value: int, message: str) -> None:
    path = tmp_path / f"{field}.gguf"
    path.write_bytes(build({field: value}))
    with pytest.raises(BadInput, match=message) as err:
        check_gguf_header(path)
    assert err.value.where == str(path)


def test_fuzzed_counts_and_lengths_stay_bounded(tmp_path: Path) -> None:
    (tmp_path / "warm.gguf").write_bytes(build())
    read_gguf_info(tmp_path / "warm.gguf")  # imports gguf-py once, outside the timed reads
    rng = random.Random(16)
    worst_time, worst_mem, refused = 0.0, 0, 0
    for i in range(300):
        fields = {name: rng.choice(HUGE + [rng.randrange(2**64)]) for name in rng.sample(FIELDS, rng.randint(1, 3))}
        data = bytearray(build(fields))
        for _ in range(rng.choice([0, 0, 1, 4])):  # and some random byte flips
            data[rng.randrange(8, len(data))] = rng.randrange(256)
        path = tmp_path / f"f{i}.gguf"
        path.write_bytes(bytes(data))
        elapsed, peak, outcome = _bounded(path)
        assert elapsed < 1.0, (fields, elapsed, outcome)
        assert peak < 100 * 2**20, (fields, peak, outcome)
        worst_time, worst_mem, refused = max(worst_time, elapsed), max(worst_mem, peak), refused + (outcome != "ok")
    assert refused > 200  # nearly every lie is caught; the rest are harmless (a count that still fits)


def test_truncated_at_every_byte_is_refused(tmp_path: Path) -> None:
    data = build()
    (tmp_path / "warm.gguf").write_bytes(data)
    read_gguf_info(tmp_path / "warm.gguf")
    for cut in range(0, len(data) - 1, 7):
        path = tmp_path / f"cut{cut}.gguf"
        path.write_bytes(data[:cut])
        elapsed, peak, outcome = _bounded(path)
        assert outcome != "ok" and elapsed < 1.0 and peak < 100 * 2**20, (cut, outcome)
