"""The series cache: each run's chart-ready series on disk, so that a fresh start of the
dashboard reads a few kilobytes a metric instead of every line of every stream.

    <root>/.cache/series/<project>/<run-id>.series
    <root>/.cache/assets/plotly.min.js.<size>.<mtime>.gz   the page's plotly.js, compressed once

One file a run: a first line of JSON (each stream file's state: its size and modification time
when read, the offset reading stopped at and the bytes just before it, the records read, the
media keys, and the metrics held), then the metrics' points as raw doubles (steps, times,
values). A metric keeps the points that draw its shape (`downsample.shape_indices`: of each of
CACHE_BUCKETS runs of points its lowest and highest, and the last point): more buckets than a
chart has pixels across, so a chart of the whole run drawn from the cache shows what one drawn
from the streams shows, every spike included. A zoom reads the streams.

The streams stay the truth. A stream whose file has the recorded size and modification time is
taken as cached; a file that grew past the offset and still holds the recorded bytes before it
is taken as cached up to there and read on from the offset (a live run's tail); anything else (a
shorter file, other bytes there, a damaged or foreign cache file) is read from the start and
the cache written anew. Deleting the folder loses nothing.

Who writes it: the dashboard, and only it, from a thread of its own, after it has read a run
(when the run has ended, or every SAVE_INTERVAL while it records). Not the run's own wrapper:
the cache lives outside the run directories (a consumer writes nothing into them), runs
recorded before the cache existed or killed before their end need one built anyway, and a
program's exit stays free of work nobody may ever look at. The file is replaced atomically
(a temporary file, then rename), so two dashboards on one store at worst write the same file
twice; a store the dashboard cannot write to is served all the same, without the cache.
"""
from __future__ import annotations

import gzip
import json
import os
import sys
import threading
import time
from array import array
from typing import Any, Dict, List, Optional, Tuple

from runwrap.store.documents import write_bytes_atomic
from runwrap.store.media import MediaEntry
from runwrap.store.runs import RunInfo
from runwrap.ui.series import Column, RunSeries, StreamState

VERSION = 1
CACHE_DIR = os.path.join(".cache", "series")
CACHE_BUCKETS = 2048  # a chart asks for at most 2,000 buckets: every chart of a whole run fits
SAVE_INTERVAL = 30.0  # seconds between writes for a run that is still recording
SUFFIX = ".series"


class SeriesCache:
    """The cache files of one store, and the thread that writes them."""

    def __init__(self, root: str):
        self.folder = os.path.join(root, CACHE_DIR)
        self.lock = threading.Lock()
        self.pending: Dict[str, Tuple[RunInfo, RunSeries]] = {}
        self.saved: Dict[str, Tuple[int, float]] = {}  # key: (version, when) of the last write
        self.wake = threading.Event()
        self.writable = True
        self.thread: Optional[threading.Thread] = None

    def path(self, run: RunInfo) -> str:
        # The folders' names, not run.json's: the file lands in this store's cache, whatever
        # a document says.
        project, run_id = os.path.split(os.path.normpath(run.path))
        return os.path.join(self.folder, os.path.basename(project), run_id + SUFFIX)

    # -- reading -----------------------------------------------------------------------------

    def load(self, run: RunInfo) -> Dict[str, StreamState]:
        """The run's stream states the cache holds and its stream files still agree with
        (see the module's docstring); {} when there is no cache or it cannot be trusted."""
        states = read_file(self.path(run))
        streams = os.path.join(run.path, "streams")
        return {name: state for name, state in states.items()
                if agrees(os.path.join(streams, name), state)}

    def holds(self, run: RunInfo) -> bool:
        """Whether the cache has a file for the run (whether it still agrees is checked on load)."""
        return os.path.exists(self.path(run))

    def gzipped(self, source: str, data: bytes) -> bytes:
        """`data` (the file `source`) gzip-compressed, kept in the cache folder by the source's
        size and modification time: plotly.js takes seconds of CPU to compress on a busy machine."""
        try:
            st = os.stat(source)
        except OSError:
            return gzip.compress(data, 6)
        path = os.path.join(os.path.dirname(self.folder), "assets",
                            f"{os.path.basename(source)}.{st.st_size}.{st.st_mtime_ns}.gz")
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            pass
        packed = gzip.compress(data, 6)
        try:
            _replace(path, packed)
        except OSError:
            pass  # a store that cannot be written: compressed again next time
        return packed

    # -- writing -----------------------------------------------------------------------------

    def offer(self, key: str, run: RunInfo, series: RunSeries, running: bool) -> None:
        """Write the run's series to the cache soon, if it gained anything since the last write
        (and, while it records, not more often than every SAVE_INTERVAL)."""
        if not self.writable:
            return
        last = self.saved.get(key)
        if last is not None and (last[0] == series.version
                                 or (running and time.monotonic() - last[1] < SAVE_INTERVAL)):
            return
        if last is None and series.version == 0:
            return  # everything came from the cache and nothing was added
        with self.lock:
            self.pending[key] = (run, series)
            if self.thread is None:
                self.thread = threading.Thread(target=self._writer, daemon=True,
                                               name="runwrap-ui-cache")
                self.thread.start()
        self.wake.set()

    def _writer(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            while True:
                with self.lock:
                    if not self.pending:
                        break
                    key = next(iter(self.pending))
                    run, series = self.pending.pop(key)
                version = series.version
                self.saved[key] = (version, time.monotonic())
                try:
                    write_file(self.path(run), series.states(CACHE_BUCKETS))
                except OSError:
                    self.writable = False  # a read-only store: served without the cache
                    return


def agrees(path: str, state: StreamState) -> bool:
    """Whether the stream file at `path` is the one `state` was read from, unchanged or grown."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size == state.size and st.st_mtime_ns == state.mtime_ns:
        return True
    if st.st_size < state.offset:
        return False  # shorter than what was read: another file
    if not state.tail:
        return state.offset == 0
    try:
        with open(path, "rb") as f:
            f.seek(state.offset - len(state.tail))
            return f.read(len(state.tail)) == state.tail
    except OSError:
        return False


def write_file(path: str, states: List[StreamState]) -> None:
    head: List[Dict[str, Any]] = []
    payload: List[bytes] = []
    for state in states:
        metrics = []
        for name, column in state.columns.items():
            metrics.append([name, len(column), column.ordered, column.dropped])
            payload += [column.steps.tobytes(), column.times.tobytes(), column.values.tobytes()]
        head.append({"name": state.name, "size": state.size, "mtime_ns": state.mtime_ns,
                     "offset": state.offset, "tail": state.tail.hex(), "records": state.records,
                     "skipped": state.skipped, "metrics": metrics,
                     "media": [[k, e.as_dict()] for k, e in state.media.items()]})
    body = b"".join(payload)
    doc = {"version": VERSION, "byteorder": sys.byteorder, "bytes": len(body), "streams": head}
    _replace(path, json.dumps(doc, separators=(",", ":"), default=str).encode() + b"\n" + body)


def _replace(path: str, data: bytes) -> None:
    """Write `path` whole or not at all; no fsync: a cache lost in a crash is built again."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_bytes_atomic(path, data, durable=False)


def read_file(path: str) -> Dict[str, StreamState]:
    """The stream states of a cache file; {} when it is missing, damaged or of another version."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return {}
    try:
        newline = data.index(b"\n")
        doc = json.loads(data[:newline])
        if doc["version"] != VERSION or doc["byteorder"] != sys.byteorder \
                or doc["bytes"] != len(data) - newline - 1:
            return {}
        body = memoryview(data)[newline + 1:]
        out: Dict[str, StreamState] = {}
        at = 0
        for entry in doc["streams"]:
            columns: Dict[str, Column] = {}
            for name, n, ordered, dropped in entry["metrics"]:
                column = columns[str(name)] = Column()
                arrays = []
                for _ in range(3):
                    values = array("d")
                    values.frombytes(body[at:at + 8 * n])
                    at += 8 * n
                    arrays.append(values)
                column.steps, column.times, column.values = arrays
                if not len(column.steps) == len(column.values) == n:
                    return {}
                column.ordered, column.dropped = bool(ordered), int(dropped)
            media: Dict[str, MediaEntry] = {}
            for key, d in entry["media"]:
                m = media[key] = MediaEntry(key, d["type"])
                m.count, m.last_step, m.last = d["count"], d["last_step"], d["last"]
            name = entry["name"]
            if not isinstance(name, str) or "/" in name:
                return {}
            out[name] = StreamState(name, int(entry["size"]), int(entry["mtime_ns"]),
                                    int(entry["offset"]), bytes.fromhex(entry["tail"]),
                                    int(entry["records"]), int(entry["skipped"]), columns, media)
        return out if at == len(body) else {}
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}
