"""TFRecord framing, as TensorBoard event files use it: a resumable reader of a growing file.

Each record is `uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)`,
little-endian, where masked(c) = rotate_right(c, 15) + 0xa282ead8 (mod 2**32).

`RecordReader.read()` yields every complete, CRC-valid record after `offset` and leaves `offset`
just past the last one it yielded. Two states are normal, not errors:

- a half-written last record (writers flush through a buffer, tensorboardX's is 8 KiB, so a
  record is often cut mid-way): nothing is yielded for it and `offset` stays at its start, so
  the next `read()` finishes it once the rest is on disk;
- a corrupted stretch (a header or data CRC that fails): it is counted once in `corrupt`, its
  bytes in `skipped_bytes`, and reading resumes at the next position where a whole record
  validates. TensorBoard's own loader retries the bad record forever; we move on.

Why a C CRC, and why optional: CRC-32C of a scalar event in pure Python costs many times what
it costs in C, and reading is mostly that: the whole reader (framing + decoding, every CRC
checked) runs at a fraction of its C-CRC speed with the pure-Python CRC
(benchmarks/tensorboard_read.py measures both beside TensorBoard's EventFileLoader; the figures
are in docs/benchmarks.md).
The C implementations are well kept: `google-crc32c` (Apache-2.0, Google's, wheels for every
common platform; preferred) or `crc32c` (LGPL). Neither is a runtime dependency: a live run
writes far fewer values per second than even the fallback reads, so only bulk imports need the
speed, and `pip install 'runwrap[tensorboard]'` brings it. The pure-Python table is the fallback,
tested to give the same records. The header CRC depends only on the length, and scalar events
have a handful of distinct lengths, so each length's CRC is computed once and remembered: every
record's header and data are still checked.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

__all__ = ["RecordReader", "crc32c", "masked_crc", "encode_record", "CRC_IMPLEMENTATION"]

HEADER = 12  # uint64 length + uint32 masked CRC of the length
FOOTER = 4  # uint32 masked CRC of the data
MAX_LENGTH = 1 << 31  # protobuf messages are < 2 GiB; a larger "length" is garbage
_MASK_DELTA = 0xA282EAD8

_header = struct.Struct("<QI")
_u32 = struct.Struct("<I").unpack_from
_u64 = struct.Struct("<Q")


def _python_table() -> List[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1  # reflected Castagnoli polynomial
        table.append(c)
    return table


_TABLE: Optional[List[int]] = None


def crc32c_python(data: bytes, crc: int = 0) -> int:
    """CRC-32C (Castagnoli) in pure Python: correct everywhere, far slower than C."""
    global _TABLE
    table = _TABLE
    if table is None:
        table = _TABLE = _python_table()
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _pick_crc32c() -> "tuple[Callable[[bytes], int], str]":
    try:
        import google_crc32c  # optional extra (tensorboard)

        if google_crc32c.implementation == "c":
            return google_crc32c.value, "google-crc32c"
    except (ImportError, AttributeError):
        pass
    try:
        import crc32c as _crc32c_pkg  # optional: another C CRC package, if installed

        return _crc32c_pkg.crc32c, "crc32c"
    except (ImportError, AttributeError):
        pass
    return crc32c_python, "python"


crc32c, CRC_IMPLEMENTATION = _pick_crc32c()


def masked_crc(data: bytes, crc_function: Callable[[bytes], int] = crc32c) -> int:
    c = crc_function(data)
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One framed record (what a writer appends); used by tests and benchmarks."""
    length = _u64.pack(len(data))
    return b"".join((length, struct.pack("<I", masked_crc(length)), data,
                     struct.pack("<I", masked_crc(data))))


class RecordReader:
    """Reads the records of one file that may still be growing, resuming at `offset`."""

    CHUNK = 1 << 20

    def __init__(self, path: "Path | str", offset: int = 0,
                 crc_function: Optional[Callable[[bytes], int]] = None):
        self.path = Path(path)
        self.offset = offset
        self.corrupt = 0  # corrupted stretches skipped (each counted once)
        self.skipped_bytes = 0
        self._crc = crc_function or crc32c
        # True while `offset` points into a corrupted stretch (or at a candidate record found
        # after one that is not complete yet): the next read keeps scanning from there.
        self._resyncing = False
        self._scan_start = offset  # where the current corrupted stretch began
        self._length_crc: Dict[int, int] = {}  # length -> its masked CRC, computed once each

    def read(self) -> Iterator[bytes]:
        """Every new complete record, in order. Never raises on bad data or a missing file."""
        try:
            f = open(self.path, "rb")
        except OSError:
            return
        with f:
            try:
                if os.fstat(f.fileno()).st_size < self.offset:
                    # Shorter than what we read: the file was replaced. Start it over.
                    self.offset = 0
                    self._resyncing = False
                f.seek(self.offset)
            except OSError:
                return
            yield from self._records(f)

    def _records(self, f) -> Iterator[bytes]:
        crc = self._crc
        length_crc = self._length_crc
        header = _header.unpack_from
        mask = _MASK_DELTA
        buf = b""
        base = self.offset  # file offset of buf[0]
        pos = 0
        need = HEADER
        while True:
            try:
                chunk = f.read(max(self.CHUNK, need))
            except OSError:
                return
            if not chunk:
                return  # EOF: whatever is left is a record still being written
            buf = buf[pos:] + chunk if pos < len(buf) else chunk
            base += pos
            pos = 0
            n = len(buf)
            if self._resyncing:
                pos = self._resync(buf, 0, base)
                if self._resyncing:
                    need = HEADER  # keep scanning once more bytes arrive
                    continue
            while True:
                if n - pos < HEADER:
                    need = HEADER
                    break
                length, stored = header(buf, pos)
                expected = length_crc.get(length)
                if expected is None:
                    if length >= MAX_LENGTH:
                        expected = -1
                    else:
                        c = crc(buf[pos:pos + 8])
                        expected = (((c >> 15) | (c << 17)) + mask) & 0xFFFFFFFF
                        if len(length_crc) < 4096:
                            length_crc[length] = expected
                if expected != stored:
                    pos = self._enter_resync(buf, pos, base)
                    if self._resyncing:
                        need = HEADER
                        break
                    continue
                end = pos + HEADER + length
                if end + FOOTER > n:
                    need = end + FOOTER - pos  # half-written record: wait for the rest
                    break
                data = buf[pos + HEADER:end]
                c = crc(data)
                if (((c >> 15) | (c << 17)) + mask) & 0xFFFFFFFF != _u32(buf, end)[0]:
                    pos = self._enter_resync(buf, pos, base)
                    if self._resyncing:
                        need = HEADER
                        break
                    continue
                pos = end + FOOTER
                self.offset = base + pos  # before yielding: a yielded record is consumed
                yield data

    def _enter_resync(self, buf: bytes, pos: int, base: int) -> int:
        self.corrupt += 1
        self._resyncing = True
        self._scan_start = base + pos
        return self._resync(buf, pos + 1, base)

    def _resync(self, buf: bytes, pos: int, base: int) -> int:
        """Scan `buf` from `pos` for the next offset where a whole record validates.

        Returns the position to continue normal reading from (with `_resyncing` cleared), or,
        when the buffer ran out first, the position to rescan from next time (offset updated,
        `_resyncing` still set). A candidate whose header validates but whose data is not all
        there yet is kept as the resume point: it may be the real record still being written.
        """
        crc = self._crc
        n = len(buf)
        while True:
            # A real length is < 2**31, so its upper four bytes are zero: let C find those.
            z = buf.find(b"\0\0\0\0", pos + 4)
            if z < 0 or z - 4 + HEADER > n:
                pos = max(pos, n - HEADER + 1) if z < 0 else z - 4
                self.offset = base + pos
                return pos
            q = z - 4
            length, stored = _header.unpack_from(buf, q)
            if length < MAX_LENGTH and masked_crc(buf[q:q + 8], crc) == stored:
                end = q + HEADER + length
                if end + FOOTER > n:
                    self.offset = base + q  # maybe a record still being written: wait
                    return q
                if masked_crc(buf[q + HEADER:end], crc) == _u32(buf, end)[0]:
                    self._resyncing = False
                    self.skipped_bytes += base + q - self._scan_start
                    self.offset = base + q
                    return q
            pos = q + 1
