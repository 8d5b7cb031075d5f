"""A trial's wrapper process, as the agent sees it: forked by the slot's standby or started cold.

Each agent slot keeps one standby (cli/standby.py): a Python process started once, with what
a run needs already imported, that forks the wrapper of each of the slot's trials. A trial then
pays a fork instead of an interpreter's start and its imports. The first slot's standby starts
while the agent itself starts (Optuna's import, the study), so even the first trial finds it
ready. When the standby died before forking, the trial's wrapper is started cold, as
`runwrap run`, and the slot's next trial starts a new standby.

Linux's parent-death signal, which ends a trial's wrapper with its agent (wrap/orphan.py),
follows the thread that started the process: a slot uses only the standby that it, or the
agent's main thread (which outlives every slot), started. The wrapper forked by a standby
follows the standby, which follows the agent.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from typing import Dict, List, Optional

INTERRUPTED = (130, -signal.SIGINT)  # the status of a process that ^C ended


class Standby:
    """`python -m runwrap.cli.standby`, forking one trial's wrapper at a time."""

    def __init__(self, env: Dict[str, str]):
        read, write = os.pipe()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "runwrap.cli.standby",
                                          str(write)], env=env, stdin=subprocess.PIPE,
                                         pass_fds=(write,))
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self.replies = read
        self.pending = b""

    def start(self, words: List[str]) -> Optional["ForkedWrapper"]:
        """The wrapper of `runwrap WORDS`, running; None when the standby is gone (it was
        killed). KeyboardInterrupt when ^C ended it first: the trial is interrupted."""
        try:
            self.proc.stdin.write(json.dumps(words).encode() + b"\n")  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
            reply = self.reply(None)
        except OSError:  # EPIPE: it exited before reading
            reply = None
        if reply is None or not reply.startswith("started "):
            self.close()
            if self.proc.returncode in INTERRUPTED:
                raise KeyboardInterrupt
            return None
        return ForkedWrapper(self, int(reply.split()[1]))

    def reply(self, timeout: Optional[float]) -> Optional[str]:
        """The standby's next line, within `timeout` seconds (None: wait); None when there
        is none by then, or it ended."""
        while b"\n" not in self.pending:
            if timeout is not None and not select.select([self.replies], [], [], timeout)[0]:
                return None
            chunk = os.read(self.replies, 4096)
            if not chunk:
                return None
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def close(self) -> None:
        """End the standby: it forks no more wrappers and exits once a wrapper of it still
        running has ended; wait for that and reap it."""
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        wait_quietly(self.proc)
        if self.replies >= 0:
            os.close(self.replies)
            self.replies = -1


class ForkedWrapper:
    """A trial's wrapper forked by `standby`: the Popen calls the agent uses (its exit status
    comes through the standby, whose child it is)."""

    def __init__(self, standby: Standby, pid: int):
        self.standby = standby
        self.pid = pid
        self.returncode: Optional[int] = None

    def exited(self, timeout: Optional[float]) -> bool:
        """Whether it has exited, waiting up to `timeout` seconds (None: until it does)."""
        if self.returncode is None:
            line = self.standby.reply(timeout)
            if line is not None and line.startswith(f"ended {self.pid} "):
                self.returncode = int(line.split()[2])
            elif line is None and self.standby.proc.poll() is not None:
                # The standby died (killed): the wrapper got SIGTERM from it and is recording
                # its end; wait for that, by its pid. Its exit status went to no one.
                if _gone(self.pid, timeout):
                    self.returncode = -signal.SIGTERM
        return self.returncode is not None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def wait(self) -> int:
        while not self.exited(None):
            self.standby.proc.wait()  # its end is coming: it closed the replies
        return self.returncode  # type: ignore[return-value]


class ColdWrapper:
    """A trial's wrapper started as `python -m runwrap run ...`, a child of the agent."""

    def __init__(self, argv: List[str], env: Dict[str, str]):
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid

    @property
    def returncode(self) -> Optional[int]:
        return self.proc.returncode

    def exited(self, timeout: Optional[float]) -> bool:
        """Whether it has exited, waiting up to `timeout` seconds, woken at once when it
        does. Not Popen.wait(timeout): CPython's polls with sleeps of up to 50 ms; a pidfd
        (Linux 5.3+) is readable from the moment the process has exited."""
        proc = self.proc
        if proc.poll() is not None:
            return True
        if timeout is None:
            proc.wait()
            return True
        try:
            fd = os.pidfd_open(proc.pid)  # not reaped yet (poll() said so): the pid is its
        except (AttributeError, OSError):  # not Linux, an older kernel or Python
            try:
                proc.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        try:
            select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
        return proc.poll() is not None

    def send_signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self) -> int:
        return self.proc.wait()


def _gone(pid: int, timeout: Optional[float]) -> bool:
    """Whether process `pid` (not this one's child) has exited, waiting up to `timeout`."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # gone already (or no pidfd: treat it as gone)
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def wait_quietly(proc: "subprocess.Popen | ForkedWrapper | ColdWrapper") -> int:
    """Wait for `proc` to exit, through ^C (it got the same ^C and is ending)."""
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue
