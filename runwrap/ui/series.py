"""Metric series held in memory for the dashboard, read from the run's streams by byte offset.

Every stream file is read once from the start and then only from where the last read stopped
(`store.streams.StreamReader`, which leaves a torn last line for the next read), so a chart of
a growing run costs the new bytes only. Each metric keeps three parallel `array('d')` columns
(step, wall time, value): 24 bytes a point, and slices that `min`/`max` scan in C when the
chart is downsampled.

A metric may be written by several files of one source (one per process: `sdk.<part>.jsonl`)
and by several sources (`loss` from stdout and from the SDK). A run's series of a metric comes
from the first source in the summary's priority order that has it, its files merged by x.
"""
from __future__ import annotations

import json
import math
import os
import sys
import threading
from array import array
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

try:  # the `ui` extra: parses a stream about twice as fast as the json module
    from orjson import loads as _loads
except ImportError:
    _loads = json.loads

from runwrap.store.media import MediaEntry, is_reference
from runwrap.store.streams import StreamReader, part_of, source_of, stream_files
from runwrap.store.summary import PRIORITY
from runwrap.store.values import NONFINITE
from runwrap.ui.downsample import Blocks, Points, shape_indices

X_MODES = ("step", "wall", "relative")
# Shorter columns keep no blocks: at the fewest buckets a chart asks for (64) a bucket of them
# is a few dozen values, scanned as fast as their blocks would be (the series cache's shapes
# are this short).
BLOCKS_FROM = 8192
CHUNK = 8 << 20  # bytes of a stream parsed at once
# json.loads (without orjson) reads a bare int of any size: one past float64 (written by an
# older runwrap, or by hand) is no chart material, like the infinities the store now writes.
FLOAT_MAX = sys.float_info.max


class Column:
    """One metric of one stream file: its finite points in the order they were written."""

    __slots__ = ("steps", "times", "values", "ordered", "blocks", "dropped")

    def __init__(self) -> None:
        self.steps = array("d")
        self.times = array("d")
        self.values = array("d")
        self.ordered = True  # steps never went down (else a reader sorts a copy)
        self.blocks = Blocks()
        # Points of the file not held: a column restored from the series cache holds only the
        # shape of what came before (shape_indices); what was appended since is held whole.
        self.dropped = 0

    def shape(self, buckets: int) -> "Column":
        """This column with only the points that keep its shape in `buckets` buckets."""
        blocks = self.blocks.extend(self.values) if len(self) >= BLOCKS_FROM else None
        kept = shape_indices(self.values, blocks, 0, len(self), buckets)
        out = Column()
        out.ordered = self.ordered
        out.dropped = self.dropped + len(self) - len(kept)
        if len(kept) == len(self):
            out.steps, out.times, out.values = array("d", self.steps), array("d", self.times), \
                array("d", self.values)
        else:
            out.steps = array("d", [self.steps[i] for i in kept])
            out.times = array("d", [self.times[i] for i in kept])
            out.values = array("d", [self.values[i] for i in kept])
        return out

    def __len__(self) -> int:
        return len(self.values)

    def add(self, step: float, t: float, value: float) -> None:
        if self.steps and step < self.steps[-1]:
            self.ordered = False
        self.steps.append(step)
        self.times.append(t)
        self.values.append(value)


class StreamState:
    """How far a StreamColumns has read its file, as the series cache keeps it: the file's size
    and modification time when last looked at, the offset reading stopped at and the bytes just
    before it (a grown file ends the same way there; another file does not), the records read,
    and each metric's column, its shape kept, and the media keys."""

    __slots__ = ("name", "size", "mtime_ns", "offset", "tail", "records", "skipped", "columns",
                 "media")

    def __init__(self, name: str, size: int, mtime_ns: int, offset: int, tail: bytes,
                 records: int, skipped: int, columns: Dict[str, Column],
                 media: Dict[str, MediaEntry]) -> None:
        self.name, self.size, self.mtime_ns, self.offset, self.tail = name, size, mtime_ns, offset, tail
        self.records, self.skipped, self.columns, self.media = records, skipped, columns, media


TAIL = 64  # bytes before the read offset a StreamState keeps


class StreamColumns:
    """A stream file as columns, read incrementally: `refresh()` appends what the file gained."""

    def __init__(self, path: Path, state: Optional[StreamState] = None) -> None:
        self.path = path
        self.source = source_of(path)
        self.reader = StreamReader(path)
        self.columns: Dict[str, Column] = {}
        self.media: Dict[str, MediaEntry] = {}  # logged images, tables...: their last file
        self.records = 0
        self.size = -1  # the file size at the last refresh; unchanged size means nothing new
        self.mtime_ns = 0
        self.tail = b""  # the last TAIL bytes before reader.offset
        if state is not None:  # go on from where a cached read stopped
            self.columns, self.media, self.records = state.columns, state.media, state.records
            self.reader.offset, self.reader.skipped, self.tail = state.offset, state.skipped, state.tail

    def state(self, buckets: int) -> StreamState:
        """What the series cache keeps of this stream: its columns' shapes in `buckets` buckets."""
        return StreamState(self.path.name, self.size, self.mtime_ns, self.reader.offset, self.tail,
                           self.records, self.reader.skipped,
                           {k: c.shape(buckets) for k, c in self.columns.items()},
                           dict(self.media))

    def refresh(self) -> bool:
        """Read what was appended since the last call; True when records were added."""
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        if st.st_size == self.size:
            return False
        self.size, self.mtime_ns = st.st_size, st.st_mtime_ns
        before = self.records
        while True:
            records = self._next_records()
            if not records:
                break
            self._add(records)
        for column in self.columns.values():
            if len(column) >= BLOCKS_FROM:  # here, off the path of the chart that needs them
                column.blocks.extend(column.values)
        return self.records != before

    def _next_records(self) -> List[Dict[str, Any]]:
        """The next complete records after the reader's offset, up to about CHUNK bytes.

        One json.loads over a block of lines parses about twice as fast as one call a line; a
        block with a damaged line goes through the reader's line-by-line parse instead."""
        reader = self.reader
        try:
            with open(self.path, "rb") as f:
                f.seek(reader.offset)
                data = f.read(CHUNK)
                if len(data) == CHUNK and b"\n" not in data:
                    data += f.readline()  # one line longer than a chunk
        except OSError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []  # only a torn line so far: wait for the rest
        self.tail = (self.tail + data[max(0, end + 1 - TAIL):end + 1])[-TAIL:]
        try:
            records = _loads(b"[" + data[:end].replace(b"\n", b",") + b"]")
        except ValueError:
            records = None
        if records is None or not all(r.__class__ is dict for r in records):
            reader_end = reader.offset + end + 1
            out = []
            for record in reader.read():  # counts what it skips in reader.skipped
                out.append(record)
                if reader.offset >= reader_end:
                    break
            return out
        reader.offset += end + 1
        return records

    def _add(self, records: List[Dict[str, Any]]) -> None:
        columns = self.columns
        index = self.records
        self.records += len(records)
        nonfinite = NONFINITE
        numbers = (int, float)
        for record in records:
            step = record.get("_step")
            t = record.get("_time")
            if step.__class__ not in numbers or not -FLOAT_MAX <= step <= FLOAT_MAX:
                step = index  # a source without steps (the system sampler): its sample number
            if t.__class__ not in numbers:
                t = math.nan
            index += 1
            for key, value in record.items():
                if key[0] == "_":
                    continue
                kind = value.__class__
                if kind is not float and kind is not int:
                    if kind is str:
                        value = nonfinite.get(value)
                        if value is None:
                            continue
                    else:
                        if kind is dict and is_reference(value):
                            self._add_media(key, value, record.get("_step"))
                        continue  # bools, strings, lists: not chart material
                if not -FLOAT_MAX <= value <= FLOAT_MAX:
                    continue  # NaN, infinities, ints past float64: nothing to draw
                column = columns.get(key)
                if column is None:
                    column = columns[key] = Column()
                column.add(step, t, value)

    def _add_media(self, key: str, reference: Dict[str, Any], step: Any) -> None:
        entry = self.media.get(key)
        if entry is None:
            entry = self.media[key] = MediaEntry(key, reference["_type"])
        entry.count += 1
        entry.last_step = step
        entry.last = reference


class RunSeries:
    """Every stream of one run, as columns; `refresh()` picks up new files and new lines.
    `saved`: the streams' states from the series cache, each checked against its file by the
    cache (a stream not in it is read from its start)."""

    def __init__(self, run_dir: Path, saved: Optional[Dict[str, StreamState]] = None,
                 job: bool = False) -> None:
        self.run_dir = Path(run_dir)
        self.streams: Dict[Path, StreamColumns] = {}
        self.lock = threading.Lock()
        self.version = 0  # bumped whenever any stream gained records
        self.saved = dict(saved or {})
        # A cluster job's parts are its tasks, each logging its own values at the same steps
        # (every rank's loss): merged by x they would zigzag between ranks, so a metric is
        # drawn from the lowest-ranked part that has it. Other runs' several files of a source
        # are one experiment's processes, merged.
        self.job = job

    def refresh(self) -> bool:
        with self.lock:
            grew = False
            for path in stream_files(self.run_dir):
                stream = self.streams.get(path)
                if stream is None:
                    stream = self.streams[path] = StreamColumns(path, self.saved.pop(path.name, None))
                grew = stream.refresh() or grew
            if grew:
                self.version += 1
            return grew

    @property
    def exact(self) -> bool:
        """Whether every point of every stream is held (none only as part of a cached shape)."""
        return not any(c.dropped for s in list(self.streams.values())
                       for c in list(s.columns.values()))

    def states(self, buckets: int) -> List[StreamState]:
        """Every stream's state, for the series cache (see StreamColumns.state)."""
        with self.lock:
            return [stream.state(buckets) for stream in self.streams.values()]

    # The readers below run beside a refresh in another thread: they iterate over copies of
    # the dicts a refresh may add to.
    def points_count(self) -> int:
        return sum(len(c) for s in list(self.streams.values()) for c in list(s.columns.values()))

    def metrics(self) -> Dict[str, List[str]]:
        """{source: sorted metric names} of every numeric metric seen so far."""
        out: Dict[str, set] = {}
        for stream in list(self.streams.values()):
            out.setdefault(stream.source, set()).update(list(stream.columns))
        return {s: sorted(m) for s, m in out.items()}

    def step_keys(self) -> List[str]:
        """The metrics that are the step of their own records (a console's `step=N`, a
        logged `epoch` that is the step given): charted against the step they are a line."""
        out = set()
        refused = set()
        for stream in list(self.streams.values()):
            for name, column in list(stream.columns.items()):
                if len(column) and column.values == column.steps:
                    out.add(name)
                elif len(column):
                    refused.add(name)
        return sorted(out - refused)

    def last_values(self) -> Dict[str, float]:
        """Each metric's last finite value, the higher-priority source winning."""
        out: Dict[str, float] = {}
        streams = list(self.streams.values())
        if self.job:  # the lowest-ranked part last: its values win
            streams.sort(key=lambda stream: _part_rank(stream.path), reverse=True)
        for source in reversed(_source_order(s.source for s in streams)):
            for stream in streams:
                if stream.source == source:
                    for name, column in list(stream.columns.items()):
                        if len(column):
                            out[name] = column.values[-1]
        return out

    def media(self) -> Dict[str, Dict[str, Any]]:
        """{key: {type, count, last_step, last}} of every media key logged so far."""
        out: Dict[str, Dict[str, Any]] = {}
        with self.lock:
            for stream in self.streams.values():
                for key, entry in stream.media.items():
                    mine = out.get(key)
                    if mine is None or (entry.last_step or 0) >= (mine["last_step"] or 0):
                        count = entry.count + (mine["count"] if mine else 0)
                        out[key] = dict(entry.as_dict(), count=count)
                    else:
                        mine["count"] += entry.count
        return out

    def columns_of(self, metric: str) -> List[Column]:
        """The columns of `metric` from the first source, in priority order, that has it."""
        by_source: Dict[str, List[Tuple[tuple, Column]]] = {}
        for stream in list(self.streams.values()):
            column = stream.columns.get(metric)
            if column is not None and len(column):
                by_source.setdefault(stream.source, []).append((_part_rank(stream.path), column))
        for source in _source_order(by_source):
            found = by_source[source]
            if self.job:
                first = min(rank for rank, _ in found)
                return [column for rank, column in found if rank == first]
            return [column for _, column in found]
        return []

    def points(self, metric: str, x: str, start_time: float, since: int = 0) -> Points:
        """The series of `metric` with x as `x` (step, wall or relative seconds), sorted by x.
        `since` skips the first points (a live update sends only what is new)."""
        with self.lock:
            columns = self.columns_of(metric)
            if not columns:
                return Points([], [])
            offset = start_time if x == "relative" else 0.0
            if len(columns) == 1 and since == 0 and (columns[0].ordered or x != "step"):
                column = columns[0]
                blocks = column.blocks.extend(column.values) if len(column) >= BLOCKS_FROM else None
                return Points(column.steps if x == "step" else column.times, column.values, offset,
                              blocks)
            pairs: List[Tuple[float, float]] = []
            for column in columns:
                source = column.steps if x == "step" else column.times
                pairs.extend(zip(source, column.values))
        pairs.sort(key=lambda p: p[0])
        if since:
            pairs = pairs[since:]
        return Points(array("d", (p[0] for p in pairs)), array("d", (p[1] for p in pairs)), offset)

    def count(self, metric: str) -> int:
        with self.lock:
            return sum(len(c) for c in self.columns_of(metric))


def _part_rank(path: Path) -> tuple:
    """Orders a run's stream files by part: the run's own file, then parts by number, then by name."""
    part = part_of(path)
    if part is None:
        return (0, 0, "")
    return (1, int(part), "") if part.isdigit() else (2, 0, part)


def _source_order(sources: Iterable[str]) -> List[str]:
    present = set(sources)
    return [s for s in PRIORITY if s in present] + sorted(present - set(PRIORITY))
