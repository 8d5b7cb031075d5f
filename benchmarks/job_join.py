"""What joining a cluster job's run costs a task: `runwrap -- true` as the 64th part of a SLURM
job's run, beside the same command starting a run of its own.

    python benchmarks/job_join.py [--parts 64] [--rounds 5]

The run's first 63 parts are made by the real wrapper (one `runwrap -- true` per simulated
task, SLURM variables per task). Each round then starts one more task as part 64 (a fresh
process, wall and CPU time), and removes that part's files afterwards, off the clock, so every
round joins a run of exactly 63 parts. Not a test: numbers only.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from harness import run_timed  # noqa: E402

JOB = "9000"


def task_env(store: Path, rank: int, size: int) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM", "RUNWRAP_"))}
    env.update(RUNWRAP_DIR=str(store), SLURM_JOB_ID=JOB, SLURM_STEP_ID="0",
               SLURM_PROCID=str(rank), SLURM_LOCALID=str(rank % 8), SLURM_NODEID=str(rank // 8),
               SLURM_NTASKS=str(size), RUNWRAP_HOST=f"node{rank // 8}",
               PYTHONPATH=os.pathsep.join([str(BENCH.parent)] + [
                   p for p in [os.environ.get("PYTHONPATH")] if p]))
    return env


def command() -> List[str]:
    return [sys.executable, "-m", "runwrap", "--project", "job", "--quiet",
            "--stats-interval", "0", "--no-tensorboard-discovery", "--", "true"]


def build_job(store: Path, parts: int) -> Path:
    """A job's run with `parts - 1` finished parts, made by the wrapper itself."""
    for rank in range(parts - 1):
        run_timed(command(), task_env(store, rank, parts), shell=False)
    return store / "job" / f"slurm-{JOB}.0"


def join_measure(store: Path, parts: int) -> Callable[[], Dict[str, float]]:
    run_dir = store / "job" / f"slurm-{JOB}.0"
    last = parts - 1

    def measure() -> Dict[str, float]:
        result = run_timed(command(), task_env(store, last, parts), shell=False)
        for leftover in (run_dir / "parts" / f"{last}.json", run_dir / f"output.{last}.log",
                         run_dir / "streams" / f"stdout.{last}.jsonl"):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass
        return result
    return measure


def alone_measure(store: Path) -> Callable[[], Dict[str, float]]:
    env = {k: v for k, v in task_env(store, 0, 1).items() if not k.startswith("SLURM")}

    def measure() -> Dict[str, float]:
        result = run_timed(command(), env, shell=False)
        shutil.rmtree(store, ignore_errors=True)
        return result
    return measure


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="runwrap-join-"))
    try:
        store = tmp / "store"
        build_job(store, args.parts)
        join, alone = join_measure(store, args.parts), alone_measure(tmp / "alone")
        rounds = [(alone(), join()) for _ in range(args.rounds)]
        for i, name in enumerate(("runwrap -- true (a run of its own)",
                                  f"runwrap -- true (part {args.parts} of a job's run)")):
            wall = statistics.median(r[i]["wall"] for r in rounds)
            cpu = statistics.median(r[i]["cpu"] for r in rounds)
            print(f"{name:<48} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms cpu")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
