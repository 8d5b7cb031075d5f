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

import bisect
import json
import math
import os
import threading
from array import array
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from runwrap.store.streams import StreamReader, source_of, stream_files
from runwrap.store.summary import PRIORITY
from runwrap.store.values import NONFINITE

X_MODES = ("step", "wall", "relative")


class Column:
    """One metric of one stream file: its finite points in the order they were written."""

    __slots__ = ("steps", "times", "values", "ordered")

    def __init__(self) -> None:
        self.steps = array("d")
        self.times = array("d")
        self.values = array("d")
        self.ordered = True  # steps never went down (else a reader sorts a copy)

    def __len__(self) -> int:
        return len(self.values)

    def add(self, step: float, t: float, value: float) -> None:
        if self.steps and step < self.steps[-1]:
            self.ordered = False
        self.steps.append(step)
        self.times.append(t)
        self.values.append(value)


class StreamColumns:
    """A stream file as columns, read incrementally: `refresh()` appends what the file gained."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = source_of(path)
        self.reader = StreamReader(path)
        self.columns: Dict[str, Column] = {}
        self.records = 0
        self.size = -1  # the file size at the last refresh; unchanged size means nothing new

    def refresh(self) -> bool:
        """Read what was appended since the last call; True when records were added."""
        try:
            size = os.stat(self.path).st_size
        except OSError:
            return False
        if size == self.size:
            return False
        self.size = size
        before = self.records
        for record in self._new_records():
            self._add(record)
        return self.records != before

    def _new_records(self) -> Iterable[Dict[str, Any]]:
        # One json.loads over a whole block of lines parses about twice as fast as one call a
        # line; a block with a damaged line falls back to the reader's line-by-line parse.
        reader = self.reader
        try:
            with open(self.path, "rb") as f:
                f.seek(reader.offset)
                data = f.read()
        except OSError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []  # only a torn line so far: wait for the rest
        try:
            records = json.loads(b"[" + data[:end].replace(b"\n", b",") + b"]")
        except ValueError:
            records = None
        if records is None or not all(r.__class__ is dict for r in records):
            return list(reader.read())  # counts what it skips in reader.skipped
        reader.offset += end + 1
        return records

    def _add(self, record: Dict[str, Any]) -> None:
        step = record.get("_step")
        t = record.get("_time")
        index = self.records
        self.records += 1
        if step.__class__ not in (int, float):
            step = index  # a source without steps (the system sampler): its sample number
        if t.__class__ not in (int, float):
            t = math.nan
        columns = self.columns
        for key, value in record.items():
            if key[0] == "_":
                continue
            if value.__class__ is str:
                value = NONFINITE.get(value)
                if value is None:
                    continue
            elif value.__class__ not in (int, float):
                continue  # bools, strings, lists: not chart material
            if value != value or value in (math.inf, -math.inf):
                continue  # nothing to draw; the summary still counts it
            column = columns.get(key)
            if column is None:
                column = columns[key] = Column()
            column.add(step, t, value)


class Points:
    """x and y of one series, sorted by x, ready to downsample."""

    __slots__ = ("xs", "ys")

    def __init__(self, xs: Sequence[float], ys: Sequence[float]) -> None:
        self.xs = xs
        self.ys = ys


class RunSeries:
    """Every stream of one run, as columns; `refresh()` picks up new files and new lines."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.streams: Dict[Path, StreamColumns] = {}
        self.lock = threading.Lock()
        self.version = 0  # bumped whenever any stream gained records

    def refresh(self) -> bool:
        with self.lock:
            grew = False
            for path in stream_files(self.run_dir):
                stream = self.streams.get(path)
                if stream is None:
                    stream = self.streams[path] = StreamColumns(path)
                grew = stream.refresh() or grew
            if grew:
                self.version += 1
            return grew

    def points_count(self) -> int:
        return sum(len(c) for s in self.streams.values() for c in s.columns.values())

    def metrics(self) -> Dict[str, List[str]]:
        """{source: sorted metric names} of every numeric metric seen so far."""
        out: Dict[str, set] = {}
        for stream in list(self.streams.values()):
            out.setdefault(stream.source, set()).update(stream.columns)
        return {s: sorted(m) for s, m in out.items()}

    def last_values(self) -> Dict[str, float]:
        """Each metric's last finite value, the higher-priority source winning."""
        out: Dict[str, float] = {}
        for source in reversed(_source_order(s.source for s in self.streams.values())):
            for stream in self.streams.values():
                if stream.source == source:
                    for name, column in stream.columns.items():
                        if len(column):
                            out[name] = column.values[-1]
        return out

    def columns_of(self, metric: str) -> List[Column]:
        """The columns of `metric` from the first source, in priority order, that has it."""
        by_source: Dict[str, List[Column]] = {}
        for stream in list(self.streams.values()):
            column = stream.columns.get(metric)
            if column is not None and len(column):
                by_source.setdefault(stream.source, []).append(column)
        for source in _source_order(by_source):
            return by_source[source]
        return []

    def points(self, metric: str, x: str, start_time: float, since: int = 0) -> Points:
        """The series of `metric` with x as `x` (step, wall or relative seconds), sorted by x.
        `since` skips the first points (a live update sends only what is new)."""
        with self.lock:
            columns = self.columns_of(metric)
            if not columns:
                return Points([], [])
            if len(columns) == 1 and since == 0 and (columns[0].ordered or x != "step"):
                column = columns[0]
                if x == "step":
                    return Points(column.steps, column.values)
                xs = column.times if x == "wall" else array("d", (t - start_time for t in column.times))
                return Points(xs, column.values)
            pairs: List[Tuple[float, float]] = []
            for column in columns:
                source = column.steps if x == "step" else column.times
                pairs.extend(zip(source, column.values))
        pairs.sort(key=lambda p: p[0])
        if since:
            pairs = pairs[since:]
        offset = start_time if x == "relative" else 0.0
        return Points(array("d", (p[0] - offset for p in pairs)), array("d", (p[1] for p in pairs)))

    def count(self, metric: str) -> int:
        with self.lock:
            return sum(len(c) for c in self.columns_of(metric))


def _source_order(sources: Iterable[str]) -> List[str]:
    present = set(sources)
    return [s for s in PRIORITY if s in present] + sorted(present - set(PRIORITY))


def downsample(points: Points, buckets: int, lo: Optional[float] = None,
               hi: Optional[float] = None) -> Tuple[List[float], List[float]]:
    """At most 2*`buckets`+1 points that keep the shape: the points with x in [lo, hi] (default:
    all) cut into `buckets` runs of consecutive points, and of each run the point with the
    lowest and the one with the highest y, in x order, and the last point. Every point returned is a real point, so
    hover shows exact values, and no spike is ever averaged away."""
    xs, ys = points.xs, points.ys
    start = 0 if lo is None else bisect.bisect_left(xs, lo)
    end = len(xs) if hi is None else bisect.bisect_right(xs, hi)
    # One point either side of a zoomed range, so the line reaches the edges of the plot.
    if lo is not None and start > 0:
        start -= 1
    if hi is not None and end < len(xs):
        end += 1
    n = end - start
    if n <= 2 * buckets:
        return list(xs[start:end]), list(ys[start:end])
    out_x: List[float] = []
    out_y: List[float] = []
    for b in range(buckets):
        a = start + b * n // buckets
        z = start + (b + 1) * n // buckets
        if a >= z:
            continue
        chunk = ys[a:z]
        low = min(chunk)
        high = max(chunk)
        i = a + chunk.index(low)
        j = a + chunk.index(high)
        if i > j:
            i, j = j, i
        out_x.append(xs[i])
        out_y.append(ys[i])
        if j != i:
            out_x.append(xs[j])
            out_y.append(ys[j])
    if out_x[-1] != xs[end - 1]:  # the line always reaches the last point
        out_x.append(xs[end - 1])
        out_y.append(ys[end - 1])
    return out_x, out_y
