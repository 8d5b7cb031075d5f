"""How fast runwrap answers over a big store: `ls`, `compare`, and shell completion.

    python benchmarks/store_listing.py [--runs 10000] [--projects 10] [--rounds 5] [--no-peer]

Builds a store of RUNS runs (PROJECTS projects of equal size; each run has run.json, config.yaml,
summary.json and a small sdk stream, as the wrapper leaves them; 1% are `running` runs whose
owner is gone, so the crashed check runs too), then times each command as a user runs it (a fresh
`python -m runwrap` process, wall clock, median of ROUNDS):

  ls                    every run in the store                     (target < 0.5 s at 10,000)
  ls --limit 20         the newest 20 (the listing index, .index/)  (target < 0.5 s at 100,000)
  ls --project          the runs of one project                    (target < 0.5 s at 1,000)
  compare --project     one project's runs side by side            (target < 0.5 s)
  compare A B           two runs named by id and by name (the name lookup reads the store)
  complete `compare <TAB>` completion of run ids and names in one project's store  (target < 0.2 s)

Peer: MLflow (when installed) with the same runs in a SQLite store (one experiment per
project): `MlflowClient.search_runs` for the newest 20 and for one experiment's runs,
in-process (so without MLflow's own CLI start-up). `--runs 100000 --projects 100` is the
100,000-run store of issue 13 (building it takes minutes).
Not a test: numbers only.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parents[1]


def build_store(root: Path, runs: int, projects: int) -> List[str]:
    """Plain writes in the store's format (the atomic writer's fsync per file would make building
    10,000 runs take minutes and is not what is measured). Returns the run ids of project p0."""
    import yaml

    per = runs // projects
    ids: List[str] = []
    now = time.time()
    for p in range(projects):
        for i in range(per):
            run_id = f"r{p:02d}{i:05d}"
            run_dir = root / f"p{p}" / run_id
            (run_dir / "streams").mkdir(parents=True)
            status = "running" if i % 100 == 7 else ("failed" if i % 10 == 3 else "finished")
            meta = {
                "id": run_id, "project": f"p{p}", "name": f"bench-run-{p}-{i}", "entity": None,
                "notes": "", "tags": ["bench"] if i % 5 == 0 else [], "group": f"g{i % 7}",
                "job_type": "train", "status": status,
                "owner": {"host": os.uname().nodename, "pid": 2**22 - 1 - i, "pid_start": 1,
                          "kind": "wrapper"},
                "command": ["python", "train.py", "--lr", str(0.001 * (i % 9 + 1))],
                "cwd": "/home/user/project", "host": os.uname().nodename, "user": "user",
                "python": "3.11.7", "platform": "Linux", "start_time": now - 86400 + i,
                "end_time": now - 86400 + i + 60, "duration": 60.0, "exit_code": 0,
                "signal": None, "runwrap_version": "0.1.0", "mode": "offline",
                "git": {"commit": "0123456789abcdef" * 2 + "01234567", "branch": "main",
                        "remote": "git@example.com:x/y.git", "dirty": False},
            }
            (run_dir / "run.json").write_text(json.dumps(meta, indent=2))
            config = {"lr": 0.001 * (i % 9 + 1), "batch_size": 32 * (1 + i % 4), "epochs": 10,
                      "model": {"depth": 4 + i % 3, "width": 256, "dropout": 0.1},
                      "optimizer": "adam", "seed": i}
            (run_dir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
            summary = {"sdk": {m: {"last": 1.0 / (i + 1), "min": 0.001, "max": 2.0, "mean": 0.5,
                                   "count": 100, "step": 99}
                               for m in ("loss", "acc", "val_loss", "val_acc", "lr")}}
            (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
            (run_dir / "streams" / "sdk.jsonl").write_text("".join(
                json.dumps({"_step": s, "_time": now + s, "loss": 1.0 / (s + 1)}) + "\n"
                for s in range(10)))
            if p == 0:
                ids.append(run_id)
        os.symlink(f"p{p}/r{p:02d}{per - 1:05d}", root / ".latest-tmp")
        os.replace(root / ".latest-tmp", root / "latest")
    return ids


CPU: Dict[str, float] = {}  # command -> median CPU seconds (user+sys) of the same runs


def timed(args: List[str], env: Dict[str, str], rounds: int) -> float:
    """Median wall seconds of a fresh process running `args`; its median CPU seconds go to CPU
    (on a busy machine CPU time is the steadier number: waiting for a core is not counted)."""
    import resource

    times, cpus = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        result = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {result.stderr.decode()[-500:]}")
    CPU[" ".join(args[-4:])] = statistics.median(cpus)
    return statistics.median(times)


def in_process(store: Path, project: str, rounds: int) -> List[tuple]:
    """The same work without interpreter start-up (which a loaded machine inflates most)."""
    sys.path.insert(0, str(REPO))
    from runwrap.cli.selection import complete_run
    from runwrap.store.comparison import compare_runs
    from runwrap.store.runs import list_runs

    class Ctx:  # what complete_run reads from click's context
        params = {"store_dir": str(store), "project": project}
        parent = None

    def median(fn) -> float:
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return [
        ("list_runs (whole store)", median(lambda: list_runs(store))),
        (f"list_runs + compare_runs (project {project})",
         median(lambda: compare_runs(list_runs(store, project)))),
        (f"complete_run (project {project})", median(lambda: complete_run(Ctx, None, ""))),
    ]


def build_mlflow_store(root: Path, projects: int, per: int) -> tuple:
    """An MLflow SQLite store of `projects` experiments of `per` finished runs each; returns
    (client, experiment ids). Creating 100,000 runs through the API takes hours here, so one
    run is made through MlflowClient (5 metrics, 3 params, terminated) and its rows in every
    table that holds run rows are copied with a new run id, experiment, name and start time:
    the rows MLflow itself wrote, in MLflow's own schema, searched through its own API."""
    import logging
    import sqlite3
    import uuid
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    db_path = root / "mlflow-many.db"
    client = MlflowClient(tracking_uri=f"sqlite:///{db_path}")
    exps = [client.create_experiment(f"p{p}") for p in range(projects)]
    now = int(time.time() * 1000)
    template = client.create_run(exps[0], run_name="template").info.run_id
    client.log_batch(template, metrics=[Metric(m, 0.5, now, 99) for m in
                                        ("loss", "acc", "val_loss", "val_acc", "lr")],
                     params=[Param("lr", "0.001"), Param("batch_size", "32"), Param("seed", "0")])
    client.set_terminated(template)
    db = sqlite3.connect(db_path)
    tables = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        if "run_uuid" in cols:
            rows = db.execute(f"SELECT * FROM {table} WHERE run_uuid=?", (template,)).fetchall()
            if rows:
                tables[table] = (cols, rows)
    db.execute("DELETE FROM runs WHERE run_uuid=?", (template,))
    for table in tables:
        db.execute(f"DELETE FROM {table} WHERE run_uuid=?", (template,))
    for p, exp in enumerate(exps):
        batch: Dict[str, list] = {t: [] for t in tables}
        for i in range(per):
            run_id = uuid.uuid4().hex
            name = f"bench-run-{p}-{i}"
            start = now - 86_400_000 + i * 1000 + p
            for table, (cols, rows) in tables.items():
                for row in rows:
                    new = dict(zip(cols, row), run_uuid=run_id)
                    if table == "runs":
                        new.update(name=name, experiment_id=int(exp), start_time=start,
                                   end_time=start + 60_000,
                                   artifact_uri=str(new["artifact_uri"]).replace(template, run_id))
                    elif table == "tags" and new.get("key") == "mlflow.runName":
                        new["value"] = name
                    batch[table].append(tuple(new[c] for c in cols))
        for table, (cols, _) in tables.items():
            marks = ",".join("?" * len(cols))
            db.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({marks})", batch[table])
        db.commit()
    db.close()
    return client, exps


def search_newest(client, exps: List[str], limit: int) -> float:
    """Seconds of one MlflowClient.search_runs for the newest `limit` runs of all experiments
    (its default order is start time, newest first: what `runwrap ls --limit` shows)."""
    t0 = time.perf_counter()
    found = client.search_runs(exps, max_results=limit)
    seconds = time.perf_counter() - t0
    assert len(found) == limit, len(found)
    return seconds


def search_mlflow(client, exp: str, runs: int) -> float:
    """Seconds of one MlflowClient.search_runs over every run of the experiment."""
    t0 = time.perf_counter()
    found = client.search_runs([exp], max_results=runs)
    seconds = time.perf_counter() - t0
    assert len(found) == runs, len(found)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="runwrap-bench-"))
    try:
        store = tmp / "store"
        t0 = time.perf_counter()
        ids = build_store(store, args.runs, args.projects)
        per = args.runs // args.projects
        print(f"built a store of {args.runs} runs ({args.projects} projects of {per}) "
              f"in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, RUNWRAP_DIR=str(store), COLUMNS="200",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        rw = [sys.executable, "-m", "runwrap"]
        baseline = timed([sys.executable, "-c", "pass"], env, args.rounds)
        def run(cmd: List[str], e: Dict[str, str] = env) -> tuple:
            wall = timed(cmd, e, args.rounds)
            return wall, CPU[" ".join(cmd[-4:])]

        rows = [
            (f"ls --limit 20 ({args.runs} runs)", *run(rw + ["ls", "--limit", "20"]), 0.5),
            (f"ls ({args.runs} runs)", *run(rw + ["ls"]), 0.5),
            (f"ls --project ({per} runs)", *run(rw + ["ls", "--project", "p0"]), 0.5),
            (f"compare --project ({per} runs)", *run(rw + ["compare", "--project", "p0"]), 0.5),
            ("compare A B (2 runs by id and name)",
             *run(rw + ["compare", ids[1], "bench-run-0-2"]), 0.5),
        ]
        comp_env = dict(env, _RUNWRAP_COMPLETE="bash_complete", COMP_WORDS="runwrap show ",
                        COMP_CWORD="2")
        rows.append((f"complete `compare <TAB>` (--project p0: {per} runs)",
                     *run(rw, dict(comp_env, COMP_WORDS="runwrap compare --project p0 ",
                                   COMP_CWORD="4")), 0.2))
        rows.append((f"complete `compare <TAB>` (whole store: {args.runs} runs)",
                     *run(rw, dict(comp_env, COMP_WORDS="runwrap compare ", COMP_CWORD="2")), None))
        print(f"python start-up alone: {baseline:.3f} s wall, {CPU[sys.executable + ' -c pass']:.3f} s cpu "
              f"(median of {args.rounds}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'command':<52} {'wall s':>7} {'cpu s':>7}  target (wall)")
        for name, seconds, cpu, target in rows:
            verdict = "" if target is None else (f"< {target}  ok" if seconds < target else f"< {target}  MISSED")
            print(f"{name:<52} {seconds:>7.3f} {cpu:>7.3f}  {verdict}")
        print("in-process (no interpreter start-up):")
        for name, seconds in in_process(store, "p0", args.rounds):
            print(f"  {name:<50} {seconds:>9.3f}")
        if not args.no_peer:
            import importlib.util

            if importlib.util.find_spec("mlflow") is None:
                print("peer: mlflow is not installed; skipped")
            else:
                client, exps = build_mlflow_store(tmp, args.projects, per)
                for label, ours, theirs in (
                        (f"newest 20 of {args.runs}",
                         timed(rw + ["ls", "--limit", "20", "--json"], env, args.rounds),
                         statistics.median(search_newest(client, exps, 20)
                                           for _ in range(args.rounds))),
                        (f"one project ({per} runs)",
                         timed(rw + ["ls", "--project", "p0", "--json"], env, args.rounds),
                         statistics.median(search_mlflow(client, exps[0], per)
                                           for _ in range(args.rounds)))):
                    print(f"peer, {label}: runwrap ls --json (fresh process) {ours:.3f} s; "
                          f"MLflow search_runs, SQLite (in-process) {theirs:.3f} s; "
                          f"ratio {theirs / ours:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
