"""Metric streams: append-only JSON Lines, one writer per file, readers that accept a torn tail.

A record is one JSON object on one line. Reserved keys start with `_`: `_time` (unix seconds),
`_step` (int, where the source has steps), `_runtime` (seconds since the run started). The other
keys are metric names (may contain `/`) mapped to numbers or small JSON values. NaN and ±Infinity
are written as the strings "NaN", "Infinity" and "-Infinity" so that every line is strict JSON
(`jq` reads it); `decode_value` turns them back into floats.

The file of a stream is `streams/<source>.jsonl`, or `streams/<source>.<part>.jsonl` when one
source has several writers (one per process); the source is the name up to the first dot.
Parts are one experiment's writers, merged by readers; a program's further wandb runs are
separate experiments, each a source of its own, `wandb-<id>` (collectors/wandb/reader.py).
"""
from __future__ import annotations

import errno
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

from runwrap.store.layout import STREAMS_DIR
from runwrap.store.values import FLOAT_MAX_INT, decode_value, to_json_safe, within_float

__all__ = ["decode_value", "encode_record", "append_whole", "StreamWriter", "StreamReader",
           "read_records", "stream_path", "stream_files", "source_of", "WANDB_RUN_PREFIX", "is_wandb_run_source"]

# The sources of a program's wandb runs after its first: each is an experiment of its own, so a
# consumer that puts every source's names in one space (MLflow's metric keys) keeps them apart.
WANDB_RUN_PREFIX = "wandb-"

_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


def encode_record(record: Dict[str, Any]) -> bytes:
    """One record as one line of strict JSON, newline included."""
    try:
        line = _dumps(record)
    except ValueError:  # NaN or ±Inf somewhere: take the slow path only then
        line = _dumps(to_json_safe(record))
    return (line + "\n").encode("utf-8", "surrogatepass")


# Distinct metric names one source may create in a run: far more than a real run logs, few
# enough that every reader and the summary stay small. Past it a source's new names are left
# out (counted in run.json); names it already has go on.
MAX_KEYS = 10_000


class KeyLimit:
    """The metric names a source has created, up to MAX_KEYS."""

    __slots__ = ("names", "limit", "dropped")

    def __init__(self, limit: int = MAX_KEYS):
        self.names: set = set()
        self.limit = limit
        self.dropped = 0  # values left out for being under a name past the limit

    def admit(self, values: Dict[str, Any]) -> int:
        """Remove from `values` (in place) the names past the limit; how many were removed.
        Reserved names (`_step`, ...) always pass."""
        names = self.names
        late = []
        for key in values:
            if key in names or key[:1] == "_":
                continue
            if len(names) < self.limit:
                names.add(key)
            else:
                late.append(key)
        if not late:
            return 0
        for key in late:
            del values[key]
        self.dropped += len(late)
        return len(late)


def stream_path(run_dir: Path, source: str, part: Optional[str] = None) -> Path:
    name = f"{source}.{part}.jsonl" if part else f"{source}.jsonl"
    return run_dir / STREAMS_DIR / name


def source_of(path: Path) -> str:
    return Path(path).name.split(".", 1)[0]


def is_wandb_run_source(source: str) -> bool:
    """Whether `source` is a further wandb run of the program (`wandb-<id>`)."""
    return source.startswith(WANDB_RUN_PREFIX)


def part_of(path: Path) -> Optional[str]:
    """The part a stream file belongs to (`stdout.3.jsonl`: "3"; `system.node1.jsonl`:
    "node1"), or None for a run's own `<source>.jsonl`."""
    name = Path(path).name
    if name.endswith(".jsonl"):
        name = name[:-len(".jsonl")]
    return name.split(".", 1)[1] if "." in name else None


def stream_files(run_dir: Path) -> List[Path]:
    """Every stream file of a run, sorted by name."""
    try:
        return sorted(p for p in (run_dir / STREAMS_DIR).iterdir() if p.name.endswith(".jsonl"))
    except OSError:
        return []


def append_whole(fd: int, data: bytes) -> None:
    """Append `data` (whole lines) to the O_APPEND file `fd`, all of it or none of it.

    A write to a filling disk can stop part-way (a short write, then ENOSPC). Then the file is
    cut back to where this append began, so no partial line is left for later lines to follow
    (`jq` and every reader need whole lines) and the space it took is free again. Raises the
    OSError; only when even the cut fails is a partial line left (`PartialLine`), which the
    caller closes with a newline before its next append.
    """
    written = os.write(fd, data)  # raises before writing anything, or writes some
    if written == len(data):
        return
    view = memoryview(data)[written:]
    try:
        while view:
            n = os.write(fd, view)
            written += n
            view = view[n:]
    except OSError as e:
        try:  # one writer per file: the partial append is the file's last `written` bytes
            os.ftruncate(fd, os.fstat(fd).st_size - written)
        except OSError:
            raise PartialLine(e.errno, e.strerror) from e
        raise


class PartialLine(OSError):
    """An append failed part-way and the partial line could not be cut off."""


class StreamWriter:
    """Appends records to one stream file. Each record is a single write(2) to an O_APPEND file,
    so a record that `write` returned from is in the kernel and survives a SIGKILL of the writer.
    A failed append leaves nothing behind (`append_whole`): every line stays a whole record.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: Optional[int] = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._torn = False  # a failed append left a partial line that could not be cut off

    def write(self, record: Dict[str, Any]) -> None:
        self.write_bytes(encode_record(record))

    def write_many(self, records: Iterable[Dict[str, Any]]) -> None:
        data = b"".join(encode_record(r) for r in records)
        if data:
            self.write_bytes(data)

    def write_bytes(self, data: bytes) -> None:
        """Append already-encoded lines. Raises OSError (ENOSPC, EBADF...) to the caller."""
        if self._fd is None:
            raise OSError(errno.EBADF, f"stream {self.path.name} is closed")
        if self._torn:
            # Close the partial line a failed write left, so it spoils only itself.
            data = b"\n" + data
        try:
            append_whole(self._fd, data)
        except PartialLine:
            self._torn = True
            raise
        self._torn = False

    def fsync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class StreamReader:
    """Reads a stream file that may still be growing, resuming where the last `read` stopped.

    The last line may be half-written (the writer is mid-write, or was killed): it is not
    consumed, and `offset` stays at its start so the next `read` picks it up once complete. A
    complete line that is not a JSON object is skipped and counted in `skipped`.
    """

    CHUNK = 1 << 20

    def __init__(self, path: Path, offset: int = 0):
        self.path = Path(path)
        self.offset = offset
        self.skipped = 0

    def read(self) -> Iterator[Dict[str, Any]]:
        try:
            f = open(self.path, "rb")
        except OSError:
            return
        with f:
            f.seek(self.offset)
            rest = b""
            while True:
                chunk = f.read(self.CHUNK)
                if not chunk:
                    return
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()  # incomplete (or empty) tail
                for line in lines:
                    self.offset += len(line) + 1
                    record = parse_line(line)
                    if record is None:
                        if line.strip():
                            self.skipped += 1
                        continue
                    yield record


def parse_line(line: bytes) -> Optional[Dict[str, Any]]:
    try:
        # Decoding first: json.loads(bytes) would detect the encoding again on every line.
        text = line.decode("utf-8")
        if len(text) > _LONGEST_FLOAT_INT and _HUGE_INT.search(text):
            record = json.loads(text, parse_int=_parse_int)
        else:
            record = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
        return None
    return record if isinstance(record, dict) else None


# An int of more digits than float64's largest may be past its range: such a line (written by
# an older runwrap, or by hand) is read with ints past float64 as ±Infinity (within_float), so
# no reader meets an int it cannot turn into a float.
_LONGEST_FLOAT_INT = len(str(FLOAT_MAX_INT))
_HUGE_INT = re.compile(r"\d{%d}" % _LONGEST_FLOAT_INT)


def _parse_int(text: str) -> Union[int, float]:
    if len(text.lstrip("-")) < _LONGEST_FLOAT_INT:
        return int(text)
    try:
        return within_float(int(text))
    except ValueError:  # past Python's 4300-digit limit for int()
        return math.inf if text[0] != "-" else -math.inf


def read_records(path: Path) -> Iterator[Dict[str, Any]]:
    """Every complete record of a stream file, in order."""
    return StreamReader(path).read()
