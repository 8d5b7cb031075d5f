"""A file another process is writing, read line by line as it grows: a resumable reader with
an offset (like TensorBoard's event file loaders), which also notices the file being
rewritten under it.

- Growth is read from where the last read stopped. A last line without its newline is a write
  in progress: it is held back until its newline arrives (or, at the final read, taken as is).
- A file can be rewritten in place (`open(path, "w")`, pandas' `to_csv` every epoch). Whether
  it was is decided from a hash of everything read so far, and the last bytes read, which are
  checked again whenever the file's size or mtime changes:
    * shrunk below what was read: wait up to REWRITE_WAIT for it to grow back, then
    * the old content is still its start (a rewrite that repeats what was there and adds
      more): go on from where reading stopped, nothing is read twice;
    * otherwise (a program that restarted its log): read again from the start.
- `restarted` is set when reading went back to the start, so the caller can forget what it
  learned from the old content (a CSV header).
- A tail can be parked (its descriptor closed, its position kept) and unparked on the same file
  opened again, so that a caller can follow more files than it may hold open.
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import List, Optional

CHUNK = 1 << 20
MAX_LINE = 1 << 20  # a line longer than this is dropped (and counted in `long_lines`)
REWRITE_WAIT = 0.5  # seconds a shrunk file may take to grow back to what was read
HASH_LIMIT = 256 << 20  # beyond this, old content is not hashed; only its last bytes checked
TAIL_BYTES = 64


def _hash_range(fd: int, length: int) -> Optional["hashlib._Hash"]:
    """A hash of the first `length` bytes of `fd`; None if the file is shorter."""
    h = hashlib.blake2b(digest_size=16)
    pos = 0
    while pos < length:
        data = os.pread(fd, min(CHUNK, length - pos), pos)
        if not data:
            return None
        h.update(data)
        pos += len(data)
    return h


class FileTail:
    """Complete lines of one open file, as they are written."""

    def __init__(self, fd: int, offset: int = 0):
        self.fd: Optional[int] = fd  # None while parked (see `park`)
        self.offset = offset  # bytes consumed, the held-back partial line included
        self.partial = b""
        self.too_long = False  # inside a line already dropped as too long
        self.long_lines = 0
        self.restarted = False
        self.unterminated = False  # the last line `read` returned had no newline (final only)
        self._hash = _hash_range(fd, offset) if offset <= HASH_LIMIT else None
        self._last = os.pread(fd, min(offset, TAIL_BYTES), offset - min(offset, TAIL_BYTES))
        self._seen = self._stamp()
        self._shrunk_at: Optional[float] = None

    def _stamp(self) -> tuple:
        st = os.fstat(self.fd)
        return st.st_size, st.st_mtime_ns

    def park(self) -> int:
        """Give up the descriptor (returned, for the caller to close) and keep the position:
        a caller following more files than it may hold open parks the idle ones."""
        fd, self.fd = self.fd, None
        return fd

    def changed_since_parked(self, st: os.stat_result) -> bool:
        """Whether the file, as `os.stat` now sees it, holds anything not read yet: it differs
        from when it was last read (or was parked before its first read)."""
        return (st.st_size != self.offset or (st.st_size, st.st_mtime_ns) != self._seen
                or self._shrunk_at is not None)

    def unpark(self, fd: int) -> None:
        """Go on in `fd`, the same file opened again; a rewrite meanwhile is noticed by the
        next `read` as ever (its size and mtime differ from what was last seen)."""
        self.fd = fd

    def read(self, final: bool = False) -> List[bytes]:
        """The lines completed since the last read, without their newlines."""
        self.unterminated = False
        stamp = self._stamp()
        size = stamp[0]
        if stamp != self._seen or self._shrunk_at is not None:
            self._seen = stamp
            if not self._check_rewrite(size, final):
                return []
        lines: List[bytes] = []
        while self.offset < size:
            data = os.pread(self.fd, CHUNK, self.offset)
            if not data:
                break
            self._consumed(data)
            parts = (self.partial + data).split(b"\n")
            self.partial = parts.pop()
            if self.too_long:
                if parts:
                    parts.pop(0)  # the end of the dropped line
                    self.too_long = False
                else:
                    self.partial = b""
            if len(self.partial) > MAX_LINE:
                self.long_lines += 1
                self.partial, self.too_long = b"", True
            lines.extend(parts)
        if final and self.partial and not self.too_long:
            # The writer is gone: a last line without newline is as complete as it gets.
            lines.append(self.partial)
            self.partial = b""
            self.unterminated = True
        return lines

    def continues_in(self, fd: int) -> bool:
        """Whether the file open as `fd` starts with everything read here (a file replaced by
        a longer copy of itself, e.g. written to a temporary name and renamed over)."""
        if self._hash is None or not self.offset:
            return False
        other = _hash_range(fd, self.offset)
        return other is not None and other.digest() == self._hash.digest()

    def move_to(self, fd: int) -> None:
        """Go on reading in `fd`, which `continues_in` approved; the old descriptor is the
        caller's to close."""
        self.fd = fd
        self._seen = self._stamp()
        self._shrunk_at = None

    def _consumed(self, data: bytes) -> None:
        if self._hash is not None:
            if self.offset + len(data) > HASH_LIMIT:
                self._hash = None
            else:
                self._hash.update(data)
        self.offset += len(data)
        self._last = (self._last + data)[-TAIL_BYTES:]

    def _check_rewrite(self, size: int, final: bool) -> bool:
        """False while a shrunk file is given time to grow back."""
        if not self.offset:
            return True
        if size < self.offset:
            if self._shrunk_at is None:
                self._shrunk_at = time.monotonic()
            if not final and time.monotonic() - self._shrunk_at < REWRITE_WAIT:
                return False
            self._restart()
            return True
        was_shrunk, self._shrunk_at = self._shrunk_at is not None, None
        start = self.offset - len(self._last)
        if not was_shrunk and os.pread(self.fd, len(self._last), start) == self._last:
            return True  # plain growth (or an mtime touch): the usual case, one small read
        same = _hash_range(self.fd, self.offset)
        if self._hash is None or same is None or same.digest() != self._hash.digest():
            self._restart()
        return True

    def _restart(self) -> None:
        self.offset = 0
        self.partial = b""
        self.too_long = False
        self.restarted = True
        self._hash = hashlib.blake2b(digest_size=16)
        self._last = b""
        self._shrunk_at = None
