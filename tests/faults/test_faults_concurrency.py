"""Many writers at once: runs started together in one store, threads logging into one run,
processes attached to one wrapped run. Every point present, no id collision, no torn line."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from faults_support import (clean_env, figures, no_traceback, run_dirs, run_meta, stream_lines,
                            wrap_cmd, write_script)

RUNS = 16
RUN_STEPS = 200
ONE_RUN = f"""
    import os, sys, runwrap
    run = runwrap.init()
    for i in range({RUN_STEPS}):
        run.log({{"i": i, "me": int(sys.argv[1])}})
    print(f"worker {{sys.argv[1]}} loss=0.5", flush=True)
"""


@pytest.mark.slow
def test_sixteen_wrapped_runs_started_at_once_get_sixteen_complete_directories(tmp_path):
    script = write_script(tmp_path / "work", "one.py", ONE_RUN)
    store = tmp_path / "store"
    procs = [subprocess.Popen(wrap_cmd(store, "--project", "crowd", "--quiet", sys.executable,
                                       str(script), str(n)),
                              cwd=tmp_path / "work", env=clean_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n in range(RUNS)]
    outs = [p.communicate(timeout=240) for p in procs]
    dirs = run_dirs(store)
    metas = [run_meta(d) for d in dirs]
    ids = [m["id"] for m in metas]
    names = [m["name"] for m in metas]
    complete = 0
    torn_total = 0
    owners = set()
    for d, m in zip(dirs, metas):
        records, torn, files = stream_lines(d)
        torn_total += torn
        me = {r["me"] for r in records}
        if ([r["i"] for r in records] == list(range(RUN_STEPS)) and len(me) == 1
                and m["status"] == "finished" and m["exit_code"] == 0):
            complete += 1
            owners |= me
    line = figures("16-runs-at-once", started=RUNS, dirs=len(dirs), distinct_ids=len(set(ids)),
                   distinct_names=len(set(names)), complete=complete, torn_lines=torn_total,
                   exits=sorted(Counter(p.returncode for p in procs).items()))
    assert all(p.returncode == 0 for p in procs), (line, [e[-500:] for _, e in outs])
    assert no_traceback(*(e.decode() for _, e in outs)), line
    assert len(dirs) == RUNS and len(set(ids)) == RUNS, line  # (names may repeat by chance)
    assert complete == RUNS and owners == set(range(RUNS)) and torn_total == 0, line
    for n, (out, _) in enumerate(outs):
        assert out.decode() == f"worker {n} loss=0.5\n", line  # each console is its own


THREADS = 8
PER_THREAD = 10_000
THREADED = f"""
    import sys, threading, runwrap
    run = runwrap.init(project="threads", id="t8")
    start = threading.Barrier({THREADS})

    def work(k):
        start.wait()
        for i in range({PER_THREAD}):
            run.log({{"thread": k, "i": i}})

    threads = [threading.Thread(target=work, args=(k,)) for k in range({THREADS})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.finish()
"""


@pytest.mark.slow
def test_eight_threads_times_ten_thousand_logs_into_one_run_keep_every_point(tmp_path):
    script = write_script(tmp_path / "work", "threads.py", THREADED)
    store = tmp_path / "store"
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path / "work",
                          env=clean_env(store), capture_output=True, text=True, timeout=180)
    [run_dir] = run_dirs(store)
    records, torn, files = stream_lines(run_dir)
    pairs = Counter((r["thread"], r["i"]) for r in records)
    steps = Counter(r["_step"] for r in records)
    missing = THREADS * PER_THREAD - len(pairs)
    duplicated = sum(n - 1 for n in pairs.values() if n > 1)
    in_order = all([r["i"] for r in records if r["thread"] == k] == list(range(PER_THREAD))
                   for k in range(THREADS))
    line = figures("8-threads-x-10000", logged=THREADS * PER_THREAD, kept=len(records),
                   missing=missing, duplicated=duplicated, torn_lines=torn,
                   distinct_steps=len(steps), per_thread_in_order=in_order,
                   status=run_meta(run_dir).get("status"))
    assert done.returncode == 0, (line, done.stderr[-2000:])
    assert missing == 0 and duplicated == 0 and torn == 0 and files == 1, line
    assert len(steps) == THREADS * PER_THREAD, line  # every call its own step
    assert in_order, line
    assert run_meta(run_dir)["status"] == "finished", line


WORKERS = 4
PER_WORKER = 3000
PARENT = f"""
    import multiprocessing, os, subprocess, sys, runwrap
    run = runwrap.init(config={{"workers": {WORKERS}}})
    run.log({{"parent": 1}})

    def forked(k):
        run = runwrap.init()  # the inherited run: its own stream file in this process
        for i in range({PER_WORKER}):
            run.log({{"worker": k, "i": i}})

    ctx = multiprocessing.get_context("fork")
    forks = [ctx.Process(target=forked, args=(k,)) for k in range(2)]
    for p in forks:
        p.start()
    spawned = [subprocess.Popen([sys.executable, "worker.py", str(k)]) for k in range(2, {WORKERS})]
    for p in forks:
        p.join()
    codes = [p.exitcode for p in forks] + [p.wait() for p in spawned]
    print("codes", codes, flush=True)
    sys.exit(max(codes))
"""
WORKER = f"""
    import sys, runwrap
    k = int(sys.argv[1])
    run = runwrap.init()  # attaches to the wrapper's run through RUNWRAP_* variables
    run.config.update({{f"worker{{k}}": k}})
    for i in range({PER_WORKER}):
        run.log({{"worker": k, "i": i}})
    run.finish()
"""


@pytest.mark.slow
def test_four_processes_attached_to_one_wrapped_run_keep_every_point_in_one_run(tmp_path):
    work = tmp_path / "work"
    parent = write_script(work, "parent.py", PARENT)
    write_script(work, "worker.py", WORKER)
    store = tmp_path / "store"
    done = subprocess.run(wrap_cmd(store, "--project", "ranks", sys.executable, str(parent)),
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=180)
    dirs = run_dirs(store)
    records, torn, files = stream_lines(dirs[0]) if len(dirs) == 1 else ([], 0, 0)
    by_worker = {k: [r["i"] for r in records if r.get("worker") == k] for k in range(WORKERS)}
    stream_names = sorted(p.name for p in (dirs[0] / "streams").glob("sdk*.jsonl")) if dirs else []
    config = (dirs[0] / "config.yaml").read_text() if dirs else ""
    complete = sum(1 for v in by_worker.values() if sorted(v) == list(range(PER_WORKER)))
    line = figures("4-processes-one-run", runs=len(dirs), workers=WORKERS, complete=complete,
                   kept=sum(len(v) for v in by_worker.values()), logged=WORKERS * PER_WORKER,
                   stream_files=len(stream_names), torn_lines=torn, exit=done.returncode)
    assert done.returncode == 0 and "codes [0, 0, 0, 0]" in done.stdout, (line, done.stderr)
    assert no_traceback(done.stderr), (line, done.stderr)
    assert len(dirs) == 1, line  # attached: no second run
    assert complete == WORKERS and torn == 0, line
    for k, steps in by_worker.items():
        assert steps == list(range(PER_WORKER)), (line, k)  # each process in its own order
    assert files == len(stream_names) >= WORKERS + 1, (line, stream_names)
    for name in stream_names:  # one writer per file: no two processes share a stream part
        writers = {r.get("worker", "parent") for r in stream_lines(dirs[0], name)[0]}
        assert len(writers) == 1, (line, name, writers)
    assert any(r.get("parent") == 1 for r in records), line
    assert all(f"worker{k}: {k}" in config for k in range(2, WORKERS)), (line, config)
    assert "workers: 4" in config, (line, config)
    assert run_meta(dirs[0])["status"] == "finished", line
