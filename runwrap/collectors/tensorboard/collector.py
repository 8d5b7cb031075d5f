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
(unless) they change again; so are files modified just before the start (within the slack left
for coarse file times) whose names say they were created before it: the previous run of a
sweep loop, still closing its file as this one starts.

Which files and what their metrics are called: files.py. Reading a file into
records: reader.py. This module watches and polls, on a thread of its own.

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
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set

from runwrap.collectors.base import CollectorContext, warn_once
from runwrap.collectors.watching import WatchingCollector
from runwrap.collectors.tensorboard.files import (MAX_DIRS, Roots, count_dirs, created_at,
                                        discovery_depth, explicit_root, is_event_file,
                                        name_root, scan, StableNames)
from runwrap.store.documents import read_json, write_json
from runwrap.store.layout import RUN_JSON, tensorboard_files_doc
from runwrap.store.streams import StreamWriter, stream_path

if TYPE_CHECKING:
    from runwrap.collectors.tensorboard.reader import EventFile

__all__ = ["TensorBoardCollector", "SOURCE"]

SOURCE = "tensorboard"
WATCH_TREE_LIMIT = 20000  # a working directory with more folders is rescanned, not watched
POLL_INTERVAL = 0.5  # seconds between size checks of known files: the live delay
START_DELAY = 0.3  # seconds before watching starts (see _run)
RESCAN_INTERVAL = 5.0  # seconds between rescans of folders that could not be watched
OLD_FILE_SLACK = 2.0  # a file modified this long before the run started is an earlier run's
BATCH = 2000  # records per write


class TensorBoardCollector(WatchingCollector):
    """Imports scalars from TensorBoard event files into `streams/tensorboard[.<part>].jsonl`."""

    what = "TensorBoard"  # in the warning past MAX_KEYS names
    THREAD_NAME = "runwrap-tensorboard"
    STOP_WARNING = ("tensorboard-stop", "TensorBoard import did not stop in time; "
                                        "the last events may be missing")

    def __init__(self, ctx: CollectorContext, dirs: List[str], discovery: bool,
                 part: Optional[str] = None,
                 on_records: Optional[Callable[[List[dict]], None]] = None):
        """`on_records`, when given, also sees every batch written (a standalone init() adds
        them to its summary)."""
        super().__init__(ctx)
        cwd = os.path.abspath(str(ctx.cwd))
        self._roots = Roots(explicit=[], learned=[], discovery=cwd if discovery else None,
                            store=os.path.abspath(str(ctx.store_root)), cwd=cwd)
        for d in dirs:
            self._add_explicit(d)
        self._path = stream_path(ctx.run_dir, SOURCE, part)
        self._names = StableNames()
        self._files_doc = tensorboard_files_doc(ctx.run_dir, part)
        self._on_records = on_records
        self._writer: Optional[StreamWriter] = None
        self._files: Dict[str, "EventFile"] = {}
        self._ignored: Dict[str, float] = {}  # earlier runs' files -> their mtime when seen
        self._dirty: Set[str] = set()  # event files to read (from events and scans)
        self._new_dirs: Set[str] = set()  # folders that appeared (from events)
        self._lock = threading.Lock()
        self._unwatched: List[str] = []  # roots we could not watch: rescanned every so often
        self._pending: List[str] = []  # folders to watch that do not exist (yet)
        self._run_json = ctx.run_dir / RUN_JSON
        self._run_json_mtime: Optional[float] = None
        self._ready = threading.Event()

    def _add_explicit(self, folder: str) -> Optional[str]:
        path = os.path.abspath(os.path.join(self._roots.cwd, os.path.expanduser(str(folder))))
        if path in self._roots.explicit:
            return None
        self._roots.explicit.append(path)
        return path

    def add_dir(self, folder: str) -> None:
        """Read `folder` too, from now on, as if given with --tensorboard (a standalone
        init(sync_tensorboard=True) learns its SummaryWriters' folders while it runs)."""
        path = self._add_explicit(folder)
        if path is not None:
            self._pending.append(path)  # watched and read at the next poll
            self._wake.set()

    # -- lifecycle ---------------------------------------------------------------------------

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until the folders are watched and the files already there are read."""
        return self._ready.wait(timeout)

    def _read_rest(self) -> None:
        self._learn_dirs()
        self._check_pending()
        self._rescan(everything=True)
        self._read_pending(poll=True, old_files=True)

    def _close(self) -> None:
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
        for root in list(self._roots.explicit):
            if not os.path.isdir(root):
                self._pending.append(root)  # checked at every poll until it appears
                continue
            if not self._watch_tree(root):
                self._unwatched.append(root)
            self._scan(root, 0, explicit=True)
        root = self._roots.discovery
        if root is not None:
            if count_dirs(root, WATCH_TREE_LIMIT) >= WATCH_TREE_LIMIT:
                warn_once("tensorboard-tree", f"{root} holds more than {WATCH_TREE_LIMIT} "
                          "folders, too many to watch; looking for new TensorBoard files "
                          f"every {RESCAN_INTERVAL:g} s instead (or name them with "
                          "--tensorboard DIR)")
                self._unwatched.append(root)
            elif not self._watch_tree(root):
                self._unwatched.append(root)
            self._scan(root, 0, explicit=False)

    def _watch_tree(self, path: str) -> bool:
        if self._stopping:
            return False  # stop() reads what is there; nothing to watch any more
        if self._subscribe(path, recursive=True):
            return True
        warn_once("tensorboard-watch", f"cannot watch {path} for TensorBoard files; "
                                       f"looking every {RESCAN_INTERVAL:g} s instead")
        return False

    def _scan(self, top: str, depth: int, explicit: bool) -> None:
        """Note every event file under `top` (all of it if explicit, else bounded discovery)."""
        found = scan(top, depth, explicit, self._roots)
        if found.truncated:
            warn_once("tensorboard-dirs", f"TensorBoard discovery looks at only {MAX_DIRS} "
                      f"folders under {self._roots.discovery}; name the log folder with "
                      "--tensorboard DIR")
        with self._lock:
            self._dirty.update(found.files)

    def _on_new_dir(self, path: str) -> None:
        # A new folder may hold files that were created before its watch existed.
        if explicit_root(path, self._roots) is not None:
            self._scan(path, 0, explicit=True)
            return
        depth = discovery_depth(path, self._roots)
        if depth is not None:
            self._scan(path, depth, explicit=False)

    def _rescan(self, everything: bool = False) -> None:
        """Look again in the folders we could not watch (at the end: in every folder)."""
        roots = list(self._unwatched)
        if everything:
            roots = (self._roots.explicit + self._roots.learned
                     + ([self._roots.discovery] if self._roots.discovery else []))
        for root in roots:
            self._scan(root, 0, explicit=root != self._roots.discovery)
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
            root = os.path.abspath(os.path.join(self._roots.cwd, d))
            if root not in self._roots.learned and root not in self._roots.explicit:
                self._roots.learned.append(root)
                self._pending.append(root)

    def _check_pending(self) -> None:
        """Watch and read each folder to watch that has appeared since the last check."""
        for root in list(self._pending):
            if os.path.isdir(root):
                self._pending.remove(root)
                if not self._covered(root) and not self._watch_tree(root):
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

    def _state_for(self, path: str) -> Optional["EventFile"]:
        state = self._files.get(path)
        if state is not None:
            return state
        path = os.path.abspath(path)
        root = name_root(path, self._roots)
        if root is None:
            return None
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        start = self.context.start_time
        if mtime < start - OLD_FILE_SLACK or (
                mtime < start and (created_at(path) or start) < int(start)):
            self._ignored[path] = mtime  # an earlier run's file: only if it changes again
            return None
        self._ignored.pop(path, None)
        # The reader (and the C CRC package, with importlib.metadata behind it) is imported
        # when the first event file is read: a run that writes none never pays for it.
        # start-up: loaded only on the path that needs it
        from runwrap.collectors.tensorboard.reader import EventFile

        state = self._files[path] = EventFile(path, self._names.prefix(path, root))
        self._record_file_names()
        return state

    def _record_file_names(self) -> None:
        """Which file each series came from: the names no longer carry the run folders."""
        cwd = self._roots.cwd + os.sep
        files = {(p[len(cwd):] if p.startswith(cwd) else p): prefix
                 for p, prefix in self._names.files.items()}
        try:
            write_json(self._files_doc, {"files": files})
        except OSError as exc:
            warn_once("tensorboard-files", f"cannot write {self._files_doc}: {exc.strerror}", exc)

    def _read(self, path: str) -> None:
        state = self._state_for(path)
        if state is None:
            return
        batch: List[dict] = []
        for record in state.records(self.context.start_time):
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
        self._count_skipped(state)

    def _count_skipped(self, state: "EventFile") -> None:
        """Values of other plugins (images, histograms...) are counted, not imported; damage
        is counted and said once."""
        skipped = state.skipped()
        for kind, n in skipped.items():
            self.count(kind, n)
        if "bad_event" in skipped:
            warn_once("tensorboard-bad-event",
                      f"skipping an undecodable record in {state.path} (CRC was valid)")
        if "crc" in skipped:
            warn_once("tensorboard-crc", f"skipped a corrupted record in {state.path} "
                                         "(CRC mismatch); reading on from the next valid one")

    def _write(self, records: List[dict]) -> None:
        records = [r for r in records if self.admit(r)]
        if not records:
            return
        try:
            if self._writer is None:
                self._writer = StreamWriter(self._path)
            self._writer.write_many(records)
        except OSError as exc:  # disk full...: count, warn once, keep going
            self.count("write_failed", len(records))
            warn_once("tensorboard-write", f"cannot write {self._path}: {exc}", exc)
            return
        if self._on_records is not None:
            self._on_records(records)

