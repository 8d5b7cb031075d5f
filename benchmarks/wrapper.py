"""The wrapper's cost, side by side with running the program bare.

    python benchmarks/wrapper.py [--quick]

1. Start-up: `runwrap -- true` vs `true` (wall time, alternating, median of N rounds).
2. Console throughput, pipe mode: a child writing 500 MB of text lines through runwrap into
   `cat > /dev/null`, vs the same child writing straight into `cat > /dev/null`.
3. Console throughput, pty mode (ONLCR off), same child, MB/s.
4. The wrapper's peak RSS while the child prints 500 MB.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PY = sys.executable
RUNWRAP = f"{shlex.quote(PY)} -m runwrap"


def child_code(mb: int) -> str:
    return ("import os\nline = b'x' * 99 + b'\\n'\nblock = line * 655\n"
            f"left = {mb} * 1024 * 1024\n"
            "while left > 0:\n    n = os.write(1, block[:left])\n    left -= n\n")


def timed(cmd: str, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, env=env, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_rss_of_wrapper(cmd: str, env: dict) -> float:
    import psutil

    proc = subprocess.Popen(cmd, shell=True, env=env, stdin=subprocess.DEVNULL)
    peak = 0
    shell = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            for p in [shell] + shell.children(recursive=True):
                # The wrapper is `python -m runwrap ...`; the child's command line (which
                # also ends the wrapper's) is not looked at.
                if p.cmdline()[1:3] == ["-m", "runwrap"]:
                    peak = max(peak, p.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        time.sleep(0.05)
    return peak / 1e6


def median_range(values):
    return statistics.median(values), min(values), max(values)


def startup_commands() -> dict:
    """Label -> shell command of the start-up measurement (benchmarks/run.py uses them too)."""
    return {"true": "true", "runwrap -- true": f"{RUNWRAP} --quiet --stats-interval 0 -- true"}


def child_command(mb: int) -> str:
    """A Python child that writes `mb` MB of 100-byte text lines to its stdout."""
    return f"{shlex.quote(PY)} -c {shlex.quote(child_code(mb))}"


def throughput_commands(child: str) -> dict:
    """Label -> shell command sending `child`'s output through runwrap (or not) into a pipe."""
    wrap = f"{RUNWRAP} --quiet --stats-interval 0"
    return {
        "bare pipe": f"{child} | cat > /dev/null",
        "runwrap pipe": f"{wrap} --no-pty --no-scalars -- {child} | cat > /dev/null",
        "runwrap pty": f"{wrap} --pty --no-scalars -- {child} | cat > /dev/null",
        "runwrap pipe, scalars": f"{wrap} --no-pty -- {child} | cat > /dev/null",
    }


def rss_command(child: str) -> str:
    """The command whose wrapper's peak RSS is measured (pipe mode, default scalar parsing)."""
    return f"{RUNWRAP} --quiet --no-pty --stats-interval 0 -- {child} > /dev/null"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rounds = 5 if args.quick else 11
    mb = 100 if args.quick else 500
    store = tempfile.mkdtemp(prefix="runwrap-bench-")
    env = dict(os.environ, RUNWRAP_DIR=store)

    # 1. start-up
    bare, wrapped = [], []
    bare_cmd, wrapped_cmd = startup_commands().values()
    for _ in range(rounds):
        bare.append(timed(bare_cmd, env))
        wrapped.append(timed(wrapped_cmd, env))
    b, w = statistics.median(bare), statistics.median(wrapped)
    print(f"start-up      true {b*1000:7.1f} ms   runwrap -- true {w*1000:7.1f} ms   "
          f"added {1000*(w-b):6.1f} ms (median of {rounds}; range {min(wrapped)*1000:.0f}-"
          f"{max(wrapped)*1000:.0f} ms)")

    # 2./3. throughput
    child = child_command(mb)
    commands = throughput_commands(child)
    results = {"bare pipe": [], "runwrap pipe": [], "runwrap pty": []}
    for _ in range(max(3, rounds // 2)):
        for label in results:
            results[label].append(mb / timed(commands[label], env))
    base = statistics.median(results["bare pipe"])
    for label, values in results.items():
        med, lo, hi = median_range(values)
        print(f"throughput    {label:<13} {med:8.0f} MB/s  (range {lo:.0f}-{hi:.0f})  "
              f"{100*med/base:5.1f}% of bare pipe")
    with_scalars = mb / timed(commands["runwrap pipe, scalars"], env)
    print(f"throughput    runwrap pipe with default scalar parsing: {with_scalars:.0f} MB/s")

    # 4. memory
    rss = peak_rss_of_wrapper(rss_command(child), env)
    print(f"memory        runwrap peak RSS while the child prints {mb} MB: {rss:.1f} MB")
    shutil.rmtree(store, ignore_errors=True)  # its runs keep every byte of console: GBs


if __name__ == "__main__":
    main()
