"""Signals sent to runwrap go to the program: runwrap itself never dies of them first."""
from __future__ import annotations

import os
import signal
from typing import Callable, Dict, Iterable

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2)


class SignalRelay:
    """Installs handlers that forward signals to the child and wake the main loop.

    Python runs the handlers in the main thread between bytecodes; a poll() in progress is
    interrupted and retried (PEP 475), so forwarding happens at once. The wakeup fd makes the
    main loop look at the child (SIGCHLD) and at the window size (SIGWINCH)."""

    def __init__(self, forward: Callable[[int], None], forwarded: Iterable[int],
                 on_winch: Callable[[], None], wake_fd: int,
                 on_interrupt: Callable[[], None] = lambda: None):
        self.forward = forward
        self.on_interrupt = on_interrupt  # every SIGINT, forwarded or not (the pump counts)
        self.forwarded = tuple(forwarded)
        self.on_winch = on_winch
        self.wake_fd = wake_fd
        self.saved: Dict[int, object] = {}
        self.old_wake = -1
        self.received: list = []

    def install(self) -> None:
        self.old_wake = signal.set_wakeup_fd(self.wake_fd, warn_on_full_buffer=False)
        for sig in FORWARDED:
            handler = self._forward if sig in self.forwarded else self._ignore
            self.saved[sig] = signal.signal(sig, handler)
        self.saved[signal.SIGWINCH] = signal.signal(signal.SIGWINCH, self._winch)
        self.saved[signal.SIGCHLD] = signal.signal(signal.SIGCHLD, self._ignore)

    def restore(self) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self.saved.clear()
        signal.set_wakeup_fd(self.old_wake)

    def _forward(self, sig: int, frame: object) -> None:
        self.received.append(sig)
        self.forward(sig)
        if sig == signal.SIGINT:
            self.on_interrupt()

    def _ignore(self, sig: int, frame: object) -> None:
        if sig == signal.SIGINT:  # the terminal sent it to the program as well
            self.on_interrupt()

    def _winch(self, sig: int, frame: object) -> None:
        self.on_winch()


def kill_group(pgid: int, pid: int, sig: int) -> None:
    """Send `sig` to the process group, or to the pid when the group is runwrap's own; also
    to the pid when the program has left the group (it called setsid(), as daemons do)."""
    try:
        if pgid == os.getpgrp():
            os.kill(pid, sig)
            return
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        if os.getpgid(pid) != pgid:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
