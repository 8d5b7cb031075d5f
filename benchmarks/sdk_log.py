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

LOG_CHILD = """
import json, os, sys, time
n, width, who = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = [{{f"metric_{{k}}": i * 0.001 + k for k in range(width)}} for i in range(n)]
if who == "bare":
    t = time.perf_counter()
    fd = os.open(os.path.join(os.environ["BENCH_TMP"], f"bare.{{os.getpid()}}.jsonl"),
                 os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for row in rows:
        os.write(fd, (json.dumps(row) + "\\n").encode())
    os.close(fd)
else:
    {imp}
    {init}
    t = time.perf_counter()
    for row in rows:
        run.log(row)
    run.finish()
print(json.dumps({{"rate": n / (time.perf_counter() - t)}}))
"""

INIT_CHILD = """
import json, time
t0 = time.perf_counter()
{imp}
t1 = time.perf_counter()
{init}
t2 = time.perf_counter()
run.log({{"x": 1.0}})
print(json.dumps({{"import": t1 - t0, "init": t2 - t1, "before_finish": time.time()}}), flush=True)
run.finish()
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
            imp, init = SETUP[name]
            run_child(INIT_CHILD.format(imp=imp, init=init), [], env, tmp)
        bare_start = []
        bare_exit = []
        imports = {n: [] for n in who}
        inner_imports = {n: [] for n in who}
        inits = {n: [] for n in who}
        exits = {n: [] for n in who}
        for _ in range(args.rounds):
            start = time.perf_counter()
            subprocess.run([PY, "-c", "pass"], env=env, check=True)
            bare_start.append(time.perf_counter() - start)
            out, _, ended = run_child(BARE_EXIT_CHILD, [], env, tmp)
            bare_exit.append(ended - out["before_finish"])
            for name in who:
                imp, init = SETUP[name]
                start = time.perf_counter()
                subprocess.run([PY, "-c", imp], env=env, check=True)
                imports[name].append(time.perf_counter() - start)
                out, _, ended = run_child(INIT_CHILD.format(imp=imp, init=init), [], env, tmp)
                inits[name].append(out["init"])
                inner_imports[name].append(out["import"])
                exits[name].append(ended - out["before_finish"])
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
                    imp, init = SETUP.get(name, ("", ""))
                    code = LOG_CHILD.format(imp=imp, init=init)
                    out, _, _ = run_child(code, [args.n, width, name], env, tmp)
                    rates[name].append(out["rate"])
            print(f"log() of {width} float scalar(s), {args.n} calls incl. finish(), median "
                  f"of {args.rounds}:")
            for name, values in rates.items():
                ratio = median(values) / median(rates["runwrap"])
                print(f"  {name:8s} {median(values):10.0f} calls/s  ({ratio:.2f}x runwrap)")


if __name__ == "__main__":
    main()
