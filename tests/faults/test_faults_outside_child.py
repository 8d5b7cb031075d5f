"""The program and its surroundings attacked from the outside: its working directory deleted,
stdin piped while stdout is a terminal, background writers outliving it, interrupts it
ignores. Each case runs the real `runwrap` process, on a real pty where it matters (issue 12)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from faults_support import (QUIET_COLLECTORS, RUNWRAP, clean_env, figures, no_traceback,
                            run_dirs, run_meta, wait_for, warning_lines)

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
