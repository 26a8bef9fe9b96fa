"""A bounded walk over a GGUF header, run before gguf-py (or anything else) parses the file.

gguf-py trusts the header: an array claiming 2**60 elements makes it loop with memory growing, a
string claiming 2**62 bytes is read as valid. Here every count and length is checked against the
bytes left in the file before any loop or allocation, so each step consumes at least one byte of a
real file and the walk is bounded by the file's size. Only the header is read (not the tensor data).
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

from harness.errors import BadInput

SUPPORTED_VERSIONS = (2, 3)
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_NESTING = 4  # arrays of arrays: no real file nests deeper than 2
# value type id -> size of one value (None: string; 9, array, is handled on its own)
_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9


class _Walk:
    def __init__(self, path: Path, buf, order: str) -> None:
        self.path, self.buf, self.order, self.pos, self.size = path, buf, order, 0, len(buf)
        self.where = "header"

    def fail(self, what: str) -> None:
        raise BadInput(self.path, f"damaged GGUF header ({self.where}): {what}")

    def need(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            self.fail(f"{what} needs {n:,} bytes at byte {self.pos:,}, the file has {self.size - self.pos:,} left "
                      f"(truncated or corrupt; file size {self.size:,})")

    def u(self, fmt: str, what: str) -> int:
        n = struct.calcsize(fmt)
        self.need(n, what)
        (value,) = struct.unpack_from(self.order + fmt, self.buf, self.pos)
        self.pos += n
        return value

    def string(self, what: str) -> bytes:
        length = self.u("Q", f"{what} length")
        self.need(length, f"{what} of {length:,} bytes")
        out = bytes(self.buf[self.pos:self.pos + length]) if length <= 256 else b""  # keys are short
        self.pos += length
        return out

    def value(self, vtype: int, depth: int = 0) -> int | None:
        """Skip one value; returns it when it is an unsigned 32-bit integer (general.alignment)."""
        if vtype in _SCALAR:
            size = _SCALAR[vtype]
            self.need(size, "a value")
            got = struct.unpack_from(self.order + "I", self.buf, self.pos)[0] if vtype == 4 else None
            self.pos += size
            return got
        if vtype == _STRING:
            self.string("a string value")
            return None
        if vtype != _ARRAY:
            self.fail(f"unknown value type {vtype}")
        if depth >= MAX_NESTING:
            self.fail(f"arrays nested more than {MAX_NESTING} deep")
        item = self.u("I", "an array's item type")
        count = self.u("Q", "an array's length")
        least = _SCALAR.get(item, 8 if item == _STRING else 12 if item == _ARRAY else 1)
        if item not in _SCALAR and item not in (_STRING, _ARRAY):
            self.fail(f"array of unknown value type {item}")
        self.need(count * least, f"an array of {count:,} items")  # before any loop over the items
        if item in _SCALAR:
            self.pos += count * least
        else:
            for _ in range(count):
                self.value(item, depth + 1)
        return None


def check_gguf_header(path: Path) -> None:
    """BadInput naming the file unless its header is consistent with its size: every count, length,
    dimension and tensor extent fits inside the file. Reads the header only."""
    size = path.stat().st_size
    if size < 24:
        raise BadInput(path, f"truncated GGUF file ({size} bytes: shorter than a GGUF header)")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        if buf[:4] != b"GGUF":
            raise BadInput(path, "not a GGUF file (wrong magic)")
        order = "<" if struct.unpack_from("<I", buf, 4)[0] & 0xFFFF else ">"  # as gguf-py detects a swapped file
        walk = _Walk(path, buf, order)
        walk.pos = 4
        version = walk.u("I", "the version")
        if version not in SUPPORTED_VERSIONS:
            walk.fail(f"version {version} (supported: {', '.join(map(str, SUPPORTED_VERSIONS))})")
        n_tensors, n_kv = walk.u("Q", "the tensor count"), walk.u("Q", "the metadata count")
        walk.need(n_kv * 13, f"{n_kv:,} metadata entries")  # key length 8 + type 4 + at least 1 byte
        alignment = 32
        for i in range(n_kv):
            walk.where = f"metadata entry {i}"
            key = walk.string("a key")
            walk.where = f"metadata {key.decode('utf-8', 'replace')!r}"
            got = walk.value(walk.u("I", "a value type"))
            if key == b"general.alignment" and got is not None:
                alignment = got
        if alignment <= 0 or alignment & (alignment - 1):
            walk.fail(f"general.alignment {alignment} is not a power of two")
        walk.where = "tensor infos"
        walk.need(n_tensors * 24, f"{n_tensors:,} tensor infos")  # name length + dims + type + offset
        tensors = []
        for i in range(n_tensors):
            walk.where = f"tensor info {i}"
            walk.string("a tensor name")
            n_dims = walk.u("I", "a tensor's dimension count")
            if not 1 <= n_dims <= MAX_DIMS:
                walk.fail(f"{n_dims} dimensions (1 to {MAX_DIMS})")
            dims = [walk.u("Q", "a dimension") for _ in range(n_dims)]
            tensors.append((i, dims, walk.u("I", "a tensor type"), walk.u("Q", "a tensor offset")))
        data_start = -(-walk.pos // alignment) * alignment
    _check_extents(path, tensors, data_start, size)


def _check_extents(path: Path, tensors: list, data_start: int, size: int) -> None:
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    for i, dims, ttype, offset in tensors:
        try:
            block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(ttype)]
        except (ValueError, KeyError):
            raise BadInput(path, f"damaged GGUF header (tensor info {i}): unknown tensor type {ttype}") from None
        n = 1
        for d in dims:
            n *= d
        end = data_start + offset + n * type_size // block  # Python ints: no overflow
        if n % block or end > size:
            what = (f"{n:,} elements are not whole blocks of {block}" if n % block else
                    f"tensor data ends at byte {end:,}, file has {size:,}")
            raise BadInput(path, f"truncated or corrupt GGUF file (tensor {i}): {what}")
