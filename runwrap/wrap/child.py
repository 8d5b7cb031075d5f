"""Starting the program: on a pseudo-terminal, or on pipes with stdout and stderr kept apart."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import termios
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


class Child:
    def __init__(self, popen: subprocess.Popen, pid: int, pgid: int,
                 master: Optional[int] = None, stdout: Optional[int] = None,
                 stderr: Optional[int] = None):
        self.popen = popen
        self.pid = pid
        self.pgid = pgid  # the process group signals are forwarded to
        self.master = master  # pty mode: our end of the child's terminal
        self.stdout = stdout  # pipe mode: read ends
        self.stderr = stderr


def _take_controlling_terminal() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def spawn_pty(argv: List[str], env: Dict[str, str], size_from: Optional[int]) -> Child:
    """The program in a new session whose controlling terminal is a new pty."""
    master, slave = terminal.open_pty(size_from)
    try:
        popen = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                 start_new_session=True, preexec_fn=_take_controlling_terminal)
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    return Child(popen, popen.pid, popen.pid, master=master)


def spawn_pipes(argv: List[str], env: Dict[str, str], own_group: bool) -> Child:
    """The program with stdout and stderr on two pipes and stdin inherited.

    With `own_group`, it gets a process group of its own so that signals runwrap forwards
    reach it (and its workers) exactly once. When runwrap's stdin is an interactive terminal
    the program stays in runwrap's group instead: keys like ^C then reach it straight from the
    terminal, and reading the terminal does not stop it as a background job."""
    kwargs = {}
    if own_group:
        if sys.version_info >= (3, 11):
            kwargs["process_group"] = 0
        else:
            kwargs["preexec_fn"] = lambda: os.setpgid(0, 0)
    popen = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             bufsize=0, **kwargs)
    out, err = popen.stdout.fileno(), popen.stderr.fileno()  # type: ignore[union-attr]
    pgid = popen.pid if own_group else os.getpgrp()
    return Child(popen, popen.pid, pgid, stdout=out, stderr=err)
