"""runwrap started the way cron jobs and daemons start programs: with stdout, stderr or stdin
closed (`>&-`, `2>&-`, `<&-`).

A closed standard stream behaves like /dev/null: the program runs, its output is recorded
once, the run ends with its exit code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faults_support import (clean_env, figures, no_traceback, run_dirs, run_meta, wrap_cmd,
                            write_script)

PROGRAM = """
    import sys
    print("to stdout")
    print("to stderr", file=sys.stderr)
    open("ran", "w").close()
"""


@pytest.mark.parametrize("closed", [">&-", "2>&-", "<&-", ">&- 2>&- <&-"])
def test_a_closed_standard_stream_is_like_dev_null(tmp_path: Path, closed: str) -> None:
    work = tmp_path / "work"
    script = write_script(work, "job.py", PROGRAM)
    store = tmp_path / "store"
    argv = wrap_cmd(store, "--project", "cron", sys.executable, str(script))
    # The shell closes the stream as a crontab line would, then runs runwrap.
    done = subprocess.run(["sh", "-c", f'exec "$@" {closed}', "sh", *argv], cwd=work,
                          env=clean_env(), capture_output=True, text=True, timeout=60)
    [run_dir] = run_dirs(store)
    meta = run_meta(run_dir)
    log = (run_dir / "output.log").read_text()
    line = figures("closed_stream", closed=closed, exit=done.returncode,
                   status=meta.get("status"), exit_code=meta.get("exit_code"),
                   stdout_lines_logged=log.count("to stdout"), ran=(work / "ran").exists())
    assert done.returncode == 0, (line, done.stderr)
    assert (work / "ran").exists(), line
    assert meta["status"] == "finished" and meta["exit_code"] == 0, line
    assert log.count("to stdout") == 1 and log.count("to stderr") == 1, (line, log)
    assert no_traceback(done.stdout, done.stderr), line
