"""Running the real `runwrap` process the ways users do: on pipes, and on a real terminal."""
from __future__ import annotations

import fcntl
import inspect
import json
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Dict, List, Optional

RUNWRAP = [sys.executable, "-m", "runwrap"]


def runwrap(*args: str, cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
            timeout: float = 60, input: Optional[bytes] = None) -> subprocess.CompletedProcess:
    """`runwrap ARGS` with pipes for stdout/stderr (the cron / CI way)."""
    return subprocess.run(RUNWRAP + list(args), cwd=cwd, env=env, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def only_run(root: Path) -> Path:
    runs = [p.parent for p in root.glob("*/*/run.json")]
    assert len(runs) == 1, runs
    return runs[0]


def run_json(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


class Terminal:
    """A real pseudo-terminal with `runwrap` as its session's program, like a user's shell
    window: write keys to it, read what the screen receives."""

    def __init__(self, args: List[str], cwd: Optional[Path] = None, rows: int = 24,
                 cols: int = 80, env: Optional[Dict[str, str]] = None):
        self.master, slave = os.openpty()
        self.resize(rows, cols)
        self.proc = subprocess.Popen(
            RUNWRAP + list(args), cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.output = b""

    def resize(self, rows: int, cols: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def read_until(self, needle: bytes, timeout: float = 20) -> bytes:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not seen; screen so far: {self.output[-2000:]!r}")
            if not self._read(left):
                raise AssertionError(f"terminal closed before {needle!r}: {self.output[-2000:]!r}")
        return self.output

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], min(timeout, 0.5))
        if ready:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return False
            if not data:
                return False
            self.output += data
        return True

    def wait(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"runwrap did not exit; screen: {self.output[-2000:]!r}")
            self._read(0.1)
        while self._read(0.05):  # what is left on the screen
            if not select.select([self.master], [], [], 0)[0]:
                break
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.02,
             what: Optional[str] = None) -> bool:
    """Poll `predicate` until it is true: True, or AssertionError after `timeout` seconds saying
    what was waited for (`what`, else the predicate's source line). The timeout is generous so
    that a loaded machine does not fail a test; how fast things happen is for benchmarks/."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            if predicate():
                return True
            raise AssertionError(f"waited {timeout:g} s for {what or _source_of(predicate)}")
        time.sleep(interval)
    return True


def _source_of(predicate) -> str:
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
