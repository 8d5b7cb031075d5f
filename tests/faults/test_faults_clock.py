"""The wall clock stepped back a day in the middle of a run (NTP, a resumed VM, a hand): wall
times are recorded as read, while durations and `_runtime` come from the monotonic clock.

The clock is stepped for real: runwrap and the program run under libfaketime, whose offset is
read from a file the program rewrites mid-run (FAKETIME_NO_CACHE), and whose monotonic clock
is left alone (FAKETIME_DONT_FAKE_MONOTONIC). libfaketime's sleep is broken in that mode, so the
program waits with select().
"""
from __future__ import annotations

import glob
import json
import subprocess
import sys
from pathlib import Path

import pytest

from faults_support import RUNWRAP, clean_env, figures, no_traceback, run_dirs, write_script

LIBFAKETIME = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
                     + glob.glob("/usr/lib/faketime/libfaketime.so.1"))

PROGRAM = """
    import select, sys, runwrap
    run = runwrap.init()
    for i in range(6):
        if i == 3:
            with open(sys.argv[1], "w") as f:
                f.write("-1d\\n")   # the wall clock steps back one day, now
        run.log({"a": i})
        print(f"step {i} loss=0.{i}", flush=True)
        select.select([], [], [], 0.05)
"""


@pytest.mark.skipif(not LIBFAKETIME, reason="libfaketime is not installed (apt-get install faketime)")
def test_clock_stepped_back_a_day_durations_and_runtimes_stay_true(tmp_path):
    offset = tmp_path / "offset"
    offset.write_text("+0\n")
    work = tmp_path / "work"
    script = write_script(work, "step.py", PROGRAM)
    env = clean_env(LD_PRELOAD=LIBFAKETIME[0], FAKETIME_TIMESTAMP_FILE=str(offset),
                    FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1")
    store = tmp_path / "store"
    done = subprocess.run(RUNWRAP + ["--dir", str(store), "--stats-interval", "0.1",
                                     "--no-tensorboard-discovery", sys.executable, str(script),
                                     str(offset)],
                          cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)
    [run_dir] = run_dirs(store)
    meta = json.loads((run_dir / "run.json").read_text())
    runtimes = {}
    times = {}
    for path in (run_dir / "streams").glob("*.jsonl"):
        records = [json.loads(line) for line in path.read_text().splitlines()]
        runtimes[path.name.split(".")[0]] = [r["_runtime"] for r in records]
        times[path.name.split(".")[0]] = [r["_time"] for r in records]
    stepped = meta["end_time"] - meta["start_time"]
    line = figures("clock-back-a-day", exit=done.returncode, duration=meta["duration"],
                   wall_end_minus_start=round(stepped), runtimes={
                       k: [round(v, 2) for v in vs] for k, vs in runtimes.items()})
    assert done.returncode == 0 and no_traceback(done.stderr), (line, done.stderr[-2000:])
    assert stepped < -80000, line  # the clock did step: the end, as read, is a day earlier
    assert 0 < meta["duration"] < 120, line
    assert "after -" not in done.stderr, (line, done.stderr)
    for source in ("sdk", "stdout", "system"):
        values = runtimes.get(source, [])
        # The system sampler waits on a timer, which libfaketime may stretch once the clock
        # stepped (a real step leaves Python's monotonic waits alone): it may have no sample.
        assert values or source == "system", (line, source)
        assert all(0 <= v < 120 for v in values) and values == sorted(values), (line, source)
    sdk_times = times["sdk"]
    assert sdk_times[3] - sdk_times[2] < -80000, line  # wall times recorded as read
