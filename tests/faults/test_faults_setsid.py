"""A program that calls setsid() without forking first (daemon-like code, some launchers), run
the way cron runs it: stdin not a terminal, output on pipes.

Bare, it is no process group leader and setsid() succeeds; under runwrap it must succeed too,
and signals runwrap forwards must still reach it after it left runwrap's group."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from faults_support import clean_env, figures, run_dirs, run_meta, wrap_cmd, write_script

DAEMONISH = """
    import os, signal, sys, time
    signal.signal(signal.SIGTERM, lambda *a: (print("got SIGTERM", flush=True), sys.exit(3)))
    try:
        os.setsid()
        print("setsid ok", flush=True)
    except OSError as e:
        print(f"setsid failed: {e}", flush=True)
        sys.exit(1)
    if sys.argv[1:] == ["wait"]:
        time.sleep(120)
"""


def test_setsid_without_fork_succeeds_as_under_cron(tmp_path: Path) -> None:
    script = write_script(tmp_path / "work", "daemonish.py", DAEMONISH)
    store = tmp_path / "store"
    bare = subprocess.run([sys.executable, str(script)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, start_new_session=False)
    wrapped = subprocess.run(wrap_cmd(store, "--project", "d", sys.executable, str(script)),
                             cwd=tmp_path / "work", env=clean_env(), stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=60)
    line = figures("setsid", bare=bare.stdout.strip(), wrapped=wrapped.stdout.strip(),
                   exit=wrapped.returncode)
    assert bare.stdout.strip() == "setsid ok", line  # what cron would see
    assert wrapped.returncode == 0 and wrapped.stdout.strip() == "setsid ok", line


def test_a_program_that_left_the_group_still_gets_the_forwarded_sigterm(tmp_path: Path) -> None:
    script = write_script(tmp_path / "work", "daemonish.py", DAEMONISH)
    store = tmp_path / "store"
    proc = subprocess.Popen(wrap_cmd(store, "--project", "d", sys.executable, str(script),
                                     "wait"),
                            cwd=tmp_path / "work", env=clean_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)  # as `kill <runwrap>` or a scheduler's stop does
    rest, stderr = proc.communicate(timeout=60)
    [run_dir] = run_dirs(store)
    line = figures("setsid_then_sigterm", first=first.strip(), then=rest.strip(),
                   exit=proc.returncode, status=run_meta(run_dir).get("status"))
    assert first.strip() == "setsid ok", (line, stderr)
    assert rest.strip() == "got SIGTERM", line
    assert proc.returncode == 3, line
