"""The process's runs: the current one (`runwrap.run`) and every unfinished one, finished at
interpreter exit with the status the program ended with.

`sys.exit(n)` (and the exit()/quit() builtins) is seen by wrapping it, since SystemExit never
reaches an excepthook; an uncaught exception by chaining `sys.excepthook`; atexit then finishes
each open run. A bare `raise SystemExit(n)` cannot be seen from atexit: it is recorded as 0.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, List, Optional

from runwrap.notices import warning

current: Optional[Any] = None  # the Run that runwrap.log() and friends act on
_open: List[Any] = []
_lock = threading.RLock()
_hooked = False
_exit_code: Optional[int] = None  # from sys.exit(n) or an uncaught exception
_killed_by: Optional[str] = None  # "SIGINT" for an uncaught KeyboardInterrupt
_hook_pid = 0


def add(run: Any) -> None:
    global current
    with _lock:
        _install_hooks()
        _open.append(run)
        current = run


def forget(run: Any) -> None:
    global current
    with _lock:
        if run in _open:
            _open.remove(run)
        if current is run:
            current = _open[-1] if _open else None


def open_runs() -> List[Any]:
    with _lock:
        return list(_open)


def _exit_status_code(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, bool):
        return int(code)
    if isinstance(code, int):
        return code & 0xFF if code >= 0 else code
    return 1  # sys.exit("message") prints it and exits 1


def _install_hooks() -> None:
    global _hooked, _hook_pid
    if _hooked:
        return
    _hooked = True
    _hook_pid = os.getpid()
    original_exit = sys.exit
    original_hook = sys.excepthook

    def exit(code: Any = None) -> None:  # noqa: A001 (mirrors sys.exit)
        global _exit_code
        _exit_code = _exit_status_code(code)
        original_exit(code)

    def excepthook(kind, value, tb):  # type: ignore[no-untyped-def]
        global _exit_code, _killed_by
        if issubclass(kind, KeyboardInterrupt):
            _exit_code, _killed_by = 128 + 2, "SIGINT"  # as a shell reports SIGINT
        else:
            _exit_code = 1
        original_hook(kind, value, tb)

    sys.exit = exit
    sys.excepthook = excepthook
    # The REPL-style exit()/quit() builtins raise SystemExit themselves; see their code too.
    import builtins  # start-up: loaded only on the path that needs it

    for name in ("exit", "quit"):
        quitter = getattr(builtins, name, None)
        if quitter is not None:
            setattr(builtins, name, _Quitter(quitter))
    atexit.register(_finish_at_exit)


class _Quitter:
    def __init__(self, inner: Any):
        self._inner = inner

    def __repr__(self) -> str:
        return repr(self._inner)

    def __call__(self, code: Any = None) -> None:
        global _exit_code
        _exit_code = _exit_status_code(code)
        self._inner(code)


def _finish_at_exit() -> None:
    if os.getpid() != _hook_pid:
        # A forked child exiting normally: never finish the parent's runs, only close our files.
        for run in open_runs():
            run._close_quietly()
        return
    code = _exit_code if _exit_code is not None else 0
    for run in reversed(open_runs()):
        try:
            run._finish_at_exit(code, _killed_by)
        except Exception as e:  # never turn a clean exit into a traceback
            warning(f"could not finish run at exit: {e}")
