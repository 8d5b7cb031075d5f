"""wandb's transaction log (`run-<id>.wandb`): a resumable reader of a file that may still grow.

The format, as wandb's own writer and reader define it (`wandb/sdk/internal/datastore.py` up to
wandb 0.22; the Go `wandb-core` writes the same bytes since): LevelDB's log format with a header
and a different checksum.

    file   := header block*
    header := ident ":W&B" (4 bytes) | magic 0xBEE1 (uint16) | version 0 (uint8)     (7 bytes)
    block  := 32 KiB (the header counts towards the first), records, then a zero trailer
              when fewer than 7 bytes are left
    record := checksum (uint32) | length (uint16) | type (uint8) | data[length]
              checksum = CRC-32 (zlib's, not LevelDB's masked CRC-32C) of type byte + data
              type: FULL 1 (a whole message), or FIRST 2, MIDDLE 3..., LAST 4 (one message
              split across blocks)

All little-endian. A message is one serialized `wandb.proto.wandb_internal_pb2.Record`.

`LogReader.read()` yields every complete message after `offset`. Like the TensorBoard reader
(tensorboard/framing.py), two states are normal:

- a half-written tail (wandb flushes as it goes; a record is often cut mid-way, or a message
  has its FIRST fragment on disk and not yet its LAST): nothing is yielded for it, and the next
  `read()` finishes it once the rest is there. Fragments already checked are kept, not reread.
- damage (a checksum that fails, a length past the block, a fragment out of order): counted
  once per stretch in `corrupt`, and reading resumes at the next place a record validates.
  wandb's own reader stops at the first bad record; LevelDB's drops the rest of the block. We
  scan for the next valid record byte by byte, because a file with bytes cut out of its middle
  no longer has its records where the block grid says.
"""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Iterator, List, Optional

__all__ = ["LogReader", "encode_log", "HEADER", "BLOCK", "FULL", "FIRST", "MIDDLE", "LAST",
           "FORMAT_VERSION"]

IDENT = b":W&B"
MAGIC = 0xBEE1  # zlib.crc32(b"Weights & Biases") & 0xffff, wandb's choice
FORMAT_VERSION = 0
HEADER = struct.pack("<4sHB", IDENT, MAGIC, FORMAT_VERSION)
BLOCK = 32768
RECORD_HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4

_record_header = struct.Struct("<IHB").unpack_from
# The checksum covers the type byte then the data: start each CRC from the type byte's CRC.
_TYPE_CRC = [zlib.crc32(bytes([t])) for t in range(5)]
CHUNK = 1 << 20


class UnreadableLog(Exception):
    """The file is not a wandb transaction log this reader knows (ident, magic or version)."""

    def __init__(self, message: str, version: Optional[int] = None):
        super().__init__(message)
        self.version = version


class LogReader:
    """The messages of one `.wandb` file, read as it grows, resuming at `offset`."""

    def __init__(self, path: "Path | str"):
        self.path = Path(path)
        self.offset = 0  # bytes consumed (always at a record boundary, or the header's end)
        self.corrupt = 0  # damaged stretches skipped, each counted once
        self.skipped_bytes = 0
        self.unreadable: Optional[UnreadableLog] = None  # set once: the file is not readable
        self._fragments: List[bytes] = []  # a message's FIRST/MIDDLE parts read so far
        self._damaged = False  # scanning for the next valid record
        self._damage_start = 0

    @property
    def pending(self) -> bool:
        """Whether the file ends inside a message (a write in progress, or a cut-off log)."""
        return bool(self._fragments)

    def read(self) -> Iterator[bytes]:
        """Every new complete message, in order. Never raises on bad data or a missing file."""
        if self.unreadable is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            size = os.fstat(fd).st_size
            if size < self.offset:  # shorter than what was read: replaced; start it over
                self.offset = 0
                self._fragments = []
                self._damaged = False
            if self.offset == 0:
                head = os.pread(fd, RECORD_HEADER, 0)
                if len(head) < RECORD_HEADER:
                    return  # the header is still being written
                self._check_header(head)
                if self.unreadable is not None:
                    return
                self.offset = RECORD_HEADER
            yield from self._messages(fd, size)
        finally:
            os.close(fd)

    def _check_header(self, head: bytes) -> None:
        ident, magic, version = struct.unpack("<4sHB", head)
        if ident != IDENT or magic != MAGIC:
            self.unreadable = UnreadableLog(f"{self.path.name} is not a wandb transaction log")
        elif version != FORMAT_VERSION:
            self.unreadable = UnreadableLog(f"{self.path.name} has log format version "
                                            f"{version}; runwrap reads version "
                                            f"{FORMAT_VERSION}", version)

    def _messages(self, fd: int, size: int) -> Iterator[bytes]:
        base = self.offset  # file offset of buf[0]
        buf = os.pread(fd, min(CHUNK, size - base), base)
        pos = 0
        while True:
            at = base + pos
            if len(buf) - pos < BLOCK and base + len(buf) < size:
                # Keep at least a block ahead in memory (a record never spans more).
                buf = buf[pos:] + os.pread(fd, min(CHUNK, size - base - len(buf)),
                                           base + len(buf))
                base = at
                pos = 0
            if self._damaged:
                found = self._scan(buf, pos, base, size)
                if found is not None:
                    pos = found - base
                    continue
                if base + len(buf) >= size:
                    return  # nothing valid yet: scan on from `offset` next time
                pos = self.offset - base  # more of the file to scan: read it in
                buf = buf[pos:] + os.pread(fd, min(CHUNK, size - base - len(buf)),
                                           base + len(buf))
                base = self.offset
                pos = 0
                continue
            left = BLOCK - at % BLOCK
            if left < RECORD_HEADER:  # the block's trailer
                if at + left > size:
                    return
                if buf[pos:pos + left] == bytes(left):
                    pos += left
                    self.offset = base + pos
                    continue
                # Not zeros: bytes were cut out before here and the grid no longer fits the
                # file; records are still records, and their checksums say so.
            if len(buf) - pos < RECORD_HEADER:
                return  # a record header still being written
            crc, length, kind = _record_header(buf, pos)
            end = pos + RECORD_HEADER + length
            if 0 < kind <= LAST and length <= BLOCK - RECORD_HEADER:
                if end > len(buf):
                    return  # its data is still being written
                data = buf[pos + RECORD_HEADER:end]
                if zlib.crc32(data, _TYPE_CRC[kind]) == crc:
                    pos = end
                    message = self._assemble(kind, data, at)
                    self.offset = base + pos  # before yielding: a yielded message is consumed
                    if message is not None:
                        yield message
                    continue
            trailer = _zero_run(buf, pos)
            if trailer and _valid_at(buf, pos + trailer):
                pos += trailer  # a trailer off the grid (see above)
                self.offset = base + pos
                continue
            self._damage(at)

    def _assemble(self, kind: int, data: bytes, at: int) -> Optional[bytes]:
        """The whole message once its last fragment is in, else None (fragments are kept)."""
        if kind == FULL:
            if self._fragments:  # a FIRST whose LAST never came: that message is lost
                self._fragments = []
                self._count_damage(at)
            return data
        if kind == FIRST:
            if self._fragments:
                self._count_damage(at)
            self._fragments = [data]
            return None
        if not self._fragments:  # MIDDLE or LAST of a message whose start was lost
            self._count_damage(at)
            return None
        self._fragments.append(data)
        if kind == MIDDLE:
            return None
        message = b"".join(self._fragments)
        self._fragments = []
        return message

    def _count_damage(self, at: int) -> None:
        self.corrupt += 1
        self._damage_start = at

    def _damage(self, at: int) -> None:
        self._count_damage(at)
        self._fragments = []
        self._damaged = True
        self.offset = at + 1

    def _scan(self, buf: bytes, pos: int, base: int, size: int) -> Optional[int]:
        """The file offset of the next record at or after `self.offset` that validates, with
        `_damaged` cleared; None when the bytes ran out first (`offset` is where to go on).

        A record header has no checksum of its own, so a plausible header whose data runs past
        the end of the file may be garbage as well as a record still being written: scanning
        goes on past it, and only if nothing after it validates is it kept as the place to
        look again next time."""
        pos = max(pos, self.offset - base)
        n = len(buf)
        waiting: Optional[int] = None  # the first candidate cut off by the end of the file
        while pos + RECORD_HEADER <= n:
            kind = buf[pos + 6]
            if 0 < kind <= LAST:
                crc, length, _ = _record_header(buf, pos)
                end = pos + RECORD_HEADER + length
                if length > BLOCK - RECORD_HEADER:
                    pass
                elif end > n:
                    if base + n < size:  # more of the file to read in first
                        self.offset = base + (pos if waiting is None else waiting)
                        return None
                    if waiting is None:
                        waiting = pos
                elif zlib.crc32(buf[pos + RECORD_HEADER:end], _TYPE_CRC[kind]) == crc:
                    self._damaged = False
                    self.skipped_bytes += base + pos - self._damage_start
                    self.offset = base + pos
                    return base + pos
            pos += 1
        self.offset = base + (pos if waiting is None else waiting)
        return None


def _zero_run(buf: bytes, pos: int) -> int:
    """How many zero bytes (fewer than a record header) start at `pos`; 0 if not that."""
    n = 0
    while n < RECORD_HEADER and pos + n < len(buf) and buf[pos + n] == 0:
        n += 1
    return n if n < RECORD_HEADER else 0


def _valid_at(buf: bytes, pos: int) -> bool:
    """Whether a whole record that checksums starts at `pos` of `buf`."""
    if pos + RECORD_HEADER > len(buf):
        return False
    crc, length, kind = _record_header(buf, pos)
    end = pos + RECORD_HEADER + length
    return (0 < kind <= LAST and end <= len(buf)
            and zlib.crc32(buf[pos + RECORD_HEADER:end], _TYPE_CRC[kind]) == crc)


def encode_log(messages: List[bytes], version: int = FORMAT_VERSION) -> bytes:
    """A whole log holding `messages`, framed exactly as wandb frames them (for tests and the
    benchmark's synthetic files; real files come from wandb itself)."""
    out = bytearray(struct.pack("<4sHB", IDENT, MAGIC, version))
    for message in messages:
        data = memoryview(message)
        first = True
        while True:
            left = BLOCK - len(out) % BLOCK
            if left < RECORD_HEADER:
                out += b"\0" * left
                left = BLOCK
            room = left - RECORD_HEADER
            piece, data = data[:room], data[room:]
            last = not data
            kind = FULL if first and last else FIRST if first else LAST if last else MIDDLE
            out += struct.pack("<IHB", zlib.crc32(piece, _TYPE_CRC[kind]), len(piece), kind)
            out += piece
            first = False
            if last:
                break
    return bytes(out)
