"""Sweep trials' wrappers forked from one warm process: `python -m runwrap.cli.standby FD`.

A trial's wrapper spends most of its start-up in the interpreter's start and its imports, the
same for every trial. A sweep agent's slot (sweeps/standby.py) starts this process once, while
the agent itself starts; it loads what a run needs and then waits. For each trial the agent
writes one line on its stdin, the trial's `runwrap run` words as a JSON list; this process
forks, and the child is that `runwrap run` (stdin on /dev/null, as a trial's wrapper has it;
the same code and exit status as a wrapper started fresh). Replies go to the pipe FD, one
line each: `started PID`, then `ended PID STATUS` (STATUS as subprocess gives it: the exit
code, or minus the signal that killed it). One trial at a time.

It leaves nothing behind of its own: its stdin closing (the agent is done, or died) ends it
with status 0; ^C while no trial runs ends it with 130 and no word (the terminal's whole
foreground group got it: the agent is being interrupted); ^C while a trial runs is the
trial's wrapper's to record, and it waits for that. Like a trial's wrapper, it gets SIGTERM
when its agent dies, and each wrapper it forks gets SIGTERM when it dies (wrap/orphan.py).
"""
from __future__ import annotations

import atexit
import json
import os
import sys
import threading
from typing import List, NoReturn, Optional

# What a trial's `runwrap run` imports before its program starts and while it runs (seen with
# `python -X importtime`): loaded once here instead of in every trial.
PRELOAD = (
    "runwrap.cli.main", "runwrap.cli.output", "runwrap.cli.fastpath", "runwrap.cli.wrapping",
    "runwrap.wrap.plan", "runwrap.wrap.runner", "yaml", "runwrap.collectors.system.sampler",
    "runwrap.collectors.console.collector", "runwrap.collectors.tensorboard.collector",
    "runwrap.collectors.wandb.collector",
)
INTERRUPTED = 130  # the exit status after ^C while no trial ran


def main() -> None:
    try:
        # start-up: first, as in every trial's wrapper: end with the agent
        from runwrap.wrap.orphan import die_with_agent

        die_with_agent()
        replies = int(sys.argv[1])
        _preload()
        _serve(replies)
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)


def _preload() -> None:
    import importlib  # start-up: only in this process

    for name in PRELOAD:
        importlib.import_module(name)


def _serve(replies: int) -> None:
    server = os.getpid()
    while True:
        words = _receive(0)
        if words is None:
            return
        pid = os.fork()
        if pid == 0:
            _be_wrapper(words, server, replies)
        _reply(replies, f"started {pid}")
        _reply(replies, f"ended {pid} {_wait(pid)}")


def _be_wrapper(words: List[str], server: int, replies: int) -> NoReturn:
    """In the forked child: become `runwrap WORDS`, and exit with its status."""
    # start-up: loaded by _preload
    from runwrap.cli.main import main as runwrap_main
    from runwrap.wrap.orphan import die_with_parent

    die_with_parent(server)  # the parent-death signal is not inherited across fork()
    os.close(replies)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.argv[1:] = words
    try:
        runwrap_main(words)
        code = 0
    except SystemExit as e:
        code = _status_of(e.code)
    _exit_now(code)


def _exit_now(code: int) -> NoReturn:
    """Exit without the interpreter's finalization, which tears down every module the
    standby loaded (each page it touches copied from the standby first), a cost of its own
    in every trial. A wrapper's run files are written with plain os.write and outlive a SIGKILL by
    design; what finalization would still do for it is done here: join the threads that are
    not daemons, run the atexit functions, flush stdout and stderr."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # CPython's own call at exit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or None
            pass
    os._exit(code)


def _status_of(code: object) -> int:
    """The exit status of `sys.exit(code)`, as Python gives it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


def _wait(pid: int) -> int:
    """The exit status of child `pid`, waited for through ^C (the wrapper records it)."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status)
        except KeyboardInterrupt:
            continue


def _reply(fd: int, line: str) -> None:
    try:
        os.write(fd, line.encode() + b"\n")
    except BrokenPipeError:
        pass  # the agent is gone; its closing our stdin ends this process


def _receive(fd: int) -> Optional[List[str]]:
    """The words of the next line the agent writes on `fd`, or None when it closes `fd`
    (or writes something that is no list of words, which only a bug can)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        data += chunk
    try:
        words = json.loads(data)
    except ValueError:
        return None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        return None
    return words


if __name__ == "__main__":
    main()
