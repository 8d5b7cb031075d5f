"""One-line warnings on stderr, each kind once: what a collector, the SDK or the uploader owes
the user when recording goes wrong (DESIGN: warn once, count, keep going)."""
from __future__ import annotations

import errno
import os
import sys
import threading
from typing import Optional, Set

from runwrap import env

# Errors that mean the store's disk has no room: one warning however many writers meet them.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def no_space(error: Optional[BaseException]) -> bool:
    """Whether `error` is a full disk (or quota)."""
    return isinstance(error, OSError) and error.errno in _NO_SPACE


def quiet() -> bool:
    """True under `--quiet` (in the wrapper and, through the variable, in its child)."""
    return os.environ.get(env.QUIET) == "1"


def warning(message: str) -> None:
    """`runwrap: warning: message` on stderr, unless quiet."""
    if not quiet():
        say(f"warning: {message}")


def say(message: str) -> None:
    """One line `runwrap: message` on stderr, now. A closed stderr is ignored: recording and
    the program go on regardless."""
    try:
        sys.stderr.write(f"runwrap: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # closed, or none at all (fd 2 closed)
        pass


class WarnOnce:
    """Callable `(kind, message, error=None)`: prints `runwrap: warning: message` the first
    time `kind` is seen by this object, and nothing after. A write that failed for want of
    space (`error`) is one kind, whatever was being written: a full disk is said once. Nothing
    at all is said when quiet."""

    def __init__(self) -> None:
        self._seen: Set[str] = set()
        self._lock = threading.Lock()

    def forget(self, kind: str) -> None:
        """Let `kind` be said again (tests that run several collectors in one process)."""
        with self._lock:
            self._seen.discard(kind)

    def __call__(self, kind: str, message: str, error: Optional[BaseException] = None) -> None:
        if no_space(error):
            kind = "no-space"
            message = (f"{message.split(';')[0]}; the disk is full: what cannot be written is "
                       f"skipped whole (counted in run.json), and recording goes on when space "
                       f"is freed")
        with self._lock:
            if kind in self._seen:
                return
            self._seen.add(kind)
        warning(message)


# The process-wide instance.
warn_once = WarnOnce()


# wandb.termlog/termwarn/termerror: the program's own messages, in runwrap's voice.
_said: Set[str] = set()


def _silent() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in (env.WANDB_SILENT, env.WANDB_QUIET))


def term(level: str, string: str = "", newline: bool = True, repeat: bool = True,
         prefix: bool = True) -> None:
    """One message on stderr (`runwrap: ` plus `WARNING `/`ERROR ` by level) unless
    WANDB_SILENT is set; `repeat=False` says each distinct message once."""
    if _silent():
        return
    text = str(string)
    if not repeat:
        if text in _said:
            return
        _said.add(text)
    head = ("runwrap: " + (f"{level} " if level else "")) if prefix else ""
    lines = text.split("\n") if prefix else [text]
    try:
        sys.stderr.write("\n".join(head + line for line in lines) + ("\n" if newline else ""))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    term("", string, newline, repeat, prefix)


def termwarn(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    term("WARNING", string, newline, repeat, prefix)


def termerror(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    term("ERROR", string, newline, repeat, prefix)
