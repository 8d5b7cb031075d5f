"""The main loop: the child's output to the user's terminal and to the console log, the user's
keys to the child, signals to the child, and the child's exit status back."""
from __future__ import annotations

import errno
import fcntl
import os
import select
import signal
import termios
from typing import Dict, Optional

from runwrap.wrap import terminal
from runwrap.wrap.child import Child
from runwrap.wrap.console import ConsoleLog
from runwrap.wrap.signals import SignalRelay, kill_group

CHUNK = 1 << 20  # read this much at most per wake-up
PIPE_SIZE = 1 << 20  # Linux lets a process grow its pipes to 1 MiB: fewer, larger reads
F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, named only from Python 3.10
DRAIN_IDLE_MS = 50  # after the child exits: stop once its output has been idle this long

EOT = b"\x04"  # what a terminal sends for ^D: end of input for a reader on the pty


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            select.select([], [fd], [])


class Pump:
    """Runs until the child has exited and its output is drained; returns its wait status."""

    def __init__(self, child: Child, console: ConsoleLog, forward_signals: tuple,
                 raw: Optional[terminal.RawInput], stdin_fd: Optional[int]):
        self.child = child
        self.console = console
        self.raw = raw
        self.stdin_fd = stdin_fd  # pty mode: our stdin, copied to the child's terminal
        self.forward_signals = forward_signals
        self.status: Optional[int] = None
        self.outputs: Dict[int, tuple] = {}  # fd -> (stream name, where to write)
        if child.master is not None:
            self.outputs[child.master] = ("stdout", 1)
        else:
            self.outputs[child.stdout] = ("stdout", 1)  # type: ignore[index]
            self.outputs[child.stderr] = ("stderr", 2)  # type: ignore[index]
        self.dead_dest: set = set()  # our stdout/stderr fds that are gone (EPIPE, EIO)
        for fd in self.outputs:
            os.set_blocking(fd, False)
            if child.master is None:
                try:
                    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
                except OSError:
                    pass  # over the system's limit: the default size works, just slower

    def run(self) -> int:
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        os.set_blocking(wake_r, False)
        relay = SignalRelay(self._forward, self.forward_signals, self._resize, wake_w)
        relay.install()
        poller = select.poll()
        poller.register(wake_r, select.POLLIN)
        for fd in self.outputs:
            poller.register(fd, select.POLLIN)
        if self.stdin_fd is not None:
            poller.register(self.stdin_fd, select.POLLIN)
        try:
            self._reap()  # the child may have exited before the handlers were installed
            while self.outputs or self.status is None:
                timeout = None if self.status is None else DRAIN_IDLE_MS
                if self.status is None and not self.outputs:
                    timeout = 100  # output closed early (daemonised stdout): poll for exit
                events = poller.poll(timeout)
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
            relay.restore()
            os.close(wake_r)
            os.close(wake_w)
        assert self.status is not None
        return self.status

    def _read_available(self, fd: int) -> Optional[bytes]:
        """What can be read from `fd` now, up to CHUNK; b"" at end of output; None if nothing.
        A pty hands out at most a few KiB per read: reading on until it is empty means one
        write to the terminal and one console update per wake-up, not one per few KiB."""
        parts = []
        size = 0
        while size < CHUNK:
            try:
                data = os.read(fd, CHUNK - size)
            except BlockingIOError:
                break
            except InterruptedError:
                continue
            except OSError as e:
                if e.errno == errno.EIO:  # Linux: a pty master reads EIO once all slaves closed
                    data = b""
                else:
                    raise
            if not data:
                if not parts:
                    return b""
                break
            parts.append(data)
            size += len(data)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _copy_output(self, fd: int) -> bool:
        data = self._read_available(fd)
        if data is None:
            return True
        if not data:
            return False
        stream, dest = self.outputs[fd]
        if dest not in self.dead_dest:
            try:
                write_all(dest, data)
            except OSError as e:
                # Our reader went away (`runwrap cmd | head`). Without runwrap the program would
                # get SIGPIPE/EPIPE on its next write: close its pipe so it does, as it would.
                self.dead_dest.add(dest)
                if e.errno == errno.EPIPE and self.child.master is None:
                    self._close_pipe(fd)
                    self.console.feed(stream, data)
                    return False
        self.console.feed(stream, data)
        return True

    def _close_pipe(self, fd: int) -> None:
        for f in (self.child.popen.stdout, self.child.popen.stderr):
            if f is not None and not f.closed and f.fileno() == fd:
                f.close()

    def _copy_input(self) -> bool:
        assert self.stdin_fd is not None and self.child.master is not None
        try:
            data = os.read(self.stdin_fd, CHUNK)
        except OSError:
            data = b""
        suspend = self._suspend_char() if data and self.raw is not None else None
        try:
            if suspend is not None and suspend in data:
                before, _, after = data.partition(suspend)
                write_all(self.child.master, before)
                self._suspend_child()
                data_left = after
                if data_left:
                    write_all(self.child.master, data_left)
            else:
                write_all(self.child.master, data if data else EOT)
        except OSError:
            return False
        return bool(data)

    def _suspend_char(self) -> Optional[bytes]:
        """The inner terminal's ^Z, when it would generate a signal (not in a raw-mode program)."""
        try:
            attrs = termios.tcgetattr(self.child.master)  # type: ignore[arg-type]
        except termios.error:
            return None
        if not attrs[terminal.LFLAG] & termios.ISIG:
            return None
        char = attrs[terminal.CC][termios.VSUSP]
        return char if char and char != b"\0" else None

    def _suspend_child(self) -> None:
        """^Z. The child leads its own session, so its group is orphaned and the kernel discards
        SIGTSTP for it; SIGSTOP is the stop signal that works. Then the child-stopped path
        hands the user's terminal back to the shell."""
        pgid = self.child.pgid
        try:
            pgid = os.tcgetpgrp(self.child.master)  # type: ignore[arg-type]
        except OSError:
            pass
        kill_group(pgid, self.child.pid, signal.SIGSTOP)

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
        self._resize()
        kill_group(self.child.pgid, self.child.pid, signal.SIGCONT)

    def _forward(self, sig: int) -> None:
        pgid = self.child.pgid
        if self.child.master is not None:
            try:  # the job in the foreground of the child's terminal, if the child is a shell
                pgid = os.tcgetpgrp(self.child.master)
            except OSError:
                pass
        kill_group(pgid, self.child.pid, sig)

    def _resize(self) -> None:
        if self.child.master is not None:
            terminal.copy_window_size(1, self.child.master)

    @staticmethod
    def _drain(fd: int) -> None:
        try:
            while os.read(fd, 512):
                pass
        except OSError:
            pass
