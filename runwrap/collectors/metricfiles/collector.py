"""Metrics files the program writes itself (`--metrics-file PATH`, repeatable, globs allowed),
followed live into `streams/files.jsonl`.

Formats (JSON Lines, CSV) and what counts as a metric in them: formats.py. This module is
longer than most because following a file through rewrites, rotation and parked descriptors
is one state machine per file (`_Followed`, `MetricsFiles`); split, it would scatter that state.

Each record carries `_file`: the file's path relative to the child's working directory, so
two files with the same metric names stay apart in one stream.

How a file is followed (a resumable reader per file, like TensorBoard's loaders):
- Patterns are resolved relative to the child's cwd; files may appear at any time. Globs are
  re-expanded every 0.25 s (less often when expanding them is slow); paths inside the run store
  are never read (unless the program itself runs inside the store: then only the run's own
  directory is left out), so `**/*.jsonl` cannot feed the run its own streams.
- A file is followed by inode, through an open descriptor (`tail.FileTail`): growth is
  read from where the last read stopped. A file rewritten in place is read again from the
  start, unless the rewrite begins with everything already read (pandas' `to_csv` each
  epoch): then only what is new is read. A rewrite whose first records are those already
  recorded, in order, gives only the records after them, also when its bytes differ
  (Lightning's CSVLogger rewrites the whole file with one more column, empty in the old rows,
  when a new metric appears). Nothing is recorded twice.
- Rotation: when a path names another inode, the old file is still read while the writer
  may be finishing it (until it has been quiet for 2 s, and at stop), and the new file from
  its start, or, if it is a longer copy of the old one renamed over it, from where the old
  one was read to. A rotated file that still matches a pattern simply keeps being followed.
- A last line without its newline is a write in progress: it waits for the next read. At
  `stop()` (the child has exited) it is taken if it parses. A line that does not parse is
  skipped, counted in run.json (`bad_line`; over 1 MiB: `long_line`) and warned about once.
- A file that already existed, untouched since before the run started, is followed from its
  current end (its old content belongs to an earlier run); its CSV header is still read.
- Any number of files is followed (a program may write one file per evaluation), but at most
  MAX_OPEN descriptors are held: beyond that the files idle longest are parked (closed, their
  position kept) and opened again when a look at the path shows them changed. Out of
  descriptors (EMFILE), a file waits for the next look.
"""
from __future__ import annotations

import csv
import errno
import glob
from array import array
from collections import OrderedDict
import os
import stat
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.collectors.metricfiles.tail import FileTail
from runwrap.collectors.console.scalars import parse_number
from runwrap.collectors.metricfiles.formats import (CSV_EXT, JSONL_EXT, NOT_A_NUMBER, WHAT,
                                                    parse_json_line, split_step, unique_names)
from runwrap.store.streams import StreamWriter, stream_path

SOURCE = "files"
POLL = 0.25  # seconds between looks at the files (a stat and a read each)
MAX_SCAN_INTERVAL = 5.0  # slow glob expansion is repeated at most this rarely
MAX_OPEN = 32  # descriptors held at once; the files idle longest beyond that are parked
ROTATED_GRACE = 2.0  # seconds a rotated-away file is still read after its last growth

class _Followed:
    """One metrics file: where it is, what it is called in records, how its lines read."""

    def __init__(self, path: str, name: str, fd: int, key: Tuple[int, int], offset: int):
        self.path = path
        self.name = name  # as the file was first seen; stays the same after a rotation
        self.key = key
        self.tail = FileTail(fd, offset)
        self.gone_since: Optional[float] = None  # no pattern matches it any more (rotated)
        ext = os.path.splitext(path)[1].lower()
        self.fixed_format = ext in JSONL_EXT or ext in CSV_EXT
        self.format: Optional[str] = ("jsonl" if ext in JSONL_EXT else
                                      "csv" if ext in CSV_EXT else None)
        self.tsv = ext == ".tsv"
        self.delimiter: Optional[str] = "\t" if self.tsv else None
        self.header: Optional[List[str]] = None  # column names, repeated ones made unique
        self.header_row: Optional[List[str]] = None  # the header as written
        # A digest of each record taken from the file, in order; after a rewrite, how many of
        # them the new content has repeated so far (None: not replaying).
        self.recorded = array("q")
        self.replayed: Optional[int] = None

    def forget_content(self) -> None:
        """The file was rewritten from the start: its header (and format) may have changed."""
        self.header = self.header_row = None
        self.replayed = 0
        if not self.tsv:
            self.delimiter = None
        if not self.fixed_format:
            self.format = None


class MetricsFiles(Collector):
    """Follows the files matching `patterns` and writes their records to the `files` stream."""

    what = "the metrics files"  # in the warning past MAX_KEYS names

    def __init__(self, ctx: CollectorContext, patterns: List[str]):
        super().__init__(ctx)
        self.patterns = [os.path.join(str(ctx.cwd), os.path.expanduser(p)) for p in patterns]
        # Never read our own streams; nor other runs' when the program does not run inside
        # the store itself.
        self._excluded = [os.path.realpath(str(ctx.run_dir)) + os.sep]
        store = os.path.realpath(str(ctx.store_root)) + os.sep
        if not (os.path.realpath(str(ctx.cwd)) + os.sep).startswith(store):
            self._excluded.append(store)
        self._files: Dict[Tuple[int, int], _Followed] = {}
        # The files holding a descriptor, least recently active first.
        self._open: "OrderedDict[Tuple[int, int], _Followed]" = OrderedDict()
        self._writer: Optional[StreamWriter] = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._next_scan = 0.0
        self._scan_interval = POLL
        self._stopped = False
        self.records = 0
        # Completed looks at the files, and of those the ones that also looked for new files:
        # what a caller waits on to know the collector has seen the files as they are now.
        self.polls = 0
        self.scans = 0

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
            for followed in self._files.values():
                self._close(followed)
            self._files.clear()
            self._open.clear()
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
        scanned = now >= self._next_scan
        if scanned:
            self._scan(first)
            took = time.monotonic() - now
            self._scan_interval = min(MAX_SCAN_INTERVAL, max(POLL, 20 * took))
            self._next_scan = time.monotonic() + self._scan_interval
        for key, followed in list(self._files.items()):
            grew = False
            if followed.tail.fd is not None or self._unpark(followed, final):
                try:
                    grew = self._read(followed, final)
                except Exception as e:  # one file's trouble must not starve the others
                    self.count("error")
                    warn_once("files.read", f"metrics file {followed.name}: "
                              f"{type(e).__name__}: {e}; going on")
                if grew and followed.key in self._open:
                    self._open.move_to_end(followed.key)
            if followed.gone_since is not None:
                # A file rotated away may still get the writer's last lines; let it go once
                # it has been quiet for a while.
                if grew:
                    followed.gone_since = now
                elif final or now - followed.gone_since > ROTATED_GRACE:
                    self._close(followed)
                    del self._files[key]
        while len(self._open) > MAX_OPEN:
            self._park_oldest()
        self.polls += 1
        self.scans += scanned

    def _matches(self) -> List[str]:
        paths = set()
        for pattern in self.patterns:
            if any(c in pattern for c in "*?["):
                paths.update(glob.glob(pattern, recursive=True))
            else:
                paths.add(pattern)
        return sorted(paths)

    def _scan(self, first: bool) -> None:
        """Match the patterns again: follow new files, notice rotated or deleted ones."""
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
        now = time.monotonic()
        by_path: Dict[str, _Followed] = {}
        for key, followed in self._files.items():
            if key in found:
                followed.path = found[key][0]
                followed.gone_since = None
            elif followed.gone_since is None:
                followed.gone_since = now
                by_path[followed.path] = followed
        for key, (path, st) in found.items():
            if key not in self._files:
                self._follow(path, key, st, first, by_path.get(path))

    def _open_fd(self, path: str) -> Optional[int]:
        """`path` opened for reading, parking an idle file first when MAX_OPEN are open (or
        when the process is out of descriptors); None when it cannot be opened now."""
        if len(self._open) >= MAX_OPEN:
            self._park_oldest()
        for _ in range(2):
            try:
                return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError as e:
                if e.errno not in (errno.EMFILE, errno.ENFILE) or not self._open:
                    return None
                self._park_oldest()
        return None

    def _park_oldest(self) -> None:
        _, followed = self._open.popitem(last=False)
        self._close_fd(followed.tail.park())

    def _unpark(self, followed: _Followed, final: bool) -> bool:
        """Open a parked file again if it changed since it was parked (or, at the final read,
        if a last line without its newline waits); True when it is open again."""
        try:
            st = os.stat(followed.path)
        except OSError:
            return False
        if (st.st_dev, st.st_ino) != followed.key:
            return False  # the path names another file now; the scan follows that one
        if not (followed.tail.changed_since_parked(st) or (final and followed.tail.partial)):
            return False
        fd = self._open_fd(followed.path)
        if fd is None:
            return False
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != followed.key:
            self._close_fd(fd)
            return False
        followed.tail.unpark(fd)
        self._open[followed.key] = followed
        return True

    def _follow(self, path: str, key: Tuple[int, int], st: os.stat_result, first: bool,
                replaced: Optional[_Followed]) -> None:
        fd = self._open_fd(path)
        if fd is None:
            return  # not followed yet: the next scan tries again
        if replaced is not None:
            if replaced.tail.fd is not None:
                self._read(replaced, final=False)  # whatever the old file still held
            if replaced.tail.continues_in(fd):
                # Replaced by a longer copy of itself (written elsewhere, renamed over it):
                # go on in the new file from where the old one was read to.
                self._close(replaced)
                replaced.tail.move_to(fd)
                del self._files[replaced.key]
                replaced.key, replaced.gone_since = key, None
                self._files[key] = self._open[key] = replaced
                return
        # Content from before the run (untouched since it started) belongs to an earlier run.
        old = first and st.st_mtime < self.context.start_time
        try:
            followed = _Followed(path, self._name(path), fd, key, st.st_size if old else 0)
        except OSError:
            self._close_fd(fd)
            return
        if old and st.st_size:
            self._read_header(followed)
        self._files[key] = self._open[key] = followed

    def _name(self, path: str) -> str:
        try:
            rel = os.path.relpath(path, str(self.context.cwd))
        except ValueError:
            return path
        return path if rel.startswith("..") else rel

    def _read_header(self, followed: _Followed) -> None:
        """For a file followed from its end: its format and CSV header, from its start."""
        head = os.pread(followed.tail.fd, 65536, 0)
        line = head.split(b"\n", 1)[0]
        if followed.format is None:
            followed.format = "jsonl" if line.lstrip().startswith(b"{") else "csv"
        if followed.format == "csv" and b"\n" in head:
            dropped: Dict[str, int] = {}
            self._csv_line(followed, line.rstrip(b"\r"), dropped)
            for kind, n in dropped.items():
                self._bad(followed, kind, n)

    def _close(self, followed: _Followed) -> None:
        self._open.pop(followed.key, None)
        self._close_fd(followed.tail.park())

    @staticmethod
    def _close_fd(fd: Optional[int]) -> None:
        if fd is None:
            return
        try:
            os.close(fd)
        except OSError:
            pass

    # -- reading -------------------------------------------------------------------------

    def _read(self, followed: _Followed, final: bool = False) -> bool:
        """Read what the file gained; True if it gave any line."""
        tail = followed.tail
        long_before = tail.long_lines
        lines = tail.read(final)
        if tail.restarted:
            tail.restarted = False
            followed.forget_content()
        if tail.long_lines != long_before:
            self._bad(followed, "long_line", tail.long_lines - long_before)
        if tail.unterminated:
            # The final read's last line lacks its newline: taken if it parses, and not
            # counted as garbage if it does not (it may be a write cut short).
            self._emit(followed, lines[:-1])
            self._emit(followed, lines[-1:], quiet=True)
        else:
            self._emit(followed, lines)
        return bool(lines)

    def _emit(self, f: _Followed, lines: List[bytes], quiet: bool = False) -> None:
        now = time.time()
        base = {"_time": now, "_runtime": round(self.context.clock.runtime_at(now), 6)}
        records = []
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line.strip():
                continue
            if f.format is None:
                f.format = "jsonl" if line.lstrip().startswith(b"{") else "csv"
            dropped: Dict[str, int] = {}
            if f.format == "jsonl":
                parsed = parse_json_line(line, dropped)
            else:
                parsed = self._csv_line(f, line, dropped)
            for kind, n in dropped.items():
                self._bad(f, kind, n)
            if parsed is True:  # a CSV header
                continue
            if parsed is None:
                if not quiet:
                    self._bad(f, "bad_line")
                continue
            metrics, step = parsed
            if not metrics or self._replayed(f, metrics, step) or not self.admit(metrics):
                continue
            record = dict(base)
            if step is not None:
                record["_step"] = step
            record["_file"] = f.name
            record.update(metrics)
            records.append(record)
        if records:
            self._write(records)

    @staticmethod
    def _replayed(f: _Followed, metrics: Dict[str, Any], step: Optional[int]) -> bool:
        """True for a record a rewritten file repeats from before the rewrite, in order;
        otherwise the record is remembered as taken from the file."""
        digest = hash(repr((step, sorted(metrics.items()))))  # column order may change
        if f.replayed is not None:
            if f.replayed < len(f.recorded) and f.recorded[f.replayed] == digest:
                f.replayed += 1
                return True
            del f.recorded[f.replayed:]  # the rewrite went its own way from here
            f.replayed = None
        f.recorded.append(digest)
        return False

    def _csv_line(self, f: _Followed, line: bytes, dropped: Dict[str, int]) -> Any:
        """True for a header row, (metrics, step) for a data row, None for garbage."""
        text = line.decode("utf-8", "replace")
        if f.delimiter is None:
            f.delimiter = "\t" if "\t" in text and "," not in text else ","
        try:
            row = next(csv.reader([text], delimiter=f.delimiter))
        except (csv.Error, StopIteration):
            return None
        row = [cell.strip() for cell in row]
        if f.header is None:
            f.header_row = row
            f.header = unique_names([c.lstrip("\ufeff") for c in row], dropped)
            return True
        if row == f.header_row:
            return True  # a program that restarted and wrote its header again
        if len(row) != len(f.header):
            return None
        values: Dict[str, Any] = {}
        for name, cell in zip(f.header, row):
            if name and cell:
                value = parse_number(cell)
                if value is not None:
                    values[name] = value
                else:
                    dropped[NOT_A_NUMBER] = dropped.get(NOT_A_NUMBER, 0) + 1
        return split_step(values, dropped)

    def _bad(self, f: _Followed, kind: str, n: int = 1) -> None:
        self.count(kind, n)
        if kind in WHAT:
            warn_once(f"files.{kind}", f"metrics file {f.name}: skipping {WHAT[kind]} "
                      "(counted in run.json)")
            return
        what = ("longer than 1 MiB" if kind == "long_line" else
                "not JSON objects (JSON Lines: one object per line)" if f.format == "jsonl"
                else "not CSV rows like the header")
        warn_once(f"files.{kind}", f"metrics file {f.name}: skipping lines that are {what} "
                  "(counted in run.json)")

    def _write(self, records: List[Dict[str, Any]]) -> None:
        try:
            if self._writer is None:
                self._writer = StreamWriter(stream_path(self.context.run_dir, SOURCE, self.context.part))
            self._writer.write_many(records)
            self.records += len(records)
        except OSError as e:
            self.count("write_error", len(records))
            warn_once("files.write", f"cannot write metrics-file records ({e}); dropping them",
                      e)

