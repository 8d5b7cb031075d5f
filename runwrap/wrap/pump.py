"""The main loop: the child's output to the user's terminal and to the console log, the user's
keys to the child, signals to the child, and the child's exit status back."""
from __future__ import annotations

import errno
import os
import select
import signal
import time
from typing import Dict, List, Optional

from runwrap.notices import warn_once
from runwrap.wrap import terminal
from runwrap.wrap.child import CHUNK, Child, Output, write_all
from runwrap.wrap.console import ConsoleLog
from runwrap.wrap.signals import SignalRelay, kill_group

DRAIN_IDLE_MS = 50  # after the child exits: stop once its output has been idle this long
# A program that ignores interrupts: a second one this soon after the previous (or a third at
# any time) escalates to SIGTERM for the program's group, then SIGKILL this much later.
ESCALATE_WINDOW = 3.0
KILL_GRACE = 3.0


class Pump:
    """Runs until the child has exited and its output is drained; returns its wait status."""

    def __init__(self, child: Child, console: ConsoleLog, relay: SignalRelay,
                 forward_signals: tuple, raw: Optional[terminal.RawInput],
                 stdin_fd: Optional[int]):
        """From here on, `relay` forwards signals to the child (those that came while it was
        being started, first)."""
        self.child = child
        self.console = console
        self.raw = raw
        self.stdin_fd = stdin_fd  # our stdin, copied to the child (when it takes input)
        self.relay = relay
        self.status: Optional[int] = None
        self.outputs: Dict[int, Output] = {out.fd: out for out in child.outputs}
        self.dead_dest: set = set()  # our stdout/stderr fds that are gone (EPIPE, EIO)
        self.interrupts: List[float] = []  # when the user interrupted (^C, SIGINT)
        self.escalation: Optional[str] = None  # the last signal an escalation sent, by name
        self.kill_at: Optional[float] = None  # when an escalation's SIGKILL is due
        relay.attach(self._forward, forward_signals, self._resize, self._interrupted)

    def run(self) -> int:
        wake_r = self.relay.wake_r
        poller = select.poll()
        poller.register(wake_r, select.POLLIN)
        for fd in self.outputs:
            poller.register(fd, select.POLLIN)
        if self.stdin_fd is not None:
            poller.register(self.stdin_fd, select.POLLIN)
        try:
            self._reap()  # the child may have exited before the poll began
            while self.outputs or self.status is None:
                timeout = None if self.status is None else DRAIN_IDLE_MS
                if self.status is None and not self.outputs:
                    timeout = 100  # output closed early (daemonised stdout): poll for exit
                if self.kill_at is not None and self.status is None:
                    due = max(0, int((self.kill_at - time.monotonic()) * 1000) + 1)
                    timeout = due if timeout is None else min(timeout, due)
                events = poller.poll(timeout)
                if (self.kill_at is not None and self.status is None
                        and time.monotonic() >= self.kill_at):
                    self._escalate(signal.SIGKILL)
                if not events and self.status is not None:
                    break  # exited, and nothing more came: a grandchild may hold the pty
                for fd, _ in events:
                    if fd == wake_r:
                        self._drain(wake_r)
                        self._reap()
                    elif fd in self.outputs:
                        if not self._copy_output(fd):
                            poller.unregister(fd)
                            self.outputs.pop(fd)
                    elif fd == self.stdin_fd:
                        if not self._copy_input():
                            poller.unregister(fd)
                            self.stdin_fd = None
                if self.status is None:
                    self._reap()
        finally:
            self.relay.detach()
        assert self.status is not None
        return self.status

    def left_open(self) -> List[Output]:
        """After run(): the outputs a process the program left behind still holds, whose
        destination is still there (see child.hand_off)."""
        return [out for out in self.outputs.values() if out.dest not in self.dead_dest]

    def _copy_output(self, fd: int) -> bool:
        data = self.child.read_available(fd)
        if data is None:
            return True
        if not data:
            return False
        out = self.outputs[fd]
        stream, dest = out.stream, out.dest
        if dest not in self.dead_dest:
            try:
                write_all(dest, data)
            except OSError as e:
                # Our reader went away (`runwrap cmd | head`). Without runwrap the program would
                # get SIGPIPE/EPIPE on its next write: close its pipe so it does, as it would.
                self.dead_dest.add(dest)
                if e.errno == errno.EPIPE and self.child.reader_gone(fd):
                    self.console.feed(stream, data)
                    return False
        self.console.feed(stream, data)
        return True

    def _copy_input(self) -> bool:
        assert self.stdin_fd is not None
        try:
            data = os.read(self.stdin_fd, CHUNK)
        except OSError:
            data = b""
        suspend = self.child.suspend_char() if data and self.raw is not None else None
        interrupt = self.child.interrupt_char() if data and self.raw is not None else None
        try:
            if not data:
                self.child.end_input()
            elif suspend is not None and suspend in data:
                before, _, after = data.partition(suspend)
                self.child.write(before)
                self._suspend_child()
                if after:
                    self.child.write(after)
            else:
                self.child.write(data)
        except OSError:
            return False
        for _ in range(data.count(interrupt) if interrupt else 0):
            self._interrupted()  # the pty's line discipline has sent the SIGINT itself
        return bool(data)

    def _suspend_child(self) -> None:
        """^Z. The child leads its own session, so its group is orphaned and the kernel discards
        SIGTSTP for it; SIGSTOP is the stop signal that works. Then the child-stopped path
        hands the user's terminal back to the shell."""
        kill_group(self.child.foreground_group(), self.child.pid, signal.SIGSTOP)

    def _reap(self) -> None:
        if self.status is not None:
            return
        flags = os.WNOHANG | (os.WUNTRACED if self.raw is not None else 0)
        try:
            pid, status = os.waitpid(self.child.pid, flags)
        except ChildProcessError:
            pid, status = self.child.pid, 0
        if pid == 0:
            return
        if os.WIFSTOPPED(status):
            self._child_stopped()
            return
        self.status = status
        self.child.popen.returncode = os.waitstatus_to_exitcode(status)

    def _child_stopped(self) -> None:
        """^Z on the child's terminal stopped it: give the user's terminal back to the shell by
        stopping ourselves too, and when the shell continues us (`fg`), continue the child."""
        if self.raw is not None:
            self.raw.leave()
        os.kill(os.getpid(), signal.SIGSTOP)
        # ...continued.
        if self.raw is not None:
            self.raw.enter()
        self.child.resize()
        kill_group(self.child.pgid, self.child.pid, signal.SIGCONT)

    def _forward(self, sig: int) -> None:
        kill_group(self.child.foreground_group(), self.child.pid, sig)

    def _interrupted(self) -> None:
        """The user interrupted (^C on the terminal, or SIGINT to runwrap); the interrupt has
        reached the program already. A program that ignores it could only be stopped with
        `kill -9` on its own pid: a second interrupt within ESCALATE_WINDOW, or a third,
        sends SIGTERM to its group and SIGKILL KILL_GRACE later; one more kills it at once."""
        now = time.monotonic()
        self.interrupts.append(now)
        if self.status is not None:
            return
        if self.kill_at is not None or self.escalation == "SIGKILL":
            self._escalate(signal.SIGKILL)
        elif len(self.interrupts) >= 3 or (len(self.interrupts) >= 2 and
                                           now - self.interrupts[-2] <= ESCALATE_WINDOW):
            self._escalate(signal.SIGTERM)

    def _escalate(self, sig: int) -> None:
        if sig == signal.SIGTERM:
            self.kill_at = time.monotonic() + KILL_GRACE
            warn_once("interrupt-term",
                      f"the program is still running after {len(self.interrupts)} interrupts: "
                      f"sending SIGTERM to its process group, SIGKILL in {KILL_GRACE:g} s "
                      f"(interrupt again to kill it now)")
        else:
            self.kill_at = None
            warn_once("interrupt-kill", "sending SIGKILL to the program's process group")
        self.escalation = signal.Signals(sig).name
        for group in {self.child.pgid, self.child.foreground_group()}:
            kill_group(group, self.child.pid, sig)

    def _resize(self) -> None:
        self.child.resize()

    @staticmethod
    def _drain(fd: int) -> None:
        try:
            while os.read(fd, 512):
                pass
        except OSError:
            pass
