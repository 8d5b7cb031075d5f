"""On a terminal the program runs on a pty and behaves as if runwrap were not there."""
from __future__ import annotations

import sys
import time

from wrapper_harness import Terminal, only_run, run_json, runwrap

PY = sys.executable


def test_child_sees_a_terminal_under_pty(store):
    term = Terminal(["--quiet", PY, "-c",
                     "import sys; print('tty', sys.stdin.isatty(), sys.stdout.isatty(), "
                     "sys.stderr.isatty())"])
    try:
        term.read_until(b"tty True True True")
        assert term.wait() == 0
    finally:
        term.close()


def test_child_sees_pipes_when_stdout_is_not_a_terminal(store):
    done = runwrap("--quiet", PY, "-c",
                   "import sys; print('tty', sys.stdout.isatty(), sys.stderr.isatty())")
    assert done.stdout == b"tty False False\n"


def test_no_double_newline_translation(store):
    term = Terminal(["--quiet", PY, "-c", "print('a'); print('b')"])
    try:
        assert term.wait() == 0
        # The outer terminal adds one \r per line; the inner one must not add another.
        assert b"a\r\nb\r\n" in term.output
        assert b"\r\r\n" not in term.output
    finally:
        term.close()


def test_window_size_reaches_the_child_at_start_and_on_resize(store):
    code = ("import os, signal, sys, time\n"
            "print('size', os.get_terminal_size().columns, os.get_terminal_size().lines, flush=True)\n"
            "got = []\n"
            "signal.signal(signal.SIGWINCH, lambda s, f: got.append(1))\n"
            "print('ready', flush=True)\n"
            "end = time.time() + 20\n"
            "while not got and time.time() < end: time.sleep(0.01)\n"
            "print('resized', os.get_terminal_size().columns, os.get_terminal_size().lines, flush=True)\n")
    term = Terminal(["--quiet", PY, "-c", code], rows=33, cols=101)
    try:
        term.read_until(b"size 101 33")
        term.read_until(b"ready")
        term.resize(40, 120)
        import os, signal
        os.killpg(term.proc.pid, signal.SIGWINCH)  # what the terminal emulator does on resize
        term.read_until(b"resized 120 40")
        assert term.wait() == 0
    finally:
        term.close()


def test_ctrl_c_reaches_the_child_once(store):
    code = ("import signal, time\n"
            "got = []\n"
            "signal.signal(signal.SIGINT, lambda s, f: got.append(s))\n"
            "print('ready', flush=True)\n"
            "end = time.time() + 20\n"
            "while not got and time.time() < end: time.sleep(0.01)\n"
            "time.sleep(0.3)\n"
            "print('interrupts', len(got), flush=True)\n")
    term = Terminal(["--quiet", PY, "-c", code])
    try:
        term.read_until(b"ready")
        term.send(b"\x03")  # the user presses Ctrl-C
        term.read_until(b"interrupts 1")
        assert term.wait() == 0
    finally:
        term.close()


def test_ctrl_c_interrupts_a_python_program_like_a_shell(store):
    term = Terminal(["--quiet", PY, "-c", "import time; print('ready', flush=True); time.sleep(30)"])
    try:
        term.read_until(b"ready")
        term.send(b"\x03")
        term.read_until(b"KeyboardInterrupt")
        assert term.wait() == 130  # Python 3.8+ re-raises SIGINT on KeyboardInterrupt exit
        assert run_json(only_run(store))["status"] in ("killed", "failed")
    finally:
        term.close()


def test_input_reaches_the_child_and_ctrl_d_ends_it(store):
    code = ("import sys\n"
            "name = input('name? ')\n"
            "print('hello', name, flush=True)\n"
            "rest = sys.stdin.read()\n"
            "print('rest', repr(rest), flush=True)\n")
    term = Terminal(["--quiet", PY, "-c", code])
    try:
        term.read_until(b"name? ")
        term.send(b"ada\r")
        term.read_until(b"hello ada")
        term.send(b"more\r\x04")
        term.read_until(b"rest 'more\\n'")
        assert term.wait() == 0
    finally:
        term.close()


def test_pdb_works_through_the_wrapper(store):
    code = "x = 41\nbreakpoint()\nprint('after', x, flush=True)\n"
    term = Terminal(["--quiet", PY, "-c", code])
    try:
        term.read_until(b"(Pdb)")
        term.send(b"x = 42\r")
        term.read_until(b"(Pdb)")
        term.send(b"c\r")
        term.read_until(b"after 42")
        assert term.wait() == 0
    finally:
        term.close()


def test_terminal_settings_are_restored_after_the_run(store):
    import termios

    term = Terminal(["--quiet", PY, "-c", "print('ok')"])
    try:
        before = termios.tcgetattr(term.master)
        assert term.wait() == 0
        after = termios.tcgetattr(term.master)
        assert before == after
    finally:
        term.close()


def test_tqdm_run_leaves_only_the_final_bar_in_output_log(store):
    code = ("from tqdm import tqdm\nimport time\n"
            "for i in tqdm(range(50), desc='train', mininterval=0):\n    time.sleep(0.002)\n"
            "print('done')\n")
    term = Terminal(["--quiet", PY, "-c", code])
    try:
        assert term.wait() == 0
        assert term.output.count(b"\r") > 20  # the user saw the bar move
    finally:
        term.close()
    log = (only_run(store) / "output.log").read_text()
    lines = log.splitlines()
    assert lines[-1] == "done"
    bar_lines = [l for l in lines if l.startswith("train")]
    assert len(bar_lines) == 1, lines
    assert "50/50" in bar_lines[0] and "100%" in bar_lines[0]
    assert "\x1b" not in log and "\r" not in log


def test_colours_reach_the_terminal_but_not_output_log(store):
    term = Terminal(["--quiet", PY, "-c", "print('\\x1b[31mred\\x1b[0m plain')"])
    try:
        assert term.wait() == 0
        assert b"\x1b[31mred\x1b[0m plain" in term.output
    finally:
        term.close()
    assert (only_run(store) / "output.log").read_text() == "red plain\n"


def test_ctrl_z_suspends_and_fg_continues(store):
    """^Z stops the program and hands the terminal back; SIGCONT (the shell's `fg`) resumes."""
    import os, signal
    code = ("import time\nprint('ready', flush=True)\n"
            "time.sleep(1.0)\nprint('finished', flush=True)\n")
    term = Terminal(["--quiet", PY, "-c", code])
    try:
        term.read_until(b"ready")
        term.send(b"\x1a")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # runwrap stops itself once the child is stopped
            with open(f"/proc/{term.proc.pid}/stat") as f:
                if f.read().split(") ")[1].split()[0] == "T":
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("runwrap did not stop after ^Z")
        os.kill(term.proc.pid, signal.SIGCONT)
        term.read_until(b"finished")
        assert term.wait() == 0
    finally:
        term.close()


def test_the_programs_terminal_takes_the_users_modes(store):
    """The user's `stty` settings reach the program: its terminal is not a new pty's defaults."""
    import fcntl
    import os
    import subprocess
    import termios

    from wrapper_harness import RUNWRAP

    iutf8 = 0o40000  # Linux's IUTF8 (Python's termios does not name it)
    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[0] |= iutf8  # UTF-8 input (a new pty leaves it off)
    attrs[3] &= ~termios.ECHOCTL
    attrs[6][termios.VINTR] = b"\x18"  # ^X interrupts instead of ^C
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    code = ("import termios; a = termios.tcgetattr(0); "
            f"print('modes', bool(a[0] & {iutf8}), bool(a[3] & termios.ECHOCTL), "
            "a[6][termios.VINTR])")
    proc = subprocess.Popen(RUNWRAP + ["--quiet", PY, "-c", code], stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True,
                            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    out = b""
    try:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"modes True False b'\\x18'" in out, out
