"""TensorBoard event files -> `streams/tensorboard.jsonl`, live, while the child writes them.

Where files come from:
- every `--tensorboard DIR` (watched recursively, whether it exists yet or appears later);
- with discovery on, any `events.out.tfevents.*` under the child's working directory, at most
  `MAX_DEPTH` folders down, never inside the run store, hidden folders, virtualenvs or
  `__pycache__`/`node_modules`, and at most `MAX_DIRS` folders (then a warning: name the
  folder with --tensorboard).
- every log folder that `runwrap.init(sync_tensorboard=True)` in the child learned from its
  SummaryWriters and listed in run.json `tensorboard_dirs` (inside the working directory or not).
Files last modified before the run started belong to earlier runs and are left alone until
(unless) they change again.

Metric names: the file's folder relative to the folder it was found under, joined with the tag,
so `logs/train/events...` watched as `--tensorboard logs` gives `train/loss`, and two writers
never clash. Discovered files are named relative to the working directory (`logs/train/loss`),
and so are the files of log folders the child reported, unless such a folder is outside it:
then relative to its parent (`/scratch/exp/train` gives `train/loss`). One record per event: `{"_step", "_time" (the event's wall_time), "_runtime",
name: value, ...}`.

How it stays live: the process's one watchdog observer (collectors.dirwatch) wakes a reader
thread when a file changes; the thread also polls the sizes of known files every
`POLL_INTERVAL` seconds, so a missed event (inotify limits, network filesystems) costs at most
that much delay, never data. `stop()` does a last full scan and read, so nothing written before
the child exited is lost.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

from runwrap.collectors import dirwatch
from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.collectors.tfevent import DecodeError, EventDecoder, ScalarEvent
from runwrap.collectors.tfrecord import RecordReader
from runwrap.store.documents import read_json
from runwrap.store.layout import RUN_JSON
from runwrap.store.streams import StreamWriter, stream_path

__all__ = ["TensorBoardCollector", "watch_dirs", "read_event_file", "is_event_file", "SOURCE"]

SOURCE = "tensorboard"
MAX_DEPTH = 6  # discovery looks at most this many folders below the working directory
MAX_DIRS = 2000  # discovery looks into at most this many folders
WATCH_TREE_LIMIT = 20000  # a working directory with more folders is rescanned, not watched
POLL_INTERVAL = 0.5  # seconds between size checks of known files: the live delay
START_DELAY = 0.3  # seconds before watching starts (see _run)
RESCAN_INTERVAL = 5.0  # seconds between rescans of folders that could not be watched
OLD_FILE_SLACK = 2.0  # a file modified this long before the run started is an earlier run's
BATCH = 2000  # records per write

_SKIP_NAMES = {"__pycache__", "node_modules", "site-packages"}


def is_event_file(name: str) -> bool:
    """TensorBoard's own test: the file name holds `tfevents`."""
    return "tfevents" in name


def _entries(path: str) -> List["os.DirEntry[str]"]:
    try:
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return []


def _count_dirs(top: str, limit: int) -> int:
    """Folders under `top` (hidden ones too: a recursive watch covers them), up to `limit`."""
    count = 0
    stack = [top]
    while stack and count < limit:
        for entry in _entries(stack.pop()):
            if entry.is_dir(follow_symlinks=False):
                count += 1
                stack.append(entry.path)
    return count


def _prefix(path: str, root: str) -> str:
    """"train/" for root/train/events..., "" for a file directly in root."""
    folder = os.path.relpath(os.path.dirname(path), root)
    return "" if folder == "." else folder.replace(os.sep, "/") + "/"


def read_event_file(path: "str | Path") -> Iterator[ScalarEvent]:
    """Every scalar event of one file, as (wall_time, step, [(tag, value), ...])."""
    decoder = EventDecoder()
    for record in RecordReader(path).read():
        try:
            event = decoder.decode(record)
        except DecodeError:
            continue
        if event is not None:
            yield event


class _File:
    """What we know of one event file: where we are in it and what its metrics are called."""

    __slots__ = ("path", "prefix", "reader", "decoder", "size", "counted_corrupt", "other")

    def __init__(self, path: str, prefix: str):
        self.path = path
        self.prefix = prefix  # "train/" (or "" at the watched folder itself)
        self.reader = RecordReader(path)
        self.decoder = EventDecoder()
        self.size = -1  # size at the last read
        self.counted_corrupt = 0
        self.other: Dict[str, int] = {}


class TensorBoardCollector(Collector):
    """Imports scalars from TensorBoard event files into `streams/tensorboard[.<part>].jsonl`."""

    def __init__(self, ctx: CollectorContext, dirs: List[str], discovery: bool,
                 part: Optional[str] = None):
        super().__init__(ctx)
        self._explicit: List[str] = []
        for d in dirs:
            path = os.path.abspath(os.path.join(str(ctx.cwd), os.path.expanduser(str(d))))
            if path not in self._explicit:
                self._explicit.append(path)
        self._discovery_root: Optional[str] = os.path.abspath(str(ctx.cwd)) if discovery else None
        self._store_root = os.path.abspath(str(ctx.store_root))
        self._path = stream_path(ctx.run_dir, SOURCE, part)
        self._writer: Optional[StreamWriter] = None
        self._files: Dict[str, _File] = {}
        self._ignored: Dict[str, float] = {}  # earlier runs' files -> their mtime when seen
        self._dirty: Set[str] = set()  # event files to read (from events and scans)
        self._new_dirs: Set[str] = set()  # folders that appeared (from events)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: Optional[threading.Thread] = None
        self._subscriptions: List[Tuple[str, bool]] = []
        self._unwatched: List[str] = []  # roots we could not watch: rescanned every so often
        self._pending: List[str] = []  # folders to watch that do not exist (yet)
        self._learned: List[str] = []  # log folders the child's runwrap.init() reported
        self._run_json = ctx.run_dir / RUN_JSON
        self._run_json_mtime: Optional[float] = None
        self._ready = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Returns at once: watching (which walks folders) starts on the collector's thread."""
        self._thread = threading.Thread(target=self._run, name="runwrap-tensorboard",
                                        daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until the folders are watched and the files already there are read."""
        return self._ready.wait(timeout)

    def stop(self) -> None:
        """Stop watching, then read everything written so far (the child has exited)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        for path, recursive in list(self._subscriptions):
            dirwatch.unsubscribe(path, self._on_change, recursive)
        self._subscriptions.clear()
        if self._thread is not None and self._thread.is_alive():
            # Still walking folders: reading as well would race it for the same files.
            warn_once("tensorboard-stop", "TensorBoard import did not stop in time; "
                                          "the last events may be missing")
            return
        try:
            self._learn_dirs()
            self._check_pending()
            self._rescan(everything=True)
            self._read_pending(poll=True, old_files=True)
        finally:
            self._flush_counts()
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    # -- watching ----------------------------------------------------------------------------

    def _on_change(self, path: str, is_directory: bool) -> None:
        """Runs on the observer's thread: note the path, wake the reader, return."""
        with self._lock:
            if is_directory:
                self._new_dirs.add(path)
            elif is_event_file(os.path.basename(path)):
                self._dirty.add(path)
            else:
                return
        self._wake.set()

    def _watch(self) -> None:
        for root in self._explicit:
            if not os.path.isdir(root):
                self._pending.append(root)  # checked at every poll until it appears
                continue
            if not self._subscribe(root):
                self._unwatched.append(root)
            self._scan(root, 0, explicit=True)
        root = self._discovery_root
        if root is not None:
            if _count_dirs(root, WATCH_TREE_LIMIT) >= WATCH_TREE_LIMIT:
                warn_once("tensorboard-tree", f"{root} holds more than {WATCH_TREE_LIMIT} "
                          "folders, too many to watch; looking for new TensorBoard files "
                          f"every {RESCAN_INTERVAL:g} s instead (or name them with "
                          "--tensorboard DIR)")
                self._unwatched.append(root)
            elif not self._subscribe(root):
                self._unwatched.append(root)
            self._scan(root, 0, explicit=False)

    def _subscribe(self, path: str) -> bool:
        if self._stopping:
            return False  # stop() reads what is there; nothing to watch any more
        if dirwatch.subscribe(path, self._on_change, recursive=True):
            self._subscriptions.append((path, True))
            return True
        warn_once("tensorboard-watch", f"cannot watch {path} for TensorBoard files; "
                                       f"looking every {RESCAN_INTERVAL:g} s instead")
        return False

    def _excluded(self, path: str, name: str) -> bool:
        """Folders discovery never enters: hidden ones, the run store, virtualenvs, caches."""
        return (name.startswith(".") or name in _SKIP_NAMES or path == self._store_root
                or os.path.isfile(os.path.join(path, "pyvenv.cfg")))

    def _discovery_depth(self, folder: str) -> Optional[int]:
        """How deep `folder` is below the discovery root, or None when discovery skips it."""
        root = self._discovery_root
        if root is None:
            return None
        rel = os.path.relpath(folder, root)
        if rel == ".":
            return 0
        if rel.startswith(".."):
            return None
        parts = rel.split(os.sep)
        if len(parts) > MAX_DEPTH:
            return None
        current = root
        for part in parts:
            current = os.path.join(current, part)
            if self._excluded(current, part):
                return None
        return len(parts)

    def _explicit_root(self, path: str) -> Optional[str]:
        """The --tensorboard folder (or learned log folder) holding `path`, if any."""
        for root in self._explicit + self._learned:
            if path == root or path.startswith(root + os.sep):
                return root
        return None

    def _name_root(self, path: str) -> Optional[str]:
        """The folder an event file's metric names are relative to; None: not ours to read.

        A --tensorboard folder; else the working directory, for files discovery accepts and
        for files in log folders the child reported; else, for a reported folder outside the
        working directory, its parent (so sibling writers, `exp/train` and `exp/eval`, stay
        apart as `train/...` and `eval/...`)."""
        for root in self._explicit:
            if path.startswith(root + os.sep):
                return root
        cwd = os.path.abspath(str(self.context.cwd))
        for root in self._learned:
            if path.startswith(root + os.sep):
                return cwd if root.startswith(cwd + os.sep) else os.path.dirname(root)
        if self._discovery_depth(os.path.dirname(path)) is not None:
            return self._discovery_root
        return None

    def _scan(self, top: str, depth: int, explicit: bool) -> None:
        """Note every event file under `top` (all of it if explicit, else bounded discovery)."""
        stack = [(top, depth)]
        seen = 0
        while stack:
            path, level = stack.pop()
            seen += 1
            if not explicit and seen > MAX_DIRS:
                warn_once("tensorboard-dirs", f"TensorBoard discovery looks at only {MAX_DIRS} "
                          f"folders under {self._discovery_root}; name the log folder with "
                          "--tensorboard DIR")
                return
            for entry in _entries(path):
                if entry.is_dir(follow_symlinks=False):
                    if entry.path == self._store_root:
                        continue
                    if explicit:
                        stack.append((entry.path, level + 1))
                    elif level < MAX_DEPTH and not self._excluded(entry.path, entry.name):
                        stack.append((entry.path, level + 1))
                elif is_event_file(entry.name):
                    with self._lock:
                        self._dirty.add(entry.path)

    def _on_new_dir(self, path: str) -> None:
        # A new folder may hold files that were created before its watch existed.
        if self._explicit_root(path) is not None:
            self._scan(path, 0, explicit=True)
            return
        depth = self._discovery_depth(path)
        if depth is not None:
            self._scan(path, depth, explicit=False)

    def _rescan(self, everything: bool = False) -> None:
        """Look again in the folders we could not watch (at the end: in every folder)."""
        roots = list(self._unwatched)
        if everything:
            roots = (self._explicit + self._learned
                     + ([self._discovery_root] if self._discovery_root else []))
        for root in roots:
            self._scan(root, 0, explicit=root != self._discovery_root)
        with self._lock:
            new_dirs, self._new_dirs = self._new_dirs, set()
        for path in new_dirs:
            self._on_new_dir(path)

    # -- reading -----------------------------------------------------------------------------

    def _run(self) -> None:
        # A run that ends at once (`runwrap -- true`) skips the watchdog import and the folder
        # walk here: stop() rescans and reads everything anyway.
        self._wake.wait(START_DELAY)
        if self._stopping:
            self._ready.set()
            return
        self._wake.clear()
        try:
            self._watch()
            self._read_pending(poll=False)
        except Exception as exc:  # recording must never take the wrapper down
            warn_once("tensorboard-error", f"TensorBoard import error: {exc!r}")
        self._ready.set()
        last_rescan = time.monotonic()
        while not self._stopping:
            self._wake.wait(POLL_INTERVAL)
            self._wake.clear()
            if self._stopping:
                return
            try:
                with self._lock:
                    new_dirs, self._new_dirs = self._new_dirs, set()
                for path in new_dirs:
                    self._on_new_dir(path)
                self._learn_dirs()
                self._check_pending()
                rescan = time.monotonic() - last_rescan >= RESCAN_INTERVAL
                if rescan:
                    last_rescan = time.monotonic()
                    if self._unwatched:
                        self._rescan()
                self._read_pending(poll=True, old_files=rescan)
            except Exception as exc:
                warn_once("tensorboard-error", f"TensorBoard import error: {exc!r}; retrying")

    def _learn_dirs(self) -> None:
        """Watch the log folders that `runwrap.init(sync_tensorboard=True)` in the child learned
        from its SummaryWriters (run.json `tensorboard_dirs`): they may lie outside the working
        directory, or in folders discovery skips. Checked at every poll: one stat."""
        try:
            mtime = os.stat(self._run_json).st_mtime
        except OSError:
            return
        if mtime == self._run_json_mtime:
            return
        self._run_json_mtime = mtime
        doc = read_json(self._run_json, {})
        dirs = doc.get("tensorboard_dirs") if isinstance(doc, dict) else None
        for d in dirs if isinstance(dirs, list) else []:
            if not isinstance(d, str):
                continue
            root = os.path.abspath(os.path.join(str(self.context.cwd), d))
            if root not in self._learned and root not in self._explicit:
                self._learned.append(root)
                self._pending.append(root)

    def _check_pending(self) -> None:
        """Watch and read each folder to watch that has appeared since the last check."""
        for root in list(self._pending):
            if os.path.isdir(root):
                self._pending.remove(root)
                if not self._covered(root) and not self._subscribe(root):
                    self._unwatched.append(root)
                self._scan(root, 0, explicit=True)

    def _covered(self, path: str) -> bool:
        """Whether a recursive watch we hold already sees `path`."""
        return any(recursive and (path == watched or path.startswith(watched + os.sep))
                   for watched, recursive in self._subscriptions)

    def _read_pending(self, poll: bool, old_files: bool = False) -> None:
        """Read the files events or scans named, every known file that grew (`poll`), and
        earlier runs' files that changed after all (`old_files`: there may be many of them,
        so they are checked only every RESCAN_INTERVAL)."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        if poll:
            for path, state in self._files.items():
                try:
                    if os.stat(path).st_size != state.size:
                        dirty.add(path)
                except OSError:
                    pass
        if old_files:
            for path, mtime in self._ignored.items():
                try:
                    if os.stat(path).st_mtime != mtime:
                        dirty.add(path)
                except OSError:
                    pass
        for path in sorted(dirty):
            if self._stopping and threading.current_thread() is self._thread:
                return  # stop() rescans and reads everything itself
            self._read(path)
        self._flush_counts()

    def _state_for(self, path: str) -> Optional[_File]:
        state = self._files.get(path)
        if state is not None:
            return state
        path = os.path.abspath(path)
        root = self._name_root(path)
        if root is None:
            return None
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        if mtime < self.context.start_time - OLD_FILE_SLACK:
            self._ignored[path] = mtime  # an earlier run's file: only if it changes again
            return None
        self._ignored.pop(path, None)
        state = self._files[path] = _File(path, _prefix(path, root))
        return state

    def _read(self, path: str) -> None:
        state = self._state_for(path)
        if state is None:
            return
        try:
            # Taken before reading: bytes that land while we read change the size again, so
            # the next poll comes back for them.
            state.size = os.stat(path).st_size
        except OSError:
            pass
        start = self.context.start_time
        prefix = state.prefix
        decoder = state.decoder
        batch: List[dict] = []
        for data in state.reader.read():
            try:
                event = decoder.decode(data)
            except DecodeError:
                self.count("bad_event")
                warn_once("tensorboard-bad-event",
                          f"skipping an undecodable record in {path} (CRC was valid)")
                continue
            if event is None or not event[2]:
                continue
            wall_time, step, values = event
            record: dict = {"_step": step, "_time": wall_time, "_runtime": wall_time - start}
            for tag, value in values:
                record[prefix + tag] = int(value) if isinstance(value, bool) else value
            batch.append(record)
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
                if self._stopping and threading.current_thread() is self._thread:
                    # stop() is waiting to do the last read itself: hand the file over.
                    state.size = -1
                    break
        if batch:
            self._write(batch)
        corrupt = state.reader.corrupt
        if corrupt > state.counted_corrupt:
            self.count("crc", corrupt - state.counted_corrupt)
            state.counted_corrupt = corrupt
            warn_once("tensorboard-crc", f"skipped a corrupted record in {path} "
                                         "(CRC mismatch); reading on from the next valid one")

    def _flush_counts(self) -> None:
        """Values of other plugins (images, histograms...) are counted, not imported."""
        for state in self._files.values():
            for kind, n in state.decoder.other.items():
                seen = state.other.get(kind, 0)
                if n > seen:
                    self.count(f"other:{kind}", n - seen)
                    state.other[kind] = n

    def _write(self, records: List[dict]) -> None:
        try:
            if self._writer is None:
                self._writer = StreamWriter(self._path)
            self._writer.write_many(records)
        except OSError as exc:  # disk full...: count, warn once, keep going
            self.count("write_failed", len(records))
            warn_once("tensorboard-write", f"cannot write {self._path}: {exc}")


def watch_dirs(ctx: CollectorContext, dirs: List[str], discovery: bool = False,
               part: Optional[str] = None) -> TensorBoardCollector:
    """Start importing TensorBoard files from `dirs` into the run at `ctx.run_dir` (for
    `runwrap.init(sync_tensorboard=True)`); call `.stop()` on the result at the end."""
    collector = TensorBoardCollector(ctx, dirs, discovery, part=part)
    collector.start()
    return collector
