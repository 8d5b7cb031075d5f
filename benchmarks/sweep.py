"""Sweeps beside plain Optuna: what `runwrap agent` costs per trial, how long the next Bayesian
suggestion takes with 1,000 finished trials, and whether 8 parallel trials keep the cores busy.

    python benchmarks/sweep.py [--rounds 5] [--trials 10] [--only per-trial]

1. Per-trial overhead: a grid of TRIALS points of a tiny program that prints its metric, run by
   `runwrap agent` (each trial through the wrapper, recorded), against the same program started
   bare TRIALS times, wrapped by `runwrap run` alone (the wrapper's own start-up and recording,
   which every trial pays), and driven by a plain Optuna loop that starts it per trial
   (subprocess, reading the metric from its output). Wall time per trial, and CPU time per
   trial (user + system of the whole process tree, from getrusage(RUSAGE_CHILDREN)): on a
   shared, loaded machine wall time mostly measures the queue for the cores, CPU time what
   runwrap itself spends. The agent's figures are the difference between an agent running
   1 + TRIALS trials and one running 1, so its own start (Python, Optuna, the journal) cancels.
   Python writes its byte code to a cache under the temporary folder even where
   PYTHONDONTWRITEBYTECODE is set, as an installed runwrap has it: compiling every module
   from source at each start is not what a user's trial pays.
2. Next suggestion: a bayes sweep (2 continuous parameters) holding 1,000 finished trials;
   the time of the agent's next claim (TPE in the sweep's journal file), beside Optuna's own
   TPE ask + suggest on an in-memory study and on a journal file.
3. Parallel agents: a grid of 40 trials of a program that computes for 0.25 s of CPU, run by
   one `runwrap agent --parallel 8`, by 8 `runwrap agent` processes racing for its points,
   by 8 bare programs at a time (`xargs -P8`) and by plain Optuna with n_jobs=8 starting the
   program per trial: for each, trials per second and the cores the whole process tree kept
   busy (its CPU time over the wall time, from getrusage of the children: 2.0 = both cores
   of this machine).

Medians of the rounds; progress on stderr, the table on stdout.
"""
from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

REPO = Path(__file__).resolve().parents[1]
TINY = "import sys\nprint('loss=%s' % sys.argv[1].split('=')[1], flush=True)\n"
BUSY = ("import sys, time\nend = time.process_time() + 0.25\nx = 0\n"
        "while time.process_time() < end:\n    x += 1\nprint('loss=%s' % (x % 7), flush=True)\n")


PYCACHE = Path(tempfile.mkdtemp(prefix="runwrap-bench-pycache-"))
atexit.register(shutil.rmtree, PYCACHE, True)


def env() -> Dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [e.get("PYTHONPATH")] if p])
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return e


def timed(argv: List[str], cwd: Path) -> tuple:
    """(wall seconds, CPU seconds of the whole process tree) of running `argv` to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env(), stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def runwrap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runwrap", *args], cwd=cwd, env=env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True)


def grid_sweep(work: Path, program: str, n: int) -> str:
    import yaml

    config = {"program": program, "method": "grid",
              "metric": {"name": "loss", "goal": "minimize"},
              "parameters": {"x": {"values": list(range(n))}}}
    (work / "sweep.yaml").write_text(yaml.safe_dump(config))
    return runwrap("sweep", "sweep.yaml", "--dir", "store", "-q", cwd=work).stdout.strip()


def per_trial(trials: int) -> Dict[str, float]:
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        (work / "tiny.py").write_text(TINY)
        timed([sys.executable, "-m", "runwrap", "run", "--dir", "warm", "--", sys.executable,
               "tiny.py", "--x=0"], work)  # fills the byte-code cache
        bare, wrapped = [], []
        for i in range(trials):  # side by side, so that a change of load hits both alike
            bare.append(timed([sys.executable, "tiny.py", f"--x={i}"], work))
            # the wrapper alone, as the agent starts it
            wrapped.append(timed([sys.executable, "-m", "runwrap", "run", "--dir", "wrapped",
                                  "--project", "p", "--group", "g", "--", sys.executable,
                                  "tiny.py", f"--x={i}"], work))
        one = grid_sweep(work, "tiny.py", 1)
        many = grid_sweep(work, "tiny.py", 1 + trials)
        agent_one = timed([sys.executable, "-m", "runwrap", "agent", one, "--dir", "store"], work)
        agent_many = timed([sys.executable, "-m", "runwrap", "agent", many, "--dir", "store"],
                           work)
        optuna = _optuna_loop(work, "tiny.py", trials, n_jobs=1) / trials
    out = {}
    for what, index in (("ms", 0), ("cpu_ms", 1)):
        b = statistics.median(t[index] for t in bare)
        w = statistics.median(t[index] for t in wrapped)
        a = (agent_many[index] - agent_one[index]) / trials
        out.update({f"bare_{what}": b * 1e3, f"wrapped_{what}": w * 1e3,
                    f"agent_trial_{what}": a * 1e3, f"agent_over_bare_{what}": (a - b) * 1e3,
                    f"wrapped_over_bare_{what}": (w - b) * 1e3})
    out["agent_start_ms"] = (agent_one[0] - statistics.median(t[0] for t in wrapped)) * 1e3
    out["optuna_trial_ms"] = optuna * 1e3
    out["optuna_over_bare_ms"] = (optuna - statistics.median(t[0] for t in bare)) * 1e3
    out["load_average"] = os.getloadavg()[0]
    return out


def _optuna_loop(work: Path, program: str, trials: int, n_jobs: int) -> float:
    """Plain Optuna driving the same program: a grid over x, one subprocess per trial."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: "optuna.Trial") -> float:
        x = trial.suggest_int("x", 0, trials - 1)
        out = subprocess.run([sys.executable, program, f"--x={x}"], cwd=work, check=True,
                             capture_output=True, text=True).stdout
        return float(out.strip().split("=")[1])

    t0 = time.perf_counter()
    study = optuna.create_study(sampler=optuna.samplers.GridSampler(
        {"x": list(range(trials))}))
    study.optimize(objective, n_trials=trials, n_jobs=n_jobs)
    return time.perf_counter() - t0


def next_suggestion(finished: int = 1000, repeats: int = 5) -> Dict[str, float]:
    import optuna

    sys.path.insert(0, str(REPO))
    from runwrap.store import sweeps as store
    from runwrap.sweeps import create_sweep
    from runwrap.sweeps.search import Search

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    config = {"method": "bayes", "metric": {"name": "y", "goal": "minimize"},
              "parameters": {"a": {"min": -5.0, "max": 10.0}, "b": {"min": 0.0, "max": 15.0}}}
    dists = {"a": optuna.distributions.FloatDistribution(-5, 10),
             "b": optuna.distributions.FloatDistribution(0, 15)}
    history = [optuna.trial.create_trial(
        params={"a": (i * 7.3) % 15 - 5, "b": (i * 3.1) % 15}, distributions=dists,
        value=math.sin(i)) for i in range(finished)]
    out: Dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d:
        doc = create_sweep(config, project="bench", root=Path(d), seed=1)
        path = store.sweep_dir(Path(d), doc["id"])
        search = Search(path, doc)
        search.study.add_trials(history)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            claim = search.claim()
            times.append(time.perf_counter() - t0)
            assert claim is not None
            search.finish(claim, "finished", 0.5)
        out["runwrap_ms"] = statistics.median(times) * 1e3
        for name, storage in (("optuna_memory_ms", None),
                              ("optuna_journal_ms", optuna.storages.JournalStorage(
                                  optuna.storages.journal.JournalFileBackend(
                                      str(Path(d) / "plain.log"))))):
            study = optuna.create_study(storage=storage, sampler=optuna.samplers.TPESampler(
                seed=1, multivariate=True, group=True, constant_liar=True))
            study.add_trials(history)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                trial = study.ask()
                trial.suggest_float("a", -5, 10)
                trial.suggest_float("b", 0, 15)
                times.append(time.perf_counter() - t0)
                study.tell(trial, 0.5)
            out[name] = statistics.median(times) * 1e3
    return out


def parallel(trials: int = 40, agents: int = 8) -> Dict[str, float]:
    out: Dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        (work / "busy.py").write_text(BUSY)

        def measure(name: str, run: Callable[[], None]) -> None:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            run()
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            out.update({f"{name}_trials_per_s": trials / wall, f"{name}_cores": cpu / wall})

        def one_agent() -> None:
            sweep_id = grid_sweep(work, "busy.py", trials)
            runwrap("agent", sweep_id, "--dir", "store", "--parallel", str(agents), cwd=work)

        def many_agents() -> None:
            sweep_id = grid_sweep(work, "busy.py", trials)
            procs = [subprocess.Popen([sys.executable, "-m", "runwrap", "agent", sweep_id,
                                       "--dir", "store"], cwd=work, env=env(),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(agents)]
            assert all(p.wait() == 0 for p in procs)

        def bare() -> None:
            subprocess.run(["xargs", f"-P{agents}", "-n1", sys.executable, "busy.py"],
                           input="".join(f"--x={i}\n" for i in range(trials)), text=True,
                           cwd=work, env=env(), stdout=subprocess.DEVNULL, check=True)

        def optuna() -> None:
            _optuna_loop(work, "busy.py", trials, n_jobs=agents)

        for name, run in (("bare_xargs", bare), ("agent_parallel", one_agent),
                          ("agents", many_agents), ("optuna", optuna)):
            measure(name, run)
    out["agent_parallel_vs_bare"] = (out["agent_parallel_trials_per_s"]
                                     / out["bare_xargs_trials_per_s"])
    out["agents_vs_bare"] = out["agents_trials_per_s"] / out["bare_xargs_trials_per_s"]
    out["load_average"] = os.getloadavg()[0]
    return out


def medians(rows: List[Dict[str, float]]) -> Dict[str, float]:
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--skip-parallel", action="store_true")
    parser.add_argument("--only", choices=("per-trial", "suggestion", "parallel"),
                        help="measure one section only")
    args = parser.parse_args()
    sections: List[tuple] = [
        ("per-trial", "per trial", lambda: per_trial(args.trials)),
        ("suggestion", "next bayes suggestion, 1,000 finished trials", next_suggestion),
        ("parallel", "40 trials of 0.25 s of CPU, 8 at a time", parallel)]
    sections = [(title, measure) for name, title, measure in sections
                if (args.only or name) == name
                and not (name == "parallel" and args.skip_parallel and not args.only)]
    print(f"| measurement | median of {args.rounds} rounds |\n|---|---|")
    for title, measure in sections:
        rows = []
        for r in range(args.rounds):
            rows.append(measure())
            print(f"{title}: round {r + 1}: {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
        for key, value in medians(rows).items():
            print(f"| {title}: {key} | {value:.3g} |")


if __name__ == "__main__":
    main()
