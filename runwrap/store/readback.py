"""A run's full history read back from its streams: long (one row per value), wide (one row per
step) and single metric series for charts.

Every reader here streams: memory grows with the number of metric names and stream files, never
with the number of records, so a run of millions of points exports in constant memory. Wide rows
need the column names before the first row, which costs one extra pass over the files.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from runwrap.store.streams import StreamReader, source_of, stream_files
from runwrap.store.values import NONFINITE, decode_value

RESERVED = ("_step", "_time", "_runtime")
LONG_HEADERS = ("source", "step", "time", "runtime", "metric", "value")


def files_by_source(run_dir: Path, sources: Optional[Sequence[str]] = None) -> Dict[str, List[Path]]:
    """The stream files of a run grouped by source, optionally only the named sources; a
    name may also be one stream's label, `<source>.<part>` (one task of a cluster job)."""
    out: Dict[str, List[Path]] = {}
    for path in stream_files(Path(run_dir)):
        source = source_of(path)
        if sources and source not in sources and path.name[:-len(".jsonl")] not in sources:
            continue
        out.setdefault(source, []).append(path)
    return out


def metric_names(run_dir: Path, sources: Optional[Sequence[str]] = None) -> Dict[str, List[str]]:
    """Each source's metric names in order of first appearance (one pass over the streams)."""
    out: Dict[str, List[str]] = {}
    for source, paths in files_by_source(run_dir, sources).items():
        seen: Dict[str, None] = {}
        for path in paths:
            for record in StreamReader(path).read():
                for key in record:
                    if not key.startswith("_") and key not in seen:
                        seen[key] = None
        out[source] = list(seen)
    return out


def long_rows(run_dir: Path, sources: Optional[Sequence[str]] = None) -> Iterator[tuple]:
    """(source, step, time, runtime, metric, value) for every logged value, file by file."""
    for source, paths in files_by_source(run_dir, sources).items():
        for path in paths:
            for record in StreamReader(path).read():
                step, t, runtime = record.get("_step"), record.get("_time"), record.get("_runtime")
                for key, raw in record.items():
                    if key[:1] != "_":
                        yield (source, step, t, runtime, key,
                               NONFINITE.get(raw, raw) if raw.__class__ is str else raw)


@dataclass(frozen=True)
class Column:
    source: str
    metric: str
    label: str  # the metric name, or `source:metric` when two sources share the name


def wide_columns(run_dir: Path, sources: Optional[Sequence[str]] = None) -> List[Column]:
    names = metric_names(run_dir, sources)
    owners: Dict[str, int] = {}
    for metrics in names.values():
        for m in metrics:
            owners[m] = owners.get(m, 0) + 1
    return [Column(s, m, m if owners[m] == 1 else f"{s}:{m}") for s, ms in names.items() for m in ms]


# A merge head is (key, file number, source, record): the file number is unique among the
# heads being compared, so a tuple comparison never reaches the record.
_Head = Tuple[float, int, str, Dict[str, Any]]


def _file_records(path: Path, source: str, stepped: bool, seq: int) -> Iterator[_Head]:
    last = -math.inf
    marker = "_step" if stepped else "_time"
    for record in StreamReader(path).read():
        value = record.get(marker)
        # A record without a step (rare in a stepped file) stays where it was written.
        if value is not None:
            last = value
        yield (last, seq, source, record)


def _merge(iterators: List[Iterator[_Head]]) -> Iterator[_Head]:
    if len(iterators) == 1:
        return iterators[0]  # the common case: one file, no merge needed
    return heapq.merge(*iterators)


def _is_stepped(path: Path) -> bool:
    for record in StreamReader(path).read():
        return "_step" in record
    return False


def _rows(heads: Iterable[_Head], labels: Dict[str, Dict[str, str]], by_step: bool
          ) -> Iterator[Dict[str, Any]]:
    """Join consecutive records of equal step (or time) into one row; the last value wins."""
    row: Optional[Dict[str, Any]] = None
    current: Any = None
    marker_key = "_step" if by_step else "_time"
    for _key, _seq, source, record in heads:
        marker = record.get(marker_key)
        if row is None or marker != current or marker is None:
            if row is not None:
                yield row
            row = {"_step": record.get("_step"), "_time": record.get("_time"),
                   "_runtime": record.get("_runtime")}
            current = marker
        names = labels[source]
        for key, raw in record.items():
            if key[:1] != "_":
                row[names[key]] = NONFINITE.get(raw, raw) if raw.__class__ is str else raw
    if row is not None:
        yield row


def _row_time(row: Dict[str, Any]) -> float:
    t = row.get("_time")
    return t if isinstance(t, (int, float)) else -math.inf


def wide_rows(run_dir: Path, columns: List[Column],
              sources: Optional[Sequence[str]] = None) -> Iterator[Dict[str, Any]]:
    """One dict per step: `_step`, `_time`, `_runtime` and each column's value at that step.

    Files whose records carry `_step` are merged by step; files without steps (the system
    sampler) give one row per sample, merged by time. Both kinds are then interleaved by time."""
    labels: Dict[str, Dict[str, str]] = {}
    for c in columns:
        labels.setdefault(c.source, {})[c.metric] = c.label
    stepped: List[Iterator[_Head]] = []
    timed: List[Iterator[_Head]] = []
    seq = 0
    for source, paths in files_by_source(run_dir, sources).items():
        labels.setdefault(source, {})
        for path in paths:
            kind = _is_stepped(path)
            (stepped if kind else timed).append(_file_records(path, source, kind, seq))
            seq += 1
    by_step = _rows(_merge(stepped), labels, by_step=True) if stepped else iter(())
    if not timed:
        return by_step
    by_time = _rows(_merge(timed), labels, by_step=False)
    if not stepped:
        return by_time
    return heapq.merge(by_step, by_time, key=_row_time)


@dataclass
class Series:
    """One metric of one run as points: x (step or seconds since start) and y."""

    source: str
    metric: str
    xs: List[float] = field(default_factory=list)
    ys: List[float] = field(default_factory=list)


def _number(value: Any) -> Optional[float]:
    value = decode_value(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def metric_series(run_dir: Path, metric: str, sources: Sequence[str], x: str = "step",
                  start_time: Optional[float] = None) -> Optional[Series]:
    """The numeric values of `metric` from the first source in `sources` that has any.

    x="step" uses `_step` (the record's position in the stream when it has none); x="time" uses
    `_runtime`, else `_time - start_time`. Points come out sorted by x (a stable sort, so
    several writers of one source interleave correctly)."""
    groups = files_by_source(run_dir, sources)
    for source in sources:
        series = Series(source, metric)
        points: List[Tuple[float, float]] = []
        for path in groups.get(source, []):
            for index, record in enumerate(StreamReader(path).read()):
                if metric not in record:
                    continue
                y = _number(record[metric])
                if y is None:
                    continue
                if x == "time":
                    xv = _number(record.get("_runtime"))
                    if xv is None:
                        t = _number(record.get("_time"))
                        xv = None if t is None else t - (start_time or 0.0)
                else:
                    xv = _number(record.get("_step"))
                    xv = float(index) if xv is None else xv
                if xv is not None:
                    points.append((xv, y))
        if points:
            points.sort(key=lambda p: p[0])
            series.xs = [p[0] for p in points]
            series.ys = [p[1] for p in points]
            return series
    return None


class Downsampler:
    """Means of equal-sized consecutive buckets of a stream of numbers, in memory bounded by
    2*`buckets`: when full, neighbouring buckets merge and the bucket size doubles. Enough for a
    sparkline of a run of any length."""

    def __init__(self, buckets: int):
        self.limit = max(1, buckets) * 2
        self.size = 1
        self.sums: List[float] = []
        self.counts: List[int] = []

    def add(self, value: float) -> None:
        if self.counts and self.counts[-1] < self.size:
            self.sums[-1] += value
            self.counts[-1] += 1
            return
        if len(self.sums) == self.limit:
            self.sums = [a + b for a, b in zip(self.sums[0::2], self.sums[1::2])]
            self.counts = [a + b for a, b in zip(self.counts[0::2], self.counts[1::2])]
            self.size *= 2
            if self.counts[-1] < self.size:
                self.sums[-1] += value
                self.counts[-1] += 1
                return
        self.sums.append(value)
        self.counts.append(1)

    def values(self) -> List[float]:
        return [s / c for s, c in zip(self.sums, self.counts)]


def metric_sketches(run_dir: Path, buckets: int = 40,
                    sources: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, List[float]]]:
    """{source: {metric: up to 2*buckets bucket means}} of every finite numeric value, reading
    each stream once (for `runwrap show`'s sparklines)."""
    out: Dict[str, Dict[str, Downsampler]] = {}
    for source, paths in files_by_source(run_dir, sources).items():
        table = out.setdefault(source, {})
        for path in paths:
            for record in StreamReader(path).read():
                for key, raw in record.items():
                    if key[:1] == "_" or raw.__class__ not in (int, float):
                        continue
                    if math.isfinite(raw):
                        sampler = table.get(key)
                        if sampler is None:
                            sampler = table[key] = Downsampler(buckets)
                        sampler.add(raw)
    return {s: {m: d.values() for m, d in t.items()} for s, t in out.items()}
