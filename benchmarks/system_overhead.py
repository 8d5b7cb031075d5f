"""runwrap's own CPU while the wrapped program sleeps: the system sampler alone, and the wrapper.

    python benchmarks/system_overhead.py [--seconds 30] [--interval 2] [--rounds 1] [--skip-wrapper]

1. sampler: a fresh Python process runs SystemSampler at the interval against a `sleep` child and
   reports the CPU time (user+sys) its process used during the sleep, with and without the
   sampler (the difference is the sampler's cost), as a share of one core.
2. wrapper: `python -m runwrap --dir TMP --stats-interval I -- sleep S` under wait4(), which gives
   the CPU of runwrap (the sleeping child's is ~0): all in; less the same wrapper running `true`
   (start-up and exit: imports, run.json, summary); and less a `--stats-interval 0` run (what
   the sampler adds).
Needs nothing but this package and psutil. Not a test: numbers only.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

SAMPLER_PROBE = r"""
import os, subprocess, sys, time, tempfile, pathlib
from runwrap.collectors.base import CollectorContext
from runwrap.collectors.system.sampler import SystemSampler
seconds, interval, enabled = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
d = pathlib.Path(tempfile.mkdtemp())
child = subprocess.Popen(["sleep", str(seconds)])
ctx = CollectorContext(run_dir=d, start_time=time.time(), cwd=d, store_root=d, child_pid=child.pid)
sampler = SystemSampler(ctx, interval)
t0, c0 = time.monotonic(), os.times()
if enabled:
    sampler.start()
child.wait()
sampler.stop()
t1, c1 = time.monotonic(), os.times()
n = sum(1 for _ in open(d / "streams" / "system.jsonl")) if enabled else 0
print((c1.user - c0.user) + (c1.system - c0.system), t1 - t0, n)
import shutil; shutil.rmtree(d, ignore_errors=True)
"""


def sampler_round(seconds: float, interval: float, enabled: bool) -> tuple:
    out = subprocess.run([sys.executable, "-c", SAMPLER_PROBE, str(seconds), str(interval),
                          "1" if enabled else "0"], check=True, capture_output=True, text=True)
    cpu, wall, n = out.stdout.split()
    return float(cpu), float(wall), int(n)


def wrapper_round(seconds: float, interval: float, command: list = None) -> tuple:
    command = command or ["sleep", str(seconds)]
    with tempfile.TemporaryDirectory() as store:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "runwrap", "--dir", store,
                                 "--stats-interval", str(interval), "--", *command],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=store)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        if status != 0:
            sys.exit(f"wrapper failed ({status}): {proc.stderr.read().decode()}")
        return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--skip-wrapper", action="store_true")
    args = ap.parse_args()

    on, off = [], []
    for _ in range(args.rounds):
        cpu, wall, n = sampler_round(args.seconds, args.interval, True)
        on.append(cpu / wall)
        cpu_off, wall_off, _ = sampler_round(args.seconds, args.interval, False)
        off.append(cpu_off / wall_off)
        print(f"sampler round: {n} samples, process CPU {cpu * 1000:.1f} ms in {wall:.1f} s "
              f"(without sampler {cpu_off * 1000:.1f} ms)")
    print(f"sampler: median {100 * statistics.median(on):.3f}% of one core with sampling, "
          f"{100 * statistics.median(off):.3f}% without "
          f"(interval {args.interval} s, child sleeping {args.seconds} s)")
    if args.skip_wrapper:
        return
    total, steady, sampler = [], [], []
    for _ in range(args.rounds):
        cpu, wall = wrapper_round(args.seconds, args.interval)
        cpu_off, _ = wrapper_round(args.seconds, 0)
        cpu_start, _ = wrapper_round(args.seconds, args.interval, ["true"])
        total.append(cpu / wall)
        steady.append((cpu - cpu_start) / args.seconds)
        sampler.append((cpu - cpu_off) / args.seconds)
        print(f"wrapper round: CPU {cpu * 1000:.0f} ms in {wall:.1f} s; with --stats-interval 0 "
              f"{cpu_off * 1000:.0f} ms; start-up and exit alone (`true`) "
              f"{cpu_start * 1000:.0f} ms")
    print(f"wrapper (`python -m runwrap --stats-interval {args.interval} -- sleep {args.seconds}`),"
          f" medians in % of one core: all in {100 * statistics.median(total):.3f}, "
          f"without start-up {100 * statistics.median(steady):.3f}, "
          f"the sampler's share {100 * statistics.median(sampler):.3f}")

if __name__ == "__main__":
    main()
