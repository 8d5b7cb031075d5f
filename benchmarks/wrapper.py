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
                if "runwrap" in " ".join(p.cmdline()) and "-c" not in p.cmdline()[-2:]:
                    peak = max(peak, p.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        time.sleep(0.05)
    return peak / 1e6


def median_range(values):
    return statistics.median(values), min(values), max(values)


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
    for _ in range(rounds):
        bare.append(timed("true", env))
        wrapped.append(timed(f"{RUNWRAP} --quiet --stats-interval 0 -- true", env))
    b, w = statistics.median(bare), statistics.median(wrapped)
    print(f"start-up      true {b*1000:7.1f} ms   runwrap -- true {w*1000:7.1f} ms   "
          f"added {1000*(w-b):6.1f} ms (median of {rounds}; range {min(wrapped)*1000:.0f}-"
          f"{max(wrapped)*1000:.0f} ms)")

    # 2./3. throughput
    code = shlex.quote(child_code(mb))
    child = f"{shlex.quote(PY)} -c {code}"
    results = {"bare pipe": [], "runwrap pipe": [], "runwrap pty": []}
    for _ in range(max(3, rounds // 2)):
        results["bare pipe"].append(mb / timed(f"{child} | cat > /dev/null", env))
        results["runwrap pipe"].append(mb / timed(
            f"{RUNWRAP} --quiet --no-pty --no-scalars --stats-interval 0 -- {child} | cat > /dev/null", env))
        results["runwrap pty"].append(mb / timed(
            f"{RUNWRAP} --quiet --pty --no-scalars --stats-interval 0 -- {child} | cat > /dev/null", env))
    base = statistics.median(results["bare pipe"])
    for label, values in results.items():
        med, lo, hi = median_range(values)
        print(f"throughput    {label:<13} {med:8.0f} MB/s  (range {lo:.0f}-{hi:.0f})  "
              f"{100*med/base:5.1f}% of bare pipe")
    with_scalars = mb / timed(f"{RUNWRAP} --quiet --no-pty --stats-interval 0 -- {child} | cat > /dev/null", env)
    print(f"throughput    runwrap pipe with default scalar parsing: {with_scalars:.0f} MB/s")

    # 4. memory
    rss = peak_rss_of_wrapper(
        f"{RUNWRAP} --quiet --no-pty --stats-interval 0 -- {child} > /dev/null", env)
    print(f"memory        runwrap peak RSS while the child prints {mb} MB: {rss:.1f} MB")


if __name__ == "__main__":
    main()
