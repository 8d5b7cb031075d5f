"""runwrap's exit status is the child's, and the run records how the child ended."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from wrapper_harness import RUNWRAP, only_run, run_json, runwrap


@pytest.mark.parametrize("code,status", [(0, "finished"), (3, "failed")])
def test_exit_code_is_the_childs(store, code, status):
    done = runwrap("--quiet", sys.executable, "-c", f"import sys; sys.exit({code})")
    assert done.returncode == code
    meta = run_json(only_run(store))
    assert meta["status"] == status
    assert meta["exit_code"] == code
    assert meta["end_time"] >= meta["start_time"]


def test_command_not_found_exits_127_and_is_recorded_as_failed(store):
    done = runwrap("no-such-program-xyz", "--flag")
    assert done.returncode == 127
    assert "runwrap: command not found: no-such-program-xyz" in done.stderr.decode().splitlines()
    meta = run_json(only_run(store))
    assert (meta["status"], meta["exit_code"]) == ("failed", 127)
    assert meta["error"] == "command not found: no-such-program-xyz"


def test_not_executable_exits_126(store, tmp_path):
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    done = runwrap(str(script))
    assert done.returncode == 126
    assert "not executable" in done.stderr.decode()


def test_directory_as_command_exits_126(store, tmp_path):
    assert runwrap(str(tmp_path)).returncode == 126


def _start_and_wait_for_child(store, code: str) -> subprocess.Popen:
    proc = subprocess.Popen(RUNWRAP + ["--quiet", sys.executable, "-c", code],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    return proc


def test_child_killed_by_sigterm_exits_143(store):
    proc = _start_and_wait_for_child(store, "import time; print('ready', flush=True); time.sleep(60)")
    proc.send_signal(signal.SIGTERM)  # to runwrap, which forwards it
    assert proc.wait(30) == 143
    meta = run_json(only_run(store))
    assert meta["status"] == "killed"
    assert meta["signal"] == "SIGTERM"
    assert meta["exit_code"] == 143


def test_child_killed_by_sigkill_exits_137(store):
    proc = _start_and_wait_for_child(
        store, "import os, time; print('ready', flush=True); time.sleep(0.2); "
               "os.kill(os.getpid(), 9)")
    assert proc.wait(30) == 137
    assert run_json(only_run(store))["signal"] == "SIGKILL"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                                 signal.SIGQUIT])
def test_signals_are_forwarded_to_the_child_once(store, sig):
    code = ("import signal, sys, time\n"
            "got = []\n"
            f"signal.signal({int(sig)}, lambda s, f: got.append(s))\n"
            "print('ready', flush=True)\n"
            "end = time.time() + 30\n"
            "while not got and time.time() < end: time.sleep(0.01)\n"
            "time.sleep(0.3)\n"
            "print('got', len(got), flush=True)\n")
    proc = _start_and_wait_for_child(store, code)
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=30)
    assert out.decode().split() == ["got", "1"]
    assert proc.returncode == 0


def test_signal_reaches_the_childs_workers(store):
    """Forwarding goes to the child's process group: forked workers get it too."""
    code = ("import os, signal, sys, time\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    signal.signal(signal.SIGTERM, lambda s, f: (print('worker got it', flush=True), os._exit(0)))\n"
            "    time.sleep(30); os._exit(1)\n"
            "signal.signal(signal.SIGTERM, lambda s, f: None)\n"
            "time.sleep(0.2); print('ready', flush=True)\n"
            "os.waitpid(pid, 0)\n")
    proc = _start_and_wait_for_child(store, code)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert b"worker got it" in out
    assert proc.returncode == 0


def test_runwrap_killed_leaves_a_crashed_run(store):
    proc = _start_and_wait_for_child(store, "import time; print('ready', flush=True); time.sleep(5)")
    run_dir = only_run(store)
    listed = runwrap("ls", "--json")
    assert '"status": "running"' in listed.stdout.decode()
    proc.kill()  # SIGKILL of runwrap itself
    proc.wait()
    meta = run_json(run_dir)
    assert meta["status"] == "running"  # nobody repaired the document...
    listed = runwrap("ls", "--json")
    assert '"status": "crashed"' in listed.stdout.decode()  # ...but readers see the truth
    shown = runwrap("show", "latest")
    assert "crashed" in shown.stdout.decode()


def test_runwrap_never_exits_before_the_child(store, tmp_path):
    marker = tmp_path / "done"
    code = ("import signal, time, pathlib\n"
            "signal.signal(signal.SIGTERM, lambda s, f: None)\n"
            "print('ready', flush=True)\n"
            "time.sleep(1.0)\n"
            f"pathlib.Path({str(marker)!r}).write_text('x')\n")
    proc = _start_and_wait_for_child(store, code)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert marker.exists()


@pytest.mark.parametrize("flag,metavar", [("--metrics-file", "PATH"), ("--project", "PROJECT")])
def test_an_option_that_took_the_program_as_its_value_is_named_with_the_fix(store, flag, metavar):
    python = os.path.basename(sys.executable)
    done = runwrap(flag, python, "no-such-train-xyz.py",
                   env={**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep
                        + os.environ.get("PATH", "")})
    assert done.returncode == 127
    line = (f"command not found: no-such-train-xyz.py; {flag} took '{python}' as its value; "
            f"put its value after it: {flag} {metavar} {python} no-such-train-xyz.py")
    assert f"runwrap: {line}" in done.stderr.decode().splitlines()
    assert run_json(only_run(store))["error"] == line


def test_a_signal_before_the_program_started_is_recorded_as_never_started(tmp_path):
    # The signal comes (for real, to this process) once the run directory exists and before
    # the program is started: the run ends killed, and its error says the program never ran.
    from runwrap.wrap.plan import make_plan
    from runwrap.wrap.request import WrapOptions
    from runwrap.wrap.runner import WrappedRun

    marker = tmp_path / "ran"
    plan = make_plan(WrapOptions(command=["touch", str(marker)], dir=str(tmp_path / "store"),
                                 project="early", quiet=True, stats_interval=0, pty=False,
                                 tensorboard_discovery=False))
    wrapped = WrappedRun(plan)
    code = wrapped.execute(on_start=lambda run_dir: os.kill(os.getpid(), signal.SIGTERM))
    assert code == 128 + signal.SIGTERM and not marker.exists()
    meta = run_json(only_run(tmp_path / "store"))
    assert (meta["status"], meta["signal"], meta["exit_code"]) == ("killed", "SIGTERM", code)
    assert "child_pid" not in meta
    assert meta["error"] == wrapped.error == (
        "the program never started: SIGTERM came before runwrap started it")
