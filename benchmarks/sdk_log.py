"""runwrap.init()/log()/finish() side by side with wandb offline (when installed) and a bare
`json.dumps` + `os.write` loop.

    python benchmarks/sdk_log.py [--rounds 5] [--n 20000]

Every measurement runs in a fresh interpreter, alternating the contenders, and prints medians:
1. import time: inside the process (time.perf_counter around the import statement), and the
   whole process's wall clock over `python -c pass` (noisy on a busy machine);
2. init() time (offline, no config) inside the process;
3. finish() plus interpreter exit (from just before finish() to the parent seeing the exit);
4. log() of 1 and of 10 float scalars, N calls including finish(), in calls per second.
Bytecode is cached in a temporary PYTHONPYCACHEPREFIX (as in a normal install), never in the
repository. Speed is reported, not asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable

SETUP = {
    "runwrap": ("import runwrap", "run = runwrap.init(project='bench', mode='offline')"),
    "wandb": ("import wandb", "run = wandb.init(project='bench', mode='offline')"),
}

# Every contender benchmarks/run.py knows: (import, init, one log call of the dict `row` at step
# `i`, finish). This script's own main() compares SETUP's only.
PEERS = {
    **{name: (imp, init, "run.log(row)", "run.finish()") for name, (imp, init) in SETUP.items()},
    "trackio": ("import trackio",
                "run = trackio.init(project='bench', auto_log_cpu=False, auto_log_gpu=False)",
                "run.log(row)", "run.finish()"),
    # MLflow's local SQLite store (its recommended local backend in MLflow 3).
    "mlflow": ("import mlflow",
               "mlflow.set_tracking_uri('sqlite:///' + os.path.join(os.environ['BENCH_TMP'], "
               "'mlflow.db')); run = mlflow.start_run()",
               "mlflow.log_metrics(row, step=i)", "mlflow.end_run()"),
}
BARE = ("pass", "pass", "pass", "pass")

LOG_CHILD = """
import json, os, sys, time
n, width, who = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = [{{f"metric_{{k}}": i * 0.001 + k for k in range(width)}} for i in range(n)]
def peak_rss_mb():
    with open("/proc/self/status") as f:
        return [int(l.split()[1]) / 1024 for l in f if l.startswith("VmHWM:")][0]
if who == "bare":
    t, c = time.perf_counter(), time.process_time()
    fd = os.open(os.path.join(os.environ["BENCH_TMP"], f"bare.{{os.getpid()}}.jsonl"),
                 os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for row in rows:
        os.write(fd, (json.dumps(row) + "\\n").encode())
    os.close(fd)
else:
    {imp}
    {init}
    t, c = time.perf_counter(), time.process_time()
    for i, row in enumerate(rows):
        {log}
    {finish}
print(json.dumps({{"rate": n / (time.perf_counter() - t),
                  "cpu_rate": n / max(time.process_time() - c, 1e-9), "rss_mb": peak_rss_mb()}}))
"""

INIT_CHILD = """
import json, os, time
t0 = time.perf_counter()
{imp}
t1 = time.perf_counter()
{init}
t2 = time.perf_counter()
row, i = {{"x": 1.0}}, 0
{log}
print(json.dumps({{"import": t1 - t0, "init": t2 - t1, "before_finish": time.time()}}), flush=True)
{finish}
"""


BARE_EXIT_CHILD = """
import json, time
print(json.dumps({"before_finish": time.time()}), flush=True)
"""


def environment(tmp: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RUNWRAP_", "WANDB_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(RUNWRAP_DIR=os.path.join(tmp, "store"), WANDB_DIR=tmp, WANDB_SILENT="true",
               WANDB_MODE="offline", BENCH_TMP=tmp, PYTHONPYCACHEPREFIX=os.path.join(tmp, "pyc"))
    return env


def run_child(code: str, args: list, env: dict, cwd: str) -> tuple:
    start = time.perf_counter()
    done = subprocess.run([PY, "-c", code, *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    ended = time.time()
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr[-2000:]}")
    last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last), wall, ended


def installed(module: str) -> bool:
    return subprocess.run([PY, "-c", f"import {module}"], capture_output=True).returncode == 0


def median(values: list) -> float:
    return statistics.median(values)


def code_for(template: str, name: str) -> str:
    """LOG_CHILD or INIT_CHILD filled in for a contender of PEERS (or "bare")."""
    imp, init, log, finish = PEERS.get(name, BARE)
    return template.format(imp=imp, init=init, log=log, finish=finish)


def bare_start_round(env: dict, tmp: str) -> dict:
    """Seconds of `python -c pass` as a process, and of a bare interpreter's exit."""
    start = time.perf_counter()
    subprocess.run([PY, "-c", "pass"], env=env, check=True)
    process = time.perf_counter() - start
    out, _, ended = run_child(BARE_EXIT_CHILD, [], env, tmp)
    return {"process": process, "exit": ended - out["before_finish"]}


def start_round(name: str, env: dict, tmp: str) -> dict:
    """Seconds, each in a fresh process: the import as a whole process (`python -c 'import
    X'`), the import inside the process, init(), and finish() plus the interpreter's exit."""
    start = time.perf_counter()
    subprocess.run([PY, "-c", PEERS[name][0]], env=env, check=True)
    process_import = time.perf_counter() - start
    out, _, ended = run_child(code_for(INIT_CHILD, name), [], env, tmp)
    return {"process_import": process_import, "import": out["import"], "init": out["init"],
            "finish_exit": ended - out["before_finish"]}


def log_round(name: str, n: int, width: int, env: dict, tmp: str) -> dict:
    """One fresh process logging n rows of `width` floats and finishing: calls/s (wall and per
    CPU-second of that process) and its peak RSS in MB."""
    out, _, _ = run_child(code_for(LOG_CHILD, name), [n, width, name], env, tmp)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    who = ["runwrap"] + (["wandb"] if installed("wandb") else [])
    if "wandb" not in who:
        print("wandb is not installed: comparing runwrap with the bare loop only")
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp)
        # Warm the bytecode cache and the page cache once.
        for name in who:
            run_child(code_for(INIT_CHILD, name), [], env, tmp)
        bare_start = []
        bare_exit = []
        imports = {n: [] for n in who}
        inner_imports = {n: [] for n in who}
        inits = {n: [] for n in who}
        exits = {n: [] for n in who}
        for _ in range(args.rounds):
            bare = bare_start_round(env, tmp)
            bare_start.append(bare["process"])
            bare_exit.append(bare["exit"])
            for name in who:
                out = start_round(name, env, tmp)
                imports[name].append(out["process_import"])
                inits[name].append(out["init"])
                inner_imports[name].append(out["import"])
                exits[name].append(out["finish_exit"])
        base = median(bare_start)
        print(f"python -c pass: {base * 1e3:.1f} ms; a bare interpreter's exit: "
              f"{median(bare_exit) * 1e3:.1f} ms (medians of {args.rounds})")
        print(f"{'':10s} {'import':>10s} {'process over bare':>18s} {'init()':>10s} "
              f"{'finish+exit':>12s}")
        for name in who:
            print(f"{name:10s} {median(inner_imports[name]) * 1e3:7.1f} ms "
                  f"{(median(imports[name]) - base) * 1e3:15.1f} ms "
                  f"{median(inits[name]) * 1e3:7.1f} ms {median(exits[name]) * 1e3:9.1f} ms")
        for width in (1, 10):
            rates = {n: [] for n in who + ["bare"]}
            for _ in range(args.rounds):
                for name in who + ["bare"]:
                    rates[name].append(log_round(name, args.n, width, env, tmp)["rate"])
            print(f"log() of {width} float scalar(s), {args.n} calls incl. finish(), median "
                  f"of {args.rounds}:")
            for name, values in rates.items():
                ratio = median(values) / median(rates["runwrap"])
                print(f"  {name:8s} {median(values):10.0f} calls/s  ({ratio:.2f}x runwrap)")


if __name__ == "__main__":
    main()
