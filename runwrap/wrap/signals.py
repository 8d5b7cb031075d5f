"""Signals sent to runwrap go to the program: runwrap itself never dies of them first."""
from __future__ import annotations

import os
import signal
from typing import Callable, Dict, Iterable, List, Optional

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2)


class SignalRelay:
    """Holds runwrap's signal handlers for the whole life of a wrapped run, in three phases:

    - before the program runs (from just before the run directory is made): a signal is kept
      in `pending`; the runner then records the run as killed by it and does not start the
      program (a signal that lands while the program is being started reaches it at `attach`);
    - while it runs (`attach`): each signal is forwarded to the program, the ones kept first;
    - after it ended (`detach`): signals are dropped, so that runwrap records the end.

    Python runs the handlers in the main thread between bytecodes; a poll() in progress is
    interrupted and retried (PEP 475), so forwarding happens at once. The wake-up pipe makes
    the main loop look at the child (SIGCHLD) and at the window size (SIGWINCH)."""

    def __init__(self) -> None:
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        self.pending: List[int] = []  # received before the program ran
        self.forward: Optional[Callable[[int], None]] = None
        self.forwarded: tuple = ()
        self.on_winch: Callable[[], None] = lambda: None
        self.on_interrupt: Callable[[], None] = lambda: None  # every SIGINT (the pump counts)
        self.ended = False
        self.saved: Dict[int, object] = {}
        self.old_wake = -1

    def install(self) -> None:
        self.old_wake = signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        for sig in FORWARDED:
            if signal.getsignal(sig) == signal.SIG_IGN:
                # Ignored by whoever started runwrap (`nohup`, `cmd &` in a script): left
                # ignored, so that the program inherits it as it would started bare.
                continue
            self.saved[sig] = signal.signal(sig, self._signalled)
        self.saved[signal.SIGWINCH] = signal.signal(signal.SIGWINCH, self._winch)
        self.saved[signal.SIGCHLD] = signal.signal(signal.SIGCHLD, _wake_only)

    def attach(self, forward: Callable[[int], None], forwarded: Iterable[int],
               on_winch: Callable[[], None], on_interrupt: Callable[[], None]) -> None:
        """The program runs: forward `forwarded` signals with `forward`, the pending first."""
        self.forward, self.forwarded = forward, tuple(forwarded)
        self.on_winch, self.on_interrupt = on_winch, on_interrupt
        pending, self.pending = self.pending, []
        for sig in pending:
            self._dispatch(sig)

    def detach(self) -> None:
        """The program has ended: what arrives now cannot reach it."""
        self.forward, self.ended = None, True

    def restore(self) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self.saved.clear()
        signal.set_wakeup_fd(self.old_wake)
        os.close(self.wake_r)
        os.close(self.wake_w)

    def _signalled(self, sig: int, frame: object) -> None:
        if self.ended:
            return
        if self.forward is None:
            self.pending.append(sig)
            return
        self._dispatch(sig)

    def _dispatch(self, sig: int) -> None:
        if sig in self.forwarded:
            assert self.forward is not None
            self.forward(sig)
        # Every SIGINT counts toward escalation, also one not forwarded (the program is in
        # runwrap's process group: the terminal sent it the same ^C).
        if sig == signal.SIGINT:
            self.on_interrupt()

    def _winch(self, sig: int, frame: object) -> None:
        self.on_winch()


def _wake_only(sig: int, frame: object) -> None:
    """The wake-up pipe got a byte: that is all SIGCHLD is for."""


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
