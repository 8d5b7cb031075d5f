"""The running program as the pump sees it: on a pseudo-terminal (PtyChild) or on pipes with
stdout and stderr kept apart (PipeChild). Both answer the same questions (which fds to read,
read what is available, write keys, resize, the ^Z character, the foreground group, close), so
the pump never asks which kind it has."""
from __future__ import annotations

import errno
import fcntl
import os
import select
import subprocess
import sys
from typing import Dict, List, Optional

from runwrap.wrap import terminal


class ProgramNotFound(Exception):
    """The program does not exist (exit status 127)."""


class ProgramNotExecutable(Exception):
    """The program exists but cannot be executed (exit status 126)."""


def resolve_program(name: str, env: Dict[str, str]) -> str:
    """The path `name` would execute as, found on the child's PATH like a shell does:
    ProgramNotFound (127) when there is none, ProgramNotExecutable (126) when the first file
    of that name is not executable or is a directory."""
    if os.sep in name:
        candidates = [name]
    else:
        candidates = [os.path.join(d or ".", name)
                      for d in env.get("PATH", os.defpath).split(os.pathsep)]
    not_executable = None
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        if not_executable is None and os.path.exists(path):
            not_executable = path
    if not_executable is not None:
        raise ProgramNotExecutable(name)
    raise ProgramNotFound(name)


CHUNK = 1 << 20  # read this much at most per wake-up
PIPE_SIZE = 1 << 20  # Linux lets a process grow its pipes to 1 MiB: fewer, larger reads
F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, named only from Python 3.10
EOT = b"\x04"  # what a terminal sends for ^D: end of input for a reader on the pty


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            select.select([], [fd], [])


class Output:
    """One of the child's output fds: which stream it is and where its bytes go (our fd 1/2)."""

    __slots__ = ("fd", "stream", "dest")

    def __init__(self, fd: int, stream: str, dest: int):
        self.fd, self.stream, self.dest = fd, stream, dest


class Child:
    """What both kinds share; see PtyChild and PipeChild."""

    takes_input = False  # whether the pump copies our stdin to the child

    def __init__(self, popen: subprocess.Popen, pgid: int, outputs: List[Output]):
        self.popen = popen
        self.pid = popen.pid
        self.pgid = pgid  # the process group signals are forwarded to
        self.outputs = outputs
        for out in outputs:
            os.set_blocking(out.fd, False)

    def read_available(self, fd: int) -> Optional[bytes]:
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
                if not self._is_end_of_output(e):
                    raise
                data = b""
            if not data:
                if not parts:
                    return b""
                break
            parts.append(data)
            size += len(data)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _is_end_of_output(self, error: OSError) -> bool:
        return False

    def write(self, data: bytes) -> None:
        """Keys for the child (only when `takes_input`)."""
        raise NotImplementedError

    def end_input(self) -> None:
        """Our stdin ended (only when `takes_input`)."""
        raise NotImplementedError

    def resize(self) -> None:
        """Our terminal's window size changed."""

    def suspend_char(self) -> Optional[bytes]:
        """The byte that means ^Z to the child's terminal, when it would stop the child."""
        return None

    def interrupt_char(self) -> Optional[bytes]:
        """The byte that means ^C to the child's terminal, when it would interrupt the child."""
        return None

    def foreground_group(self) -> int:
        """The process group a forwarded signal goes to."""
        return self.pgid

    def reader_gone(self, fd: int) -> bool:
        """Our reader of `fd`'s output went away (EPIPE). True when the child's end was closed
        so that the child sees the EPIPE/SIGPIPE it would have seen without runwrap."""
        return False

    def close(self) -> None:
        """Release our ends once the pump is done."""


class PtyChild(Child):
    """The program in a new session whose controlling terminal is a pty we hold the master of.
    Its stdin is the pty too when ours is a terminal (`takes_input`: the pump copies our keys);
    a pipe, file or /dev/null is handed to it as it is."""

    def __init__(self, popen: subprocess.Popen, master: int, takes_input: bool):
        super().__init__(popen, popen.pid, [Output(master, "stdout", 1)])
        self.master = master
        self.takes_input = takes_input

    def _is_end_of_output(self, error: OSError) -> bool:
        return error.errno == errno.EIO  # Linux: a pty master reads EIO once all slaves closed

    def write(self, data: bytes) -> None:
        write_all(self.master, data)

    def end_input(self) -> None:
        write_all(self.master, EOT)  # ^D: the reader on the terminal sees end of input

    def resize(self) -> None:
        terminal.copy_window_size(1, self.master)

    def suspend_char(self) -> Optional[bytes]:
        return terminal.suspend_char(self.master)

    def interrupt_char(self) -> Optional[bytes]:
        return terminal.interrupt_char(self.master)

    def foreground_group(self) -> int:
        try:  # the job in the foreground of the child's terminal, if the child is a shell
            return os.tcgetpgrp(self.master)
        except OSError:
            return self.pgid

    def close(self) -> None:
        os.close(self.master)


class PipeChild(Child):
    """The program with stdout and stderr on two pipes; its stdin is ours, inherited."""

    def __init__(self, popen: subprocess.Popen, pgid: int):
        out, err = popen.stdout.fileno(), popen.stderr.fileno()  # type: ignore[union-attr]
        super().__init__(popen, pgid, [Output(out, "stdout", 1), Output(err, "stderr", 2)])
        for fd in (out, err):
            try:
                fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
            except OSError:
                pass  # over the system's limit: the default size works, just slower

    def reader_gone(self, fd: int) -> bool:
        for f in (self.popen.stdout, self.popen.stderr):
            if f is not None and not f.closed and f.fileno() == fd:
                f.close()
        return True


def spawn_pty(argv: List[str], env: Dict[str, str], size_from: Optional[int],
              stdin_on_pty: bool) -> PtyChild:
    """The program in a new session whose controlling terminal is a new pty. With
    `stdin_on_pty` false, its stdin is ours, inherited: piped input must not go through the
    pty's line discipline (which cuts long input, turns \x03 into SIGINT and echoes it)."""
    master, slave = terminal.open_pty(size_from, 0 if stdin_on_pty else size_from)
    try:
        popen = subprocess.Popen(argv, stdin=slave if stdin_on_pty else None, stdout=slave,
                                 stderr=slave, env=env,
                                 start_new_session=True,
                                 preexec_fn=terminal.take_controlling_terminal)
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    return PtyChild(popen, master, takes_input=stdin_on_pty)


def spawn_pipes(argv: List[str], env: Dict[str, str], own_group: bool) -> PipeChild:
    """The program with stdout and stderr on two pipes and stdin inherited.

    With `own_group`, it gets a process group of its own so that signals runwrap forwards
    reach it (and its workers) exactly once. When runwrap's stdin is an interactive terminal
    the program stays in runwrap's group instead: keys like ^C then reach it straight from the
    terminal, and reading the terminal does not stop it as a background job.

    The program joins that group without leading it (see `_group_holder`): a group leader
    cannot call setsid(), and a daemon-like program that calls it without forking first
    works when cron starts it bare, so it must work under runwrap."""
    kwargs = {}
    holder = _group_holder() if own_group else None
    group = holder if holder is not None else 0
    if own_group:
        if sys.version_info >= (3, 11):
            kwargs["process_group"] = group
        else:
            kwargs["preexec_fn"] = lambda: os.setpgid(0, group)
    try:
        popen = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                 bufsize=0, **kwargs)
    finally:
        if holder is not None:
            _end(holder)
    pgid = (holder or popen.pid) if own_group else os.getpgrp()
    return PipeChild(popen, pgid)


def _group_holder() -> Optional[int]:
    """A process that leads a new process group for the program to join (None when none can
    be started: the program then leads its group, as before). It is ended as soon as the
    program has joined: a group lives on while any member does, and its id cannot be given
    to a new process meanwhile."""
    sleep = next((p for p in ("/bin/sleep", "/usr/bin/sleep") if os.access(p, os.X_OK)), None)
    if sleep is None:
        return None
    try:
        with open(os.devnull, "rb") as null:
            return os.posix_spawn(sleep, ["sleep", "3600"], {},
                                  file_actions=[(os.POSIX_SPAWN_DUP2, null.fileno(), fd)
                                                for fd in (0, 1, 2)],
                                  setpgroup=0)
    except OSError:
        return None


def _end(pid: int) -> None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass


def hand_off(outputs: List[Output]) -> None:
    """Outputs still open once the program has exited and runwrap is done: a process it left
    in the background still holds them (`(sleep 1; echo late) &`). Bare, that process would
    write on into the terminal or file; runwrap exiting would close its pipe and kill it with
    SIGPIPE. So a `cat` per output, in a session of its own, copies the rest to where runwrap's
    copy went (not into output.log: the run has ended) and ends with the last writer; if that
    destination goes away, cat dies of SIGPIPE and the writer gets its EPIPE, as it would."""
    for out in outputs:
        try:
            os.set_blocking(out.fd, True)  # the file description is shared with cat
            subprocess.Popen(["cat"], stdin=out.fd, stdout=out.dest,
                             stderr=subprocess.DEVNULL, start_new_session=True,
                             close_fds=True)
        except OSError:
            pass  # no cat: the late writer meets a closed pipe, as before

