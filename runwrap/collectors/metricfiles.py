"""Metrics files the program writes itself (`--metrics-file PATH`, repeatable, globs allowed),
followed live into `streams/files.jsonl`.

Formats, by extension, else by the first non-blank line (`{` means JSON Lines, else CSV):
- JSON Lines (.jsonl .ndjson .json): one object per line. Numbers are metrics (booleans and
  strings are not), nested objects are flattened with `/` (`{"val": {"loss": 1}}` -> `val/loss`),
  `_step` or else `step` (an integer) is the record's step; `step` also stays a metric. Other
  keys starting with `_` are left out: they would clash with the reserved keys.
- CSV (.csv; .tsv is tab-separated; a header with tabs and no commas is too): the first row
  is the header, each later row a record; cells that are not numbers are skipped, a repeated
  header row is ignored, a column named `step` or `_step` gives the step.

Each record carries `_file`: the file's path relative to the child's working directory, so
two files with the same metric names stay apart in one stream.

How a file is followed (a resumable reader per file, like TensorBoard's loaders):
- Patterns are resolved relative to the child's cwd; files may appear at any time. Globs are
  re-expanded every 0.25 s (less often when expanding them is slow); paths inside the run store
  are never read (unless the program itself runs inside the store: then only the run's own
  directory is left out), so `**/*.jsonl` cannot feed the run its own streams.
- A file is followed by inode, through an open descriptor: growth is read from where the last
  read stopped; a file that shrank was truncated and is read again from the start; a path
  that now names another inode was rotated: the old file is read to its end, then the new one
  from its start (a rotated file that still matches a pattern keeps being followed).
- A last line without its newline is a write in progress: it waits for the next read. At
  `stop()` (the child has exited) it is taken if it parses. A line that does not parse is
  skipped, counted in run.json (`bad_line`) and warned about once.
- A file that already existed, untouched since before the run started, is followed from its
  current end (its old content belongs to an earlier run); its CSV header is still read.
"""
from __future__ import annotations

import csv
import glob
import json
import os
import stat
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.collectors.scalars import as_step, parse_number
from runwrap.store.streams import StreamWriter, stream_path

SOURCE = "files"
POLL = 0.25  # seconds between looks at the files (a stat and a read each)
MAX_SCAN_INTERVAL = 5.0  # slow glob expansion is repeated at most this rarely
MAX_FILES = 256  # files followed at once
MAX_LINE = 1 << 20  # a line longer than this is skipped
MAX_DEPTH = 8  # nesting flattened in JSON objects
CHUNK = 1 << 20

JSONL_EXT = (".jsonl", ".ndjson", ".json")
CSV_EXT = (".csv", ".tsv")


def _flatten(obj: Dict[str, Any], prefix: str, out: Dict[str, Any], depth: int) -> None:
    for key, value in obj.items():
        name = prefix + str(key)
        kind = type(value)
        if kind is int or kind is float:  # bool is neither
            out[name] = value
        elif kind is dict and depth < MAX_DEPTH:
            _flatten(value, name + "/", out, depth + 1)


def parse_json_line(line: bytes) -> Optional[Tuple[Dict[str, Any], Optional[int]]]:
    """(metrics, step) of one JSON Lines line; None when it is not a JSON object."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    step = as_step(obj.get("_step")) if "_step" in obj else None
    if step is None and "step" in obj:
        step = as_step(obj.get("step"))
    metrics: Dict[str, Any] = {}
    _flatten(obj, "", metrics, 0)
    for key in [k for k in metrics if k.startswith("_")]:
        del metrics[key]
    return metrics, step


class _Tail:
    """One metrics file being followed: its descriptor, where reading stopped, its format."""

    def __init__(self, path: str, name: str, fd: int, key: Tuple[int, int], offset: int):
        self.path = path
        self.name = name  # as the file was first seen; stays the same after a rotation
        self.fd = fd
        self.key = key
        self.offset = offset  # bytes read so far (the partial line included)
        self.partial = b""  # the last line, not yet complete
        self.too_long = False  # dropping an over-long line up to its newline
        ext = os.path.splitext(path)[1].lower()
        self.format: Optional[str] = ("jsonl" if ext in JSONL_EXT else
                                      "csv" if ext in CSV_EXT else None)
        self.fixed_format = self.format is not None
        self.delimiter: Optional[str] = "\t" if ext == ".tsv" else None
        self.header: Optional[List[str]] = None

    def restart(self) -> None:
        """The file was truncated: read it again from the start, header included."""
        self.offset = 0
        self.partial = b""
        self.too_long = False
        self.header = None
        if not self.fixed_format:
            self.format = None


class MetricsFiles(Collector):
    """Follows the files matching `patterns` and writes their records to the `files` stream."""

    def __init__(self, ctx: CollectorContext, patterns: List[str]):
        super().__init__(ctx)
        self.patterns = [os.path.join(str(ctx.cwd), os.path.expanduser(p)) for p in patterns]
        # Never read our own streams; nor other runs' when the program does not run inside
        # the store itself.
        self._excluded = [os.path.realpath(str(ctx.run_dir)) + os.sep]
        store = os.path.realpath(str(ctx.store_root)) + os.sep
        if not (os.path.realpath(str(ctx.cwd)) + os.sep).startswith(store):
            self._excluded.append(store)
        self._tails: Dict[Tuple[int, int], _Tail] = {}
        self._writer: Optional[StreamWriter] = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._next_scan = 0.0
        self._scan_interval = POLL
        self._stopped = False
        self.records = 0

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or self._stopped:
                return
            self._guard(lambda: self._poll(first=True))
            self._thread = threading.Thread(target=self._run, name="runwrap-metrics-files",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """A last full read (so nothing written before the child exited is lost), then close."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            self._next_scan = 0.0
            self._guard(lambda: self._poll(final=True))
            for tail in self._tails.values():
                self._close(tail)
            self._tails.clear()
            if self._writer is not None:
                try:
                    self._writer.close()
                except OSError:
                    pass

    def _run(self) -> None:
        while not self._stop.wait(POLL):
            with self._lock:
                if self._stopped:
                    return
                self._guard(self._poll)

    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except Exception as e:  # a collector keeps going whatever one file does
            self.count("error")
            warn_once("files.error", f"metrics files: {type(e).__name__}: {e}; going on")

    # -- finding files -------------------------------------------------------------------

    def _poll(self, first: bool = False, final: bool = False) -> None:
        now = time.monotonic()
        if now >= self._next_scan:
            self._scan(first)
            took = time.monotonic() - now
            self._scan_interval = min(MAX_SCAN_INTERVAL, max(POLL, 20 * took))
            self._next_scan = time.monotonic() + self._scan_interval
        for tail in list(self._tails.values()):
            self._read(tail, final)

    def _matches(self) -> List[str]:
        paths = set()
        for pattern in self.patterns:
            if any(c in pattern for c in "*?["):
                paths.update(glob.glob(pattern, recursive=True))
            else:
                paths.add(pattern)
        return sorted(paths)

    def _scan(self, first: bool) -> None:
        """Match the patterns again: follow new files, finish files rotated or deleted."""
        found: Dict[Tuple[int, int], Tuple[str, os.stat_result]] = {}
        for path in self._matches():
            try:
                st = os.stat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            real = os.path.realpath(path)
            if any(real.startswith(prefix) for prefix in self._excluded):
                continue
            found.setdefault((st.st_dev, st.st_ino), (path, st))
        for key, tail in list(self._tails.items()):
            if key in found:
                tail.path = found[key][0]
            else:  # rotated away or deleted: finish what it holds, then let it go
                self._read(tail, final=True)
                self._close(tail)
                del self._tails[key]
        for key, (path, st) in found.items():
            if key in self._tails:
                continue
            if len(self._tails) >= MAX_FILES:
                self.count("too_many_files")
                warn_once("files.too_many", f"metrics files: following only {MAX_FILES} "
                          "files; narrow the --metrics-file pattern")
                break
            self._follow(path, key, st, first)

    def _follow(self, path: str, key: Tuple[int, int], st: os.stat_result, first: bool) -> None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return
        # Content from before the run (untouched since it started) belongs to an earlier run.
        old = first and st.st_mtime < self.context.start_time
        tail = _Tail(path, self._name(path), fd, key, st.st_size if old else 0)
        if old and st.st_size:
            self._read_header(tail)
        self._tails[key] = tail

    def _name(self, path: str) -> str:
        try:
            rel = os.path.relpath(path, str(self.context.cwd))
        except ValueError:
            return path
        return path if rel.startswith("..") else rel

    def _read_header(self, tail: _Tail) -> None:
        """For a CSV file followed from its end: its header row, from the start."""
        head = os.pread(tail.fd, 65536, 0)
        line = head.split(b"\n", 1)[0]
        if tail.format is None:
            tail.format = "jsonl" if line.lstrip().startswith(b"{") else "csv"
        if tail.format == "csv" and b"\n" in head:
            self._csv_line(tail, line)

    def _close(self, tail: _Tail) -> None:
        try:
            os.close(tail.fd)
        except OSError:
            pass

    # -- reading -------------------------------------------------------------------------

    def _read(self, tail: _Tail, final: bool = False) -> None:
        size = os.fstat(tail.fd).st_size
        if size < tail.offset:
            tail.restart()
        while tail.offset < size:
            data = os.pread(tail.fd, CHUNK, tail.offset)
            if not data:
                break
            tail.offset += len(data)
            lines = (tail.partial + data).split(b"\n")
            tail.partial = lines.pop()
            if tail.too_long:  # inside a line already counted as too long: drop up to its end
                if lines:
                    lines.pop(0)
                    tail.too_long = False
                else:
                    tail.partial = b""
            if len(tail.partial) > MAX_LINE:
                self._bad(tail, "long_line")
                tail.partial, tail.too_long = b"", True
            self._emit(tail, lines)
        if final and tail.partial and not tail.too_long:
            # The writer is gone: a last line without newline is as complete as it gets.
            last, tail.partial = tail.partial, b""
            self._emit(tail, [last], quiet=True)

    def _emit(self, tail: _Tail, lines: List[bytes], quiet: bool = False) -> None:
        now = time.time()
        base = {"_time": now, "_runtime": round(now - self.context.start_time, 6)}
        records = []
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line.strip():
                continue
            if tail.format is None:
                tail.format = "jsonl" if line.lstrip().startswith(b"{") else "csv"
            if tail.format == "jsonl":
                parsed = parse_json_line(line)
            else:
                parsed = self._csv_line(tail, line)
                if parsed is True:  # a header
                    continue
            if parsed is None:
                if not quiet:
                    self._bad(tail, "bad_line")
                continue
            metrics, step = parsed
            if not metrics:
                continue
            record = dict(base)
            if step is not None:
                record["_step"] = step
            record["_file"] = tail.name
            record.update(metrics)
            records.append(record)
        if records:
            self._write(records)

    def _csv_line(self, tail: _Tail, line: bytes) -> Any:
        """True for a header row, (metrics, step) for a data row, None for garbage."""
        text = line.decode("utf-8", "replace")
        if tail.delimiter is None:
            tail.delimiter = "\t" if "\t" in text and "," not in text else ","
        try:
            row = next(csv.reader([text], delimiter=tail.delimiter))
        except (csv.Error, StopIteration):
            return None
        row = [cell.strip() for cell in row]
        if tail.header is None:
            tail.header = [c.lstrip("\ufeff") for c in row]
            return True
        if row == tail.header:
            return True  # a program that restarted and wrote its header again
        if len(row) != len(tail.header):
            return None
        metrics: Dict[str, Any] = {}
        step: Optional[int] = None
        for name, cell in zip(tail.header, row):
            if not name or not cell:
                continue
            value = parse_number(cell)
            if value is None:
                continue
            if name in ("step", "_step"):
                step = as_step(value) if step is None or name == "_step" else step
            if not name.startswith("_"):
                metrics[name] = value
        return metrics, step

    def _bad(self, tail: _Tail, kind: str) -> None:
        self.count(kind)
        warn_once(f"files.{kind}", f"metrics file {tail.name}: skipping lines that are not "
                  f"{'JSON objects' if tail.format == 'jsonl' else 'CSV rows'} "
                  "(counted in run.json)")

    def _write(self, records: List[Dict[str, Any]]) -> None:
        try:
            if self._writer is None:
                self._writer = StreamWriter(stream_path(self.context.run_dir, SOURCE))
            self._writer.write_many(records)
            self.records += len(records)
        except OSError as e:
            self.count("write_error", len(records))
            warn_once("files.write", f"cannot write metrics-file records ({e}); dropping them")

