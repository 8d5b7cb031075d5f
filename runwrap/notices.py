"""One-line warnings on stderr, each kind once: what a collector, the SDK or the uploader owes
the user when recording goes wrong (DESIGN: warn once, count, keep going)."""
from __future__ import annotations

import sys
import threading
from typing import Set


class WarnOnce:
    """Callable `(kind, message)`: prints `runwrap: warning: message` the first time `kind`
    is seen by this object, and nothing after."""

    def __init__(self) -> None:
        self._seen: Set[str] = set()
        self._lock = threading.Lock()

    def forget(self, kind: str) -> None:
        """Let `kind` be said again (tests that run several collectors in one process)."""
        with self._lock:
            self._seen.discard(kind)

    def __call__(self, kind: str, message: str) -> None:
        with self._lock:
            if kind in self._seen:
                return
            self._seen.add(kind)
        try:
            sys.stderr.write(f"runwrap: warning: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # stderr closed: recording goes on regardless


# The process-wide instance.
warn_once = WarnOnce()
