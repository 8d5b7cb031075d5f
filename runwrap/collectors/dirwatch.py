"""The process's one watchdog observer, shared by every collector that watches folders.

Each watchdog observer is a thread plus (on Linux) an inotify instance, and the kernel limits
inotify instances per user (128 by default), so a process keeps exactly one and lets every
watcher subscribe to folders through it. Callbacks run on the observer's thread: they must only
note the path and return (collectors wake their own reader thread).

Only events that mean "a new entry here" or "a writer is done" are passed on: created, moved
(the destination) and closed-after-write; with watchdog >= 4 the kernel does not even report the
others. Growth of a file that stays open is NOT reported (that would be an event for every write
anywhere below the folder, our own run directory included): subscribers poll the sizes of the
few files they care about instead.
"""
from __future__ import annotations

import os
import threading
from typing import Callable, Dict, FrozenSet, Optional, Tuple

__all__ = ["subscribe", "unsubscribe", "Callback"]

# callback(path, is_directory); `path` is absolute (for moves, the destination).
Callback = Callable[[str, bool], None]

_PASSED = {"created", "moved", "closed"}

_lock = threading.Lock()  # held by subscribe/unsubscribe; never by the observer's thread
_observer = None
# (folder, recursive) -> (watchdog's watch, its subscribers). The subscriber set is replaced,
# never changed in place, so the observer's thread reads it without the lock: it must not take
# `_lock`, because unsubscribe() holds `_lock` while watchdog's unschedule() waits for the
# observer's own lock, which watchdog holds while it runs a handler (a deadlock otherwise).
_watches: Dict[Tuple[str, bool], Tuple[object, FrozenSet[Callback]]] = {}


def _handler_for(key: Tuple[str, bool]):
    # start-up: watchdog is imported only where it is used
    from watchdog.events import FileSystemEventHandler

    class _Dispatch(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type not in _PASSED:
                return
            path = getattr(event, "dest_path", "") or event.src_path
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            entry = _watches.get(key)
            for callback in entry[1] if entry else ():
                try:
                    callback(path, event.is_directory)
                except Exception:  # a subscriber's bug must not stop the shared observer
                    pass

    return _Dispatch()


def _schedule(observer, handler, path: str, recursive: bool):
    from watchdog import events  # start-up: watchdog is imported only where it is used

    try:
        # watchdog >= 4 asks the kernel for just these events: writes to open files (every
        # line of output.log, every stream record) then cost nothing at all.
        wanted = [events.FileCreatedEvent, events.DirCreatedEvent, events.FileMovedEvent,
                  events.DirMovedEvent, events.FileClosedEvent]
        return observer.schedule(handler, path, recursive=recursive, event_filter=wanted)
    except (TypeError, AttributeError):  # older watchdog: every event, filtered in Python
        return observer.schedule(handler, path, recursive=recursive)


def subscribe(path: str, callback: Callback, recursive: bool = False) -> bool:
    """Call `callback` for changes in folder `path` (and below it if `recursive`).

    Returns False when the folder cannot be watched (watchdog missing, folder gone, inotify
    limits reached); the caller should poll that folder instead.
    """
    global _observer
    key = (os.path.abspath(path), recursive)
    with _lock:
        entry = _watches.get(key)
        if entry is not None:
            _watches[key] = (entry[0], entry[1] | {callback})
            return True
        try:
            # start-up: watchdog is imported only where it is used
            from watchdog.observers import Observer

            if _observer is None:
                import logging  # start-up: loaded only on the path that needs it

                # watchdog logs its own hiccups (a watch removed while its thread ends) through
                # logging's last-resort handler, i.e. onto the user's stderr, --quiet or not;
                # runwrap's warnings are its own (notices.py).
                logging.getLogger("watchdog").addHandler(logging.NullHandler())
                _observer = Observer()
                _observer.daemon = True
                _observer.start()
            watch = _schedule(_observer, _handler_for(key), key[0], recursive)
        except Exception:  # ImportError, OSError (ENOSPC: inotify watches exhausted), ...
            return False
        _watches[key] = (watch, frozenset((callback,)))
        return True


def unsubscribe(path: str, callback: Callback, recursive: bool = False) -> None:
    """Undo `subscribe`; the observer stops when nobody watches anything any more."""
    global _observer
    key = (os.path.abspath(path), recursive)
    observer: Optional[object] = None
    with _lock:
        entry = _watches.get(key)
        if entry is None:
            return
        left = entry[1] - {callback}
        if left:
            _watches[key] = (entry[0], left)
            return
        del _watches[key]
        try:
            _observer.unschedule(entry[0])  # type: ignore[union-attr]
        except Exception:  # the folder may be gone already
            pass
        if not _watches:
            observer, _observer = _observer, None
    if observer is not None:
        observer.stop()  # type: ignore[attr-defined]
        observer.join(timeout=2)  # type: ignore[attr-defined]
