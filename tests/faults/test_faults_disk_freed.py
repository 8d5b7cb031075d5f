"""A disk that fills during the run, and then has room again (or never does), and one that is
full before the run starts.

Whatever fails, every line of every stream stays a whole JSON record (a failed append is cut
back, never followed by later records), recording resumes once space is freed, and the end of
the run is recorded with the program's exit code.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from faults_support import (clean_env, figures, no_traceback, run_dirs, small_tmpfs,
                            warning_lines, write_script, RUNWRAP)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "small", "1m") as target:
        yield target


# Fills the store's disk itself (a ballast file written until ENOSPC), so the fill happens at a
# known point of the program; frees it again when told. Prints metrics, logs through the SDK
# and appends to a metrics file, so three writers meet the full disk.
FILL_THEN_FREE = """
    import json, os, sys, runwrap
    store, free = sys.argv[1], sys.argv[2] == "free"
    run = runwrap.init()
    ballast = os.path.join(store, "ballast")
    metrics = open("metrics.jsonl", "a")

    def step(i):
        run.log({"i": i, "pad": "x" * 90})
        metrics.write(json.dumps({"step": i, "m": i / 7}) + "\\n"); metrics.flush()
        print(f"step {i} loss={1 / (i + 1):.5f}", flush=True)

    for i in range(300):
        step(i)
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"z" * 512)
    except OSError:
        pass
    os.close(fd)
    for i in range(300, 600):
        step(i)
    if free:
        os.unlink(ballast)
    for i in range(600, 900):
        step(i)
    print("done", flush=True)
    sys.exit(3)
"""


def fill(disk: Path) -> None:
    """Fill `disk` to its last byte."""
    with open(disk / "ballast", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"z" * 512)
        except OSError:
            pass


def check_lines(run_dir: Path) -> Dict[str, List[int]]:
    """{file: [numbers of lines that are not a whole JSON object]} for every stream file,
    the last line included (it must end in a newline too)."""
    bad = {}
    for path in sorted((run_dir / "streams").glob("*.jsonl")):
        data = path.read_bytes()
        lines = data.split(b"\n")
        wrong = [n for n, line in enumerate(lines[:-1]) if not _is_object(line)]
        if lines[-1]:
            wrong.append(len(lines) - 1)
        bad[path.name] = wrong
    return bad


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _wrapped(store: Path, work: Path, how: str) -> subprocess.CompletedProcess:
    script = write_script(work, "fill.py", FILL_THEN_FREE)
    return subprocess.run(RUNWRAP + ["--dir", str(store), "--project", "fill", "--stats-interval",
                                     "0", "--no-tensorboard-discovery", "--metrics-file",
                                     "metrics.jsonl", sys.executable, str(script), str(store),
                                     how],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def test_disk_full_then_freed_every_stream_line_is_whole_and_recording_resumes(small_disk,
                                                                              tmp_path):
    done = _wrapped(small_disk, tmp_path / "work", "free")
    [run_dir] = run_dirs(small_disk)
    bad = check_lines(run_dir)
    sdk = [json.loads(l) for p in (run_dir / "streams").glob("sdk*.jsonl")
           for l in p.read_bytes().splitlines() if _is_object(l)]
    steps = [r["i"] for r in sdk]
    meta = json.loads((run_dir / "run.json").read_text())
    log = (run_dir / "output.log").read_text()
    line = figures("disk-full-then-freed", exit=done.returncode, bad_lines=bad,
                   sdk_records=len(steps), after_free=sum(s >= 600 for s in steps),
                   status=meta.get("status"), exit_code=meta.get("exit_code"))
    assert done.returncode == 3 and no_traceback(done.stderr), (line, done.stderr[-3000:])
    assert not any(bad.values()), line  # jq reads every stream to its end
    assert steps == sorted(steps) and steps[-1] == 899, line
    assert set(range(600, 900)) <= set(steps), line  # everything after the space came back
    assert meta["status"] == "failed" and meta["exit_code"] == 3, line
    # The program's lines (its stderr, where init() warned, may land anywhere among them).
    printed = [l for l in log.splitlines() if not l.startswith("runwrap:")]
    assert printed[-2:] == ["step 899 loss=0.00111", "done"], (line, log[-500:])


def test_disk_full_until_the_end_records_the_real_end_and_warns_once(small_disk, tmp_path):
    done = _wrapped(small_disk, tmp_path / "work", "keep")
    [run_dir] = run_dirs(small_disk)
    bad = check_lines(run_dir)
    meta = json.loads((run_dir / "run.json").read_text())
    warnings = warning_lines(done.stderr)
    space = [w for w in warnings if "disk is full" in w]
    repeated = {w: n for w, n in Counter(warnings).items() if n > 1}
    line = figures("disk-full-to-the-end", exit=done.returncode, bad_lines=bad,
                   status=meta.get("status"), exit_code=meta.get("exit_code"),
                   warnings=len(warnings), space_warnings=len(space))
    assert done.returncode == 3 and no_traceback(done.stderr), (line, done.stderr[-3000:])
    assert not any(bad.values()), line
    # The real end, not `crashed`: room for it was held from the start.
    assert meta["status"] == "failed" and meta["exit_code"] == 3, line
    # Once per process that met the full disk (the wrapper, the program's init()).
    assert 1 <= len(space) <= 2 and len(warnings) == len(space) and not repeated, (
        line, warnings)
    assert not list(run_dir.glob(".space-reserve")), line


def test_disk_full_at_start_runs_the_program_unrecorded_with_one_line(small_disk, tmp_path):
    """The rule for "cannot record" (docs/failures.md): a store that is right but cannot take
    the run now runs the program as it would bare, with one warning and its exit code."""
    fill(small_disk)
    work = tmp_path / "work"
    script = write_script(work, "prog.py", """
        import sys, runwrap
        run = runwrap.init()
        run.log({"a": 1})
        print("ran", flush=True)
        run.finish()
        sys.exit(4)
    """)
    done = subprocess.run(RUNWRAP + ["--dir", str(small_disk), sys.executable, str(script)],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    warnings = warning_lines(done.stderr)
    line = figures("disk-full-at-start", exit=done.returncode, stdout=done.stdout.strip(),
                   warnings=len(warnings))
    assert done.returncode == 4 and done.stdout == "ran\n", (line, done.stderr)
    assert len(warnings) == 1 and "not recorded" in warnings[0], (line, done.stderr)
    assert str(small_disk) in warnings[0] and no_traceback(done.stderr), (line, done.stderr)
    assert run_dirs(small_disk) == [], line


def test_init_on_a_full_disk_without_the_wrapper_goes_on_unrecorded(small_disk, tmp_path):
    fill(small_disk)
    work = tmp_path / "work"
    script = write_script(work, "alone.py", """
        import sys, runwrap
        run = runwrap.init(project="alone")
        run.log({"a": 1}); run.finish()
        print("finished", flush=True)
    """)
    done = subprocess.run([sys.executable, str(script)], cwd=work, env=clean_env(small_disk),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    warnings = warning_lines(done.stderr)
    line = figures("disk-full-at-init", exit=done.returncode, warnings=len(warnings))
    assert done.returncode == 0 and done.stdout == "finished\n", (line, done.stderr)
    assert len(warnings) == 1 and no_traceback(done.stderr), (line, done.stderr)
