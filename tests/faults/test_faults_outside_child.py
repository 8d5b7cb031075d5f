"""The program and its surroundings attacked from the outside: its working directory deleted,
stdin piped while stdout is a terminal, background writers outliving it, interrupts it
ignores. Each case runs the real `runwrap` process, on a real pty where it matters (issue 12)."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import select
import signal
import subprocess
import sys
import termios
from pathlib import Path

from faults_support import (QUIET_COLLECTORS, RUNWRAP, clean_env, figures, no_traceback,
                            read_lines_until, run_dirs, run_meta, wait_for, warning_lines)

# -- 3. the working directory deleted -------------------------------------------------------------


def test_working_directory_deleted_while_the_program_runs(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    store = tmp_path / "store"
    release = tmp_path / "release"
    deleted = tmp_path / "deleted"
    script = (f'rm -rf "$PWD"; touch {deleted}; while [ ! -e {release} ]; do sleep 0.02; done; '
              f'echo still here; exit 5')
    proc = subprocess.Popen(RUNWRAP + ["--dir", str(store), "--project", "p", "--no-scalars",
                                       "--stats-interval", "0", "sh", "-c", script],
                            cwd=live, env=clean_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(deleted.exists, 30)
        alive = wait_for(lambda: proc.poll() is None, 0.5)  # runwrap still waits for it
        release.touch()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    meta = run_meta(run_dirs(store)[0])
    line = figures("cwd-deleted-mid-run", exit=proc.returncode, status=meta["status"],
                   exit_code=meta["exit_code"], warnings=len(warning_lines(err.decode())))
    assert alive and proc.returncode == 5, (line, err.decode()[-800:])
    assert b"still here" in out and no_traceback(err.decode()), line
    assert (meta["status"], meta["exit_code"]) == ("failed", 5), line
    assert (run_dirs(store)[0] / "output.log").read_text().strip() == "still here", line
    assert len(warning_lines(err.decode())) <= 1, line  # a collector that needs it says so once


def _in_deleted_directory(tmp_path: Path, args, env):
    gone = tmp_path / "gone"
    gone.mkdir()
    # The child of this shell starts in a folder that no longer exists (the shell's own `cd`).
    return subprocess.run(["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh",
                           str(gone), *RUNWRAP, *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def test_started_in_a_deleted_directory_runs_the_program_and_records_it(tmp_path):
    store = tmp_path / "store"
    done = _in_deleted_directory(tmp_path, ["--dir", str(store), "--project", "p",
                                            *QUIET_COLLECTORS, "sh", "-c", "echo hi; exit 3"],
                                 clean_env())
    meta = run_meta(run_dirs(store)[0])
    line = figures("cwd-deleted-before", exit=done.returncode, status=meta["status"],
                   stderr=done.stderr.splitlines()[:4])
    assert done.returncode == 3 and "hi" in done.stdout, line
    assert no_traceback(done.stderr) and len(warning_lines(done.stderr)) == 1, line
    assert (meta["status"], meta["exit_code"], meta["cwd"]) == ("failed", 3, None), line


def test_started_in_a_deleted_directory_with_a_relative_store_still_runs_the_program(tmp_path):
    done = _in_deleted_directory(tmp_path, ["sh", "-c", "echo hi; exit 3"], clean_env())
    assert done.returncode == 3 and "hi" in done.stdout, done.stderr
    assert no_traceback(done.stderr), done.stderr
    warned = warning_lines(done.stderr)
    assert len(warned) == 1 and "not recorded" in warned[0], done.stderr


# -- 1. piped stdin while stdout is a terminal ----------------------------------------------------

CONSUMER = r"""
import hashlib, json, sys
data = sys.stdin.buffer.read()
with open(sys.argv[1], "w") as f:
    json.dump({"size": len(data), "sha": hashlib.sha256(data).hexdigest(),
               "stdin_tty": sys.stdin.isatty(), "stdout_tty": sys.stdout.isatty()}, f)
print("consumed", len(data))
"""


def _on_terminal_with_stdin(args, stdin, cwd: Path, env):
    """runwrap with stdout and stderr on a real terminal (its controlling one) and `stdin` as
    given: `producer | runwrap ...` typed in a terminal. Returns (exit status, screen)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(RUNWRAP + args, cwd=cwd, env=env, stdin=stdin, stdout=slave,
                            stderr=slave, start_new_session=True,
                            preexec_fn=lambda: fcntl.ioctl(1, termios.TIOCSCTTY, 0))
    os.close(slave)
    screen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                screen += chunk
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=60), screen
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


def test_piped_stdin_reaches_the_program_byte_for_byte_when_stdout_is_a_terminal(tmp_path):
    rng = random.Random(12)
    payload = bytes(rng.randrange(256) for _ in range(10_000)) + b"\x03\x1c\x04\x1a\n\x7f\x15"
    (tmp_path / "consume.py").write_text(CONSUMER)
    (tmp_path / "input.bin").write_bytes(payload)
    store = tmp_path / "store"
    report = tmp_path / "report.json"
    producer = subprocess.Popen(["cat", str(tmp_path / "input.bin")], stdout=subprocess.PIPE)
    code, screen = _on_terminal_with_stdin(
        ["--dir", str(store), "--project", "p", *QUIET_COLLECTORS, sys.executable, "consume.py",
         str(report)], producer.stdout, tmp_path, clean_env())
    producer.stdout.close()
    producer.wait()
    got = json.loads(report.read_text())
    log = (run_dirs(store)[0] / "output.log").read_bytes()
    line = figures("piped-stdin-on-terminal", exit=code, sent=len(payload), got=got["size"],
                   stdin_tty=got["stdin_tty"], log_bytes=len(log))
    assert code == 0, (line, screen[-500:])
    assert got["size"] == len(payload), line
    assert got["sha"] == hashlib.sha256(payload).hexdigest(), line
    assert got["stdin_tty"] is False and got["stdout_tty"] is True, line
    assert log.strip() == b"consumed 10007", line  # nothing of the input echoed


def test_stdin_from_dev_null_is_not_a_terminal_under_a_terminal(tmp_path):
    (tmp_path / "consume.py").write_text(CONSUMER)
    report = tmp_path / "report.json"
    code, screen = _on_terminal_with_stdin(
        ["--dir", str(tmp_path / "store"), "--project", "p", *QUIET_COLLECTORS, sys.executable,
         "consume.py", str(report)], subprocess.DEVNULL, tmp_path, clean_env())
    got = json.loads(report.read_text())
    assert code == 0 and got["size"] == 0, (got, screen[-300:])
    assert got["stdin_tty"] is False and got["stdout_tty"] is True, got


# -- 2. background writers outliving the program ---------------------------------------------------


def test_a_background_writer_is_not_killed_after_the_program_exits(tmp_path):
    """`runwrap sh -c '(...; echo late; touch MARK) & echo started' > f`: bare, f gets both
    lines and MARK appears; runwrap must not kill the late writer with SIGPIPE."""
    go, mark = tmp_path / "GO", tmp_path / "MARK"
    script = (f"(while [ ! -e {go} ]; do sleep 0.02; done; echo late; echo late-err >&2; "
              f"touch {mark}) & echo started")
    out_path, err_path = tmp_path / "f", tmp_path / "e"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        # Files, not pipes: the late writer keeps what it writes to open as long as it lives.
        code = subprocess.call(RUNWRAP + ["--dir", str(tmp_path / "store"), "--quiet",
                                          *QUIET_COLLECTORS, "sh", "-c", script],
                               cwd=tmp_path, env=clean_env(), stdin=subprocess.DEVNULL,
                               stdout=out, stderr=err, timeout=60)
    go.touch()  # runwrap has exited: only now does the background writer write
    appeared = wait_for(mark.exists, 20)
    wait_for(lambda: b"late-err" in err_path.read_bytes(), 5)
    line = figures("late-writer", exit=code, mark=appeared, stdout=out_path.read_bytes(),
                   stderr=err_path.read_bytes())
    assert code == 0 and appeared, line
    assert out_path.read_bytes() == b"started\nlate\n", line
    assert err_path.read_bytes() == b"late-err\n", line


# -- 10. a program that ignores interrupts ---------------------------------------------------------

STUBBORN = r"""
import signal, sys, time
def ignore(sig, frame):
    print("ignored", signal.Signals(sig).name, flush=True)
signal.signal(signal.SIGINT, ignore)
signal.signal(signal.SIGTERM, sys.argv[1] == "term-exits" and (lambda *a: sys.exit(0)) or ignore)
print("ready", flush=True)
while True:
    time.sleep(0.05)
"""


def test_repeated_ctrl_c_on_a_terminal_escalates_to_sigterm_then_sigkill(tmp_path):
    from wrapper_harness import Terminal

    (tmp_path / "stubborn.py").write_text(STUBBORN)
    store = tmp_path / "store"
    term = Terminal(["--dir", str(store), "--project", "p", *QUIET_COLLECTORS, sys.executable,
                     "stubborn.py", "ignore-all"], cwd=tmp_path, env=clean_env())
    try:
        term.read_until(b"ready")
        # Twice in a row, as an impatient user does: the second is within the escalation window
        # however slowly a loaded machine lets the program print that it ignored the first.
        term.send(b"\x03")
        term.send(b"\x03")
        term.read_until(b"ignored SIGINT")
        term.read_until(b"SIGTERM to its process group")
        term.read_until(b"ignored SIGTERM")
        code = term.wait(30)  # SIGKILL follows the grace period by itself
    finally:
        term.close()
    meta = run_meta(run_dirs(store)[0])
    line = figures("interrupt-escalation-pty", exit=code, status=meta["status"],
                   signal=meta["signal"])
    assert code == 128 + 9, (line, term.output[-600:])
    assert (meta["status"], meta["signal"]) == ("killed", "SIGKILL"), line


def _stubborn_on_pipes(tmp_path: Path, on_term: str):
    """runwrap running STUBBORN on pipes (cron-like), once it has said `ready`."""
    (tmp_path / "stubborn.py").write_text(STUBBORN)
    proc = subprocess.Popen(RUNWRAP + ["--dir", str(tmp_path / "store"), "--project", "p",
                                       *QUIET_COLLECTORS, sys.executable, "stubborn.py", on_term],
                            cwd=tmp_path, env=clean_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    return proc


def test_repeated_sigint_on_pipes_escalates_and_a_third_kills_at_once(tmp_path):
    proc = _stubborn_on_pipes(tmp_path, "ignore-all")
    try:
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline() == b"ignored SIGINT\n"
        proc.send_signal(signal.SIGINT)  # forwarded too, then escalated
        assert b"ignored SIGTERM\n" in read_lines_until(proc, 2)
        proc.send_signal(signal.SIGINT)  # a third: SIGKILL without waiting for the grace
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    meta = run_meta(run_dirs(tmp_path / "store")[0])
    told = [l for l in err.decode().splitlines() if "SIGTERM" in l or "SIGKILL" in l]
    line = figures("interrupt-escalation-pipes", exit=proc.returncode, status=meta["status"],
                   told=told)
    assert proc.returncode == 128 + 9 and len(told) == 2, line
    assert (meta["status"], meta["signal"]) == ("killed", "SIGKILL"), line


def test_a_program_that_exits_on_the_escalations_sigterm_ends_killed(tmp_path):
    proc = _stubborn_on_pipes(tmp_path, "term-exits")
    try:
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline() == b"ignored SIGINT\n"
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    meta = run_meta(run_dirs(tmp_path / "store")[0])
    assert (meta["status"], meta["signal"], meta["exit_code"]) == ("killed", "SIGTERM", 0), meta


def test_a_single_interrupt_is_only_forwarded(tmp_path):
    """The first interrupt is the program's to handle: no escalation, no message."""
    script = tmp_path / "once.py"
    script.write_text("import signal, sys, time\n"
                      "signal.signal(signal.SIGINT, lambda *a: (print('bye', flush=True), "
                      "sys.exit(3)))\nprint('ready', flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen(RUNWRAP + ["--dir", str(tmp_path / "store"), "--project", "p",
                                       *QUIET_COLLECTORS, sys.executable, str(script)],
                            cwd=tmp_path, env=clean_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3 and out == b"bye\n", err
    assert b"SIGTERM" not in err and b"SIGKILL" not in err, err


# -- 14. NUL bytes and drawing in the program's output --------------------------------------------


def test_nul_bytes_reach_the_terminal_but_not_output_log(tmp_path):
    """The bytes of the console pass through untouched; output.log is text `grep` and `less`
    read as text: no NUL, no escape sequence, no '\\b', valid UTF-8."""
    store = tmp_path / "store"
    code = ("import sys\nw = sys.stdout.buffer.write\n"
            "w(b'a\\x00b\\n'); w(b'\\x00' * 100 + b'\\n'); w(b'loss: 0.5\\x00\\n')\n"
            "w(b'bar 1\\x08\\x08\\x1b[2K\\rdone \\xff\\n')\n")
    done = subprocess.run(RUNWRAP + ["--dir", str(store), "--quiet", "--no-pty", "--",
                                     sys.executable, "-c", code],
                          env=clean_env(store), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (b"a\x00b\n" + b"\x00" * 100 + b"\nloss: 0.5\x00\n"
                           b"bar 1\x08\x08\x1b[2K\rdone \xff\n")
    [run] = run_dirs(store)
    log = (run / "output.log").read_bytes()
    assert b"\x00" not in log and b"\x1b" not in log and b"\x08" not in log
    assert log.decode("utf-8") == "ab\n\nloss: 0.5\ndone \ufffd\n"
