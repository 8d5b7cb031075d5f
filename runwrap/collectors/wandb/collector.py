"""wandb's transaction logs -> the run directory, live, while the child's wandb writes them.

Under runwrap, the child's wandb writes its files into the run directory (the wrapper sets
WANDB_DIR, wrap/runner.py), so its runs appear as `<run dir>/wandb/<run folder>/run-<id>.wandb`.
Programs that pass `dir=` to `wandb.init()` themselves (Lightning's WandbLogger passes
`save_dir`, "." by default) write under `<working directory>/wandb` instead, so that folder is
looked at too, for run folders made after the run started. wandb also uses `.wandb` in place
of `wandb` when that folder exists; both names are looked at.

How it stays live and costs nothing until wandb appears: a thread checks the modification time
of those few folders every POLL_INTERVAL (one stat each) and the size of each known log. Once a
wandb folder exists, the process's one watchdog observer (collectors.dirwatch) also wakes the
thread when a run folder or log appears in it. No watchdog import, no folder walk, no file
read happens for a program that never starts a wandb run. `stop()` reads everything to the
end, so nothing written before the child exited is lost.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Set

from runwrap.collectors.base import CollectorContext, warn_once
from runwrap.collectors.watching import WatchingCollector

if TYPE_CHECKING:  # imported when the first wandb log appears: start-up pays nothing for it
    from runwrap.collectors.wandb.reader import LogFile, WandbRecorder

__all__ = ["WandbCollector", "log_roots", "is_log_file"]

POLL_INTERVAL = 0.5  # seconds between checks of folders and log sizes: the live delay
START_DELAY = 0.2  # a run that ends before this never looks at the disk until stop()
OLD_FOLDER_SLACK = 2.0  # a run folder modified this long before the run started is older
FOLDER_NAMES = ("wandb", ".wandb")


def is_log_file(name: str) -> bool:
    """wandb's name for a run's transaction log: `run-<id>.wandb`."""
    return name.startswith("run-") and name.endswith(".wandb")


def log_roots(wandb_dirs: List[str]) -> List[str]:
    """The folders wandb puts its run folders in, for each folder it may be told to use."""
    roots: List[str] = []
    for d in wandb_dirs:
        for name in FOLDER_NAMES:
            path = os.path.join(os.path.abspath(d), name)
            if path not in roots:
                roots.append(path)
    return roots


class WandbCollector(WatchingCollector):
    """Follows every wandb run log the child writes; records them with a WandbRecorder."""

    THREAD_NAME = "runwrap-wandb"
    STOP_WARNING = ("wandb-stop", "wandb import did not stop in time; the last rows may be "
                                  "missing")

    def __init__(self, ctx: CollectorContext, wandb_dirs: List[str]):
        super().__init__(ctx)
        self._roots = log_roots(wandb_dirs)
        self._root_mtimes: Dict[str, float] = {}
        self._folders: Dict[str, float] = {}  # run folders seen -> their mtime when last listed
        self._logs: Dict[str, "LogFile"] = {}
        self._done: Set[str] = set()  # logs an earlier session of a resumed run recorded
        self._recorder: Optional["WandbRecorder"] = None

    def _read_rest(self) -> None:
        self._poll(final=True)

    def _close(self) -> None:
        if self._recorder is not None:
            self._recorder.close()

    def _on_change(self, path: str, is_directory: bool) -> None:
        """Runs on the observer's thread: just wake the reader."""
        self._wake.set()

    def _run(self) -> None:
        self._wake.wait(START_DELAY)
        while not self._stopping:
            self._wake.clear()
            try:
                self._poll(final=False)
            except Exception as exc:  # recording must never take the wrapper down
                warn_once("wandb-error", f"wandb import error: {exc!r}; retrying")
            self._wake.wait(POLL_INTERVAL)

    def _poll(self, final: bool) -> None:
        for root in self._roots:
            self._look_in_root(root, force=final)
        for folder in list(self._folders):
            self._look_in_folder(folder, force=final)
        recorder = self._recorder
        for path, log in list(self._logs.items()):
            if self._stopping and not final:
                return  # stop() reads everything itself
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if size != log.size or final:
                assert recorder is not None
                recorder.read(log, final=final,
                              should_stop=lambda: self._stopping and not final)
        if recorder is not None:
            recorder.flush_documents()

    def _look_in_root(self, root: str, force: bool) -> None:
        # A folder is listed again only when its mtime changed (an entry came or went); at the
        # end always, since two entries made within one mtime tick leave it unchanged.
        try:
            mtime = os.stat(root).st_mtime
        except OSError:
            return
        if self._root_mtimes.get(root) == mtime and not force:
            return
        self._root_mtimes[root] = mtime
        self._watch(root)
        try:
            # In name order: wandb names run folders by start time (offline-run-YYYYMMDD_HHMMSS-
            # <id>), so the first wandb run of the program is the one that gets wandb.jsonl.
            entries = sorted(os.scandir(root), key=lambda e: e.name.split("run-", 1)[-1])
        except OSError:
            return
        for entry in entries:
            if entry.path in self._folders or "run-" not in entry.name:
                continue
            try:
                if not entry.is_dir() or entry.stat().st_mtime < \
                        self.context.start_time - OLD_FOLDER_SLACK:
                    continue  # an earlier run's folder (a resumed run makes a new one)
            except OSError:
                continue
            self._folders[entry.path] = -1.0

    def _look_in_folder(self, folder: str, force: bool) -> None:
        try:
            mtime = os.stat(folder).st_mtime
        except OSError:
            return
        if self._folders[folder] == mtime and not force:
            return
        self._folders[folder] = mtime
        self._watch(folder)
        try:
            names = os.listdir(folder)
        except OSError:
            return
        for name in names:
            path = os.path.join(folder, name)
            if is_log_file(name) and path not in self._logs and path not in self._done:
                # start-up: loaded only on the path that needs it
                from runwrap.collectors.wandb.reader import LogFile, WandbRecorder

                if self._recorder is None:
                    self._recorder = WandbRecorder(self.context.run_dir,
                                                   self.context.start_time, self.count)
                if self._recorder.recorded_before(path):
                    self._done.add(path)
                    continue
                self._logs[path] = LogFile(path)

    def _watch(self, folder: str) -> None:
        if not self._watches(folder):
            self._subscribe(folder, recursive=False)
