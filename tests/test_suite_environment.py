"""The suite itself, started as a script would start it: in the background, where the shell
hands it SIGINT and SIGQUIT ignored."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_suite_started_with_sigint_ignored_still_interrupts_its_programs():
    def ignore_interrupts() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGQUIT, signal.SIG_IGN)

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_wrapper_terminal.py::test_ctrl_c_interrupts_a_python_program_like_a_shell"],
        cwd=REPO, preexec_fn=ignore_interrupts, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
