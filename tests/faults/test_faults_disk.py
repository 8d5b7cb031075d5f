"""The store's filesystem goes wrong: full, read-only, the run directory deleted or replaced.

Recording may fail; the program must not notice: same console, same exit code, and runwrap says
what happened in one line per problem, once.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

import runwrap
from runwrap.errors import Error
from faults_support import (clean_env, figures, mount_tmpfs, no_traceback, remount_read_only,
                            run_dirs, small_tmpfs, stream_lines, unmount, warning_lines,
                            write_script, RUNWRAP)
from wrapper_harness import Terminal


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 2 MiB tmpfs (skip, saying why, where this machine cannot mount one)."""
    with small_tmpfs(tmp_path / "small", "2m") as target:
        yield target


FILLER = """
    import sys, runwrap
    run = runwrap.init(config={"lr": 0.1})
    for i in range(40000):
        run.log({"i": i, "loss": 1.0 / (i + 1), "pad": "x" * 60})
        if i % 100 == 0:
            print(f"step {i} loss={1.0 / (i + 1):.6f} " + "y" * 60, flush=True)
    print("done", flush=True)
    sys.exit(3)
"""


def test_full_disk_child_keeps_running_console_passes_warns_once_and_keeps_what_was_written(
        small_disk, tmp_path):
    script = write_script(tmp_path / "work", "fill.py", FILLER)
    done = subprocess.run(RUNWRAP + ["--dir", str(small_disk), "--project", "full",
                                     "--stats-interval", "0.2", "--no-tensorboard-discovery",
                                     sys.executable, str(script)],
                          cwd=tmp_path / "work", env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    out_lines = done.stdout.splitlines()
    warnings = warning_lines(done.stderr)
    repeated = {w: n for w, n in Counter(warnings).items() if n > 1}
    [run_dir] = run_dirs(small_disk)
    records, torn, _ = stream_lines(run_dir)
    steps = [r["i"] for r in records]
    meta = json.loads((run_dir / "run.json").read_text())  # still whole JSON
    line = figures("full-disk", logged=40000, kept_on_disk=len(steps), lost=40000 - len(steps),
                   torn_tail=torn, console_lines=len(out_lines), exit=done.returncode,
                   warnings=len(warnings), repeated_warnings=len(repeated),
                   run_json_status=meta.get("status"))
    assert done.returncode == 3, (line, done.stderr[-3000:])
    printed = [f"step {i} loss={1.0 / (i + 1):.6f} " + "y" * 60 for i in range(0, 40000, 100)]
    assert out_lines == printed + ["done"], line
    assert no_traceback(done.stderr), (line, done.stderr[-3000:])
    assert warnings and any("space" in w.lower() for w in warnings), (line, done.stderr)
    assert not repeated, (line, repeated)
    # What was written before the disk filled is intact: a gap-free prefix, at most a torn tail.
    assert 0 < len(steps) < 40000 and steps == list(range(len(steps))) and torn <= 1, line
    assert meta["id"] == run_dir.name, line
    leftovers = [p.name for p in run_dir.rglob(".*.tmp")]  # failed atomic writes clean up
    assert not leftovers, (line, leftovers)
    assert (run_dir / "config.yaml").read_text().strip() == "lr: 0.1", line


def test_full_disk_on_a_real_terminal_the_screen_still_shows_everything(small_disk, tmp_path):
    script = write_script(tmp_path / "work", "fill.py", FILLER)
    term = Terminal(["--dir", str(small_disk), "--project", "tty", "--stats-interval", "0",
                     "--no-tensorboard-discovery", sys.executable, str(script)],
                    cwd=tmp_path / "work", env=clean_env())
    try:
        term.read_until(b"done", timeout=90)
        code = term.wait(60)
    finally:
        term.close()
    screen = term.output.decode(errors="replace").replace("\r\n", "\n")
    steps = sum(1 for l in screen.splitlines() if l.startswith("step "))
    warnings = warning_lines(screen)
    repeated = {w: n for w, n in Counter(warnings).items() if n > 1}
    line = figures("full-disk-terminal", console_lines=steps, exit=code, warnings=len(warnings),
                   repeated_warnings=len(repeated))
    assert code == 3 and steps == 400, (line, screen[-2000:])
    assert warnings and not repeated and no_traceback(screen), (line, screen[-2000:])


STANDALONE = """
    import sys, runwrap
    run = runwrap.init(project="alone", config={"lr": 0.1})
    for i in range(40000):
        run.log({"i": i, "loss": 1.0 / (i + 1), "pad": "x" * 60})
    run.config.update({"late": 1})
    run.summary["best"] = 0.5
    run.name = "renamed"
    run.finish()
    print("finished", flush=True)
"""


def test_full_disk_under_a_standalone_init_run_the_program_finishes_normally(small_disk,
                                                                            tmp_path):
    script = write_script(tmp_path / "work", "alone.py", STANDALONE)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path / "work",
                          env=clean_env(small_disk), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    warnings = warning_lines(done.stderr)
    repeated = {w: n for w, n in Counter(warnings).items() if n > 1}
    [run_dir] = run_dirs(small_disk)
    records, torn, _ = stream_lines(run_dir)
    steps = [r["i"] for r in records]
    line = figures("full-disk-standalone", logged=40000, kept_on_disk=len(steps),
                   lost=40000 - len(steps), torn_tail=torn, exit=done.returncode,
                   warnings=len(warnings), repeated_warnings=len(repeated))
    assert done.returncode == 0 and done.stdout == "finished\n", (line, done.stderr[-3000:])
    assert no_traceback(done.stderr) and warnings and not repeated, (line, done.stderr)
    assert 0 < len(steps) < 40000 and steps == list(range(len(steps))) and torn <= 1, line
    assert json.loads((run_dir / "run.json").read_text())["id"] == run_dir.name, line


@pytest.fixture
def read_only_store(tmp_path) -> Iterator[Path]:
    """A read-only filesystem (root ignores chmod): a tmpfs remounted read-only."""
    target = tmp_path / "ro"
    reason = mount_tmpfs(target, "1m")
    if reason:
        pytest.skip(reason)
    try:
        reason = remount_read_only(target)
        if reason:
            pytest.skip(reason)
        yield target
    finally:
        unmount(target)


def test_read_only_store_is_one_clear_error_before_the_program_starts(read_only_store, tmp_path):
    work = tmp_path / "work"
    script = write_script(work, "touch.py", "open('ran', 'w').close()\n")
    done = subprocess.run(RUNWRAP + ["--dir", str(read_only_store), sys.executable, str(script)],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    errors = [l for l in done.stderr.splitlines() if str(read_only_store) in l
              and "recording run" not in l]
    line = figures("read-only-store-wrapper", exit=done.returncode, error_lines=len(errors),
                   program_started=(work / "ran").exists())
    assert done.returncode == 2 and len(errors) == 1, (line, done.stderr)
    assert "read-only" in errors[0].lower() and "--dir" in errors[0], (line, errors)
    assert no_traceback(done.stderr), (line, done.stderr)
    assert not (work / "ran").exists(), line  # refused before anything ran


def test_read_only_store_for_init_raises_a_usage_error_naming_the_path(read_only_store, tmp_path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Error) as caught:
        runwrap.init(dir=str(read_only_store), mode="offline", project="p")
    message = str(caught.value)
    figures("read-only-store-init", error=type(caught.value).__name__)
    assert str(read_only_store) in message and "\n" not in message, message


VICTIM = """
    import os, shutil, sys, time, runwrap
    run = runwrap.init()
    for i in range(5):
        run.log({"a": i}); print(f"step {i}", flush=True)
    run_dir = os.environ["RUNWRAP_RUN_DIR"]
    shutil.rmtree(run_dir)
    if sys.argv[1] == "file":
        open(run_dir, "w").write("not a directory")
    for i in range(5, 60):
        run.log({"a": i}); print(f"step {i} loss={1 / (i + 1):.5f}", flush=True)
        time.sleep(0.002)
    print("done", flush=True)
    sys.exit(5)
"""


@pytest.mark.parametrize("how", ["deleted", "file"])
def test_run_directory_removed_mid_run_one_line_warnings_and_the_child_is_unaffected(
        tmp_path, how):
    work = tmp_path / "work"
    script = write_script(work, "victim.py", VICTIM)
    store = tmp_path / "store"
    done = subprocess.run(RUNWRAP + ["--dir", str(store), "--project", "gone", "--stats-interval",
                                     "0.2", sys.executable, str(script), how],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    expected = [f"step {i}" for i in range(5)] + [f"step {i} loss={1 / (i + 1):.5f}"
                                                    for i in range(5, 60)] + ["done"]
    warnings = warning_lines(done.stderr)
    repeated = {w: n for w, n in Counter(warnings).items() if n > 1}
    line = figures(f"run-dir-{how}", exit=done.returncode,
                   console_lines=len(done.stdout.splitlines()), warnings=len(warnings),
                   repeated=len(repeated))
    assert done.returncode == 5, (line, done.stderr)
    assert done.stdout.splitlines() == expected, line
    assert no_traceback(done.stderr), (line, done.stderr)
    assert not repeated, (line, repeated)
    assert warnings, (line, done.stderr)  # the lost end of the run is said, not hidden
    for w in warnings:
        assert len(w) < 300, w
