"""What a collector that follows files in folders shares (the TensorBoard and wandb ones): a
reader thread of its own woken by the process's folder observer (dirwatch.py), and the stop —
stop watching, let the thread finish, then read what is left, since the child has exited.
"""
from __future__ import annotations

import threading
from typing import List, Optional, Tuple

from runwrap.collectors import dirwatch
from runwrap.collectors.base import Collector, CollectorContext, warn_once

STOP_WAIT = 60.0  # seconds stop() gives the reader thread (it may be walking a large tree)


class WatchingCollector(Collector):
    """A subclass names its thread and its stop warning, and writes `_run` (the thread: wait
    on `_wake`, read, until `_stopping`), `_on_change` (on the observer's thread: note the
    path, set `_wake`, return), `_read_rest` and `_close`."""

    THREAD_NAME = "runwrap-watch"
    STOP_WARNING = ("watch-stop", "a folder reader did not stop in time")  # (kind, message)

    def __init__(self, ctx: CollectorContext):
        super().__init__(ctx)
        self._wake = threading.Event()
        self._stopping = False
        self._thread: Optional[threading.Thread] = None
        self._subscriptions: List[Tuple[str, bool]] = []  # (folder, recursive) watched

    def start(self) -> None:
        """Returns at once: watching and reading happen on the collector's thread."""
        self._thread = threading.Thread(target=self._run, name=self.THREAD_NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, then read everything written so far (the child has exited)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_WAIT)
        for path, recursive in self._subscriptions:
            dirwatch.unsubscribe(path, self._on_change, recursive)
        self._subscriptions.clear()
        if self._thread is not None and self._thread.is_alive():
            # Still reading or walking folders: reading as well would race it for the files.
            warn_once(*self.STOP_WARNING)
            return
        try:
            self._read_rest()
        finally:
            self._close()

    def _subscribe(self, path: str, recursive: bool) -> bool:
        """Watch folder `path` through the shared observer; False when it cannot be watched
        (or the collector is stopping): the caller looks at it by polling instead."""
        if self._stopping:
            return False
        if dirwatch.subscribe(path, self._on_change, recursive=recursive):
            self._subscriptions.append((path, recursive))
            return True
        return False

    def _watches(self, path: str) -> bool:
        return any(folder == path for folder, _ in self._subscriptions)

    def _run(self) -> None:
        raise NotImplementedError

    def _on_change(self, path: str, is_directory: bool) -> None:
        raise NotImplementedError

    def _read_rest(self) -> None:
        """At stop, with the thread ended: read everything not read yet."""
        raise NotImplementedError

    def _close(self) -> None:
        """At stop, after the last read: close what the collector writes."""
        raise NotImplementedError
