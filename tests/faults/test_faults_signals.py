"""Signals at random moments: a killed training process, a signalled wrapper, a killed wrapper.

The child prints each step to stdout after its `log()` returned (and flushes), so every printed
step must be on disk, whatever signal arrives and whenever.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import pytest

from faults_support import (clean_env, figures, no_traceback, read_lines_until, run_meta,
                            server_points, stream_lines, wait_for, wait_gone, wrap_cmd,
                            write_script, RUNWRAP)
from mlflow_server import mlflow_server  # noqa: F401  (the session's one MLflow server)

LOGGER = """
    import os, sys, runwrap
    run = runwrap.init()
    sys.stdout.write(f"pid {os.getpid()}\\n"); sys.stdout.flush()
    i = 0
    while True:
        run.log({"i": i, "loss": 1.0 / (i + 1)})
        sys.stdout.write(f"{i}\\n"); sys.stdout.flush()   # only after log() returned
        i += 1
"""

PARALLEL = 4  # trials at once: most of a trial is waiting for two Python start-ups


def _trial(tmp_path: Path, store: Path, script: Path, n: int, sig: int, target: str,
           rng: random.Random) -> Dict[str, object]:
    """One wrapped run of LOGGER; `sig` goes to the child or to the wrapper after a random
    number of returned log() calls and a random extra delay. What was printed vs kept."""
    wanted = rng.randint(1, 1500)
    extra = rng.random() * 0.01
    err_path = tmp_path / f"stderr-{n}"
    with open(err_path, "wb") as err_file:
        proc = subprocess.Popen(wrap_cmd(store, "--project", "sig", "--id", f"t{n:03d}",
                                         "--quiet", sys.executable, str(script)),
                                cwd=tmp_path, env=clean_env(store), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err_file)
    try:
        first = read_lines_until(proc, 1)
        assert first and first[0].startswith(b"pid "), first
        child_pid = int(first[0].split()[1])
        seen = len(read_lines_until(proc, wanted))
        time.sleep(extra)  # land somewhere inside a log() or a print
        os.kill(child_pid if target == "child" else proc.pid, sig)
        rest = proc.stdout.read()  # (not communicate(): it would skip readline's buffer)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    printed = seen + len(rest.split())
    run_dir = store / "sig" / f"t{n:03d}"
    records, torn, files = stream_lines(run_dir)
    # A record cut short by the SIGKILL itself: the kernel may stop a write(2) that crosses a
    # page boundary at that boundary when the writer is killed inside it (DESIGN: a torn last
    # line is the one exception, and readers skip it). Any other torn line is a defect.
    cut_tail = sum(1 for p in (run_dir / "streams").glob("sdk*.jsonl")
                   if p.read_bytes()[-1:] not in (b"", b"\n"))
    steps = [r["i"] for r in records]
    meta = run_meta(run_dir)
    return {"trial": n, "printed": printed, "kept": len(steps), "prefix_ok":
            steps[:printed] == list(range(printed)) and steps == list(range(len(steps))),
            "torn": torn - cut_tail, "cut_tail": cut_tail, "files": files,
            "exit": proc.returncode, "status": meta.get("status"),
            "signal": meta.get("signal"), "exit_recorded": meta.get("exit_code"),
            "stderr": err_path.read_text(errors="replace")}


def _trials(tmp_path: Path, count: int, sig: int, target: str, seed: int) -> List[dict]:
    script = write_script(tmp_path, "logger.py", LOGGER)
    store = tmp_path / "store"
    rngs = [random.Random(seed * 1000 + n) for n in range(count)]
    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(lambda n: _trial(tmp_path, store, script, n, sig, target, rngs[n]),
                             range(count)))


def _check(results: List[dict], name: str, status: str, signal_name: str, code: int) -> None:
    lost = [r for r in results if not r["prefix_ok"]]
    line = figures(name, trials=len(results),
                   printed=sum(r["printed"] for r in results),
                   kept=sum(r["kept"] for r in results),
                   lost_returned_logs=len(lost), torn_lines=sum(r["torn"] for r in results),
                   statuses=sorted({r["status"] for r in results}),
                   signals=sorted({str(r["signal"]) for r in results}),
                   exits=sorted({r["exit"] for r in results}))
    assert not lost, f"{line}; trials that lost a returned log(): {lost}"
    for r in results:
        assert r["printed"] <= r["kept"] <= r["printed"] + 1, (line, r)
        assert r["torn"] == 0 and r["cut_tail"] <= 1 and r["files"] == 1, (line, r)
        assert (r["status"], r["signal"], r["exit"], r["exit_recorded"]) == (
            status, signal_name, code, code), (line, r)
        # runwrap prints no traceback; the child's own KeyboardInterrupt is the child's.
        stderr = r["stderr"].replace("Traceback (most recent call last)", "", 1) if (
            r["stderr"].rstrip().endswith("KeyboardInterrupt")) else r["stderr"]
        assert no_traceback(stderr), (line, r["stderr"])


@pytest.mark.slow
def test_sigkill_of_the_training_process_at_random_moments_loses_no_returned_log(tmp_path):
    results = _trials(tmp_path, 20, signal.SIGKILL, "child", seed=1)
    _check(results, "sigkill-child", "killed", "SIGKILL", 128 + signal.SIGKILL)


@pytest.mark.slow
def test_sigterm_to_the_wrapper_reaches_the_child_and_loses_no_returned_log(tmp_path):
    results = _trials(tmp_path, 8, signal.SIGTERM, "wrapper", seed=2)
    _check(results, "sigterm-wrapper", "killed", "SIGTERM", 128 + signal.SIGTERM)


@pytest.mark.slow
def test_sigint_to_the_wrapper_reaches_the_child_and_loses_no_returned_log(tmp_path):
    # Python turns SIGINT into KeyboardInterrupt and, unhandled, dies of SIGINT (exit 130).
    results = _trials(tmp_path, 8, signal.SIGINT, "wrapper", seed=3)
    _check(results, "sigint-wrapper", "killed", "SIGINT", 128 + signal.SIGINT)


# -- the wrapper itself killed ------------------------------------------------------------------

OUTLIVES = """
    import os, sys, time, runwrap
    run = runwrap.init(config={"lr": 0.5})
    for i in range(300):
        run.log({"i": i, "loss": 1.0 / (i + 1)})
    print("ready", os.getpid(), flush=True)
    # The wrapper is killed now. Keep training without printing (stdout has no reader left).
    while not os.path.exists("go"):
        time.sleep(0.01)
    for i in range(300, 500):
        run.log({"i": i, "loss": 1.0 / (i + 1)})
    open("done", "w").close()
    time.sleep(60)
"""


@pytest.mark.slow
@pytest.mark.mlflow
def test_sigkill_of_the_wrapper_keeps_the_childs_stream_shows_crashed_and_syncs(
        mlflow_server, tmp_path):  # noqa: F811
    script = write_script(tmp_path, "outlives.py", OUTLIVES)
    store = tmp_path / "store"
    proc = subprocess.Popen(wrap_cmd(store, "--project", "wk", "--id", "wrapkill", "--quiet",
                                     sys.executable, str(script)),
                            cwd=tmp_path, env=clean_env(store), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child_pid = None
    try:
        line = read_lines_until(proc, 1)
        assert line and line[0].startswith(b"ready"), (line, proc.stderr.read())
        child_pid = int(line[0].split()[1])
        proc.kill()
        proc.wait()
        (tmp_path / "go").touch()
        assert wait_for(lambda: (tmp_path / "done").exists(), 30), "child stopped logging"
    finally:
        if child_pid is not None:
            try:
                os.kill(child_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            wait_gone(child_pid)
    run_dir = store / "wk" / "wrapkill"
    records, torn, files = stream_lines(run_dir)
    steps = [r["i"] for r in records]

    listing = subprocess.run(RUNWRAP + ["ls", "--json", "--dir", str(store)], cwd=tmp_path,
                             env=clean_env(), capture_output=True, text=True, timeout=60)
    rows = json.loads(listing.stdout)
    status = rows[0]["status"] if rows else None

    upload = subprocess.run(RUNWRAP + ["sync", "wrapkill", "--dir", str(store),
                                       "--tracking-uri", mlflow_server.uri],
                            cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
                            timeout=120)
    again = subprocess.run(RUNWRAP + ["sync", "wrapkill", "--dir", str(store),
                                      "--tracking-uri", mlflow_server.uri],
                           cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
                           timeout=120)
    rid = (run_meta(run_dir).get("sync") or {}).get("run_id")
    held = server_points(mlflow_server, rid) if rid else {}
    line = figures("sigkill-wrapper", logged=500, kept=len(steps), torn_lines=torn,
                   ls_status=status, sync_exit=upload.returncode,
                   server_points={k: len(v) for k, v in held.items()},
                   second_sync=again.stdout.strip().splitlines()[-1:])
    assert steps == list(range(500)) and torn == 0 and files == 1, line
    assert listing.returncode == 0 and status == "crashed", (line, listing.stderr)
    assert upload.returncode == 0, (line, upload.stdout, upload.stderr)
    assert no_traceback(upload.stderr, again.stderr), (upload.stderr, again.stderr)
    assert rid, (line, run_meta(run_dir).get("sync"))
    for key in ("i", "loss"):
        assert held.get(key) == list(range(500)), line
    assert mlflow_server.params(rid).get("lr") == "0.5", line


# -- a signal at the wrapper's first moments ----------------------------------------------------

def _processes_with(token: str) -> List[int]:
    """The pids whose command line holds `token` (the program, wherever it went)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and token in (entry / "cmdline").read_bytes().decode(
                    errors="replace"):
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


def _signal_when(proc: subprocess.Popen, ready, sig: int) -> bool:
    """Send `sig` to the wrapper the moment `ready()` is true (polled without a pause, so
    that it lands right after the event); False when the wrapper ended first."""
    deadline = time.monotonic() + 60
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
    os.kill(proc.pid, sig)
    return True


EARLY_MOMENTS = {
    "run directory made": lambda run_dir: run_dir.is_dir(),
    "run.json written": lambda run_dir: (run_dir / "run.json").is_file(),
    "program started": lambda run_dir: "child_pid" in (run_meta(run_dir) if (
        run_dir / "run.json").is_file() else {}) and run_meta(run_dir)["child_pid"],
}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", list(EARLY_MOMENTS))
def test_a_signal_at_the_wrappers_first_moments_ends_the_run_killed_and_the_program(
        tmp_path, sig, moment):
    """From the moment the run directory exists, a signal reaches the program (or, before it
    started, ends the run itself): never a run left `running`, never a program left behind."""
    store = tmp_path / "store"
    ready = EARLY_MOMENTS[moment]
    for n in range(3):
        token = f"60.{os.getpid()}{n}{sig}"  # the program's command line, found in /proc
        run_dir = store / "early" / f"e{n}"
        proc = subprocess.Popen(
            wrap_cmd(store, "--project", "early", "--id", f"e{n}", "--quiet",
                     "--no-scalars", "--stats-interval", "0", "--no-tensorboard-discovery",
                     "sleep", token),
            cwd=tmp_path, env=clean_env(store), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            sent = _signal_when(proc, lambda: ready(run_dir), sig)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            left = _processes_with(token)
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        stderr = err.decode(errors="replace")
        assert sent, (moment, n, proc.returncode, stderr)
        meta = run_meta(run_dir)
        line = figures("early-signal", signal=signal.Signals(sig).name, moment=moment, trial=n,
                       exit=proc.returncode, status=meta.get("status"),
                       recorded_signal=meta.get("signal"), exit_recorded=meta.get("exit_code"),
                       programs_left=len(left))
        assert not left, (line, stderr)
        assert (proc.returncode, meta.get("status"), meta.get("signal"), meta.get("exit_code")
                ) == (128 + sig, "killed", signal.Signals(sig).name, 128 + sig), (line, stderr)
        assert no_traceback(stderr) and "aborted" not in stderr, (line, stderr)


def _ignored_signals(status_text: str) -> set:
    """The signals a /proc/PID/status text says are ignored (its SigIgn mask)."""
    mask = int(next(l.split()[1] for l in status_text.splitlines() if l.startswith("SigIgn:")), 16)
    return {n for n in range(1, 65) if mask >> (n - 1) & 1}


def test_a_signal_ignored_by_whoever_started_runwrap_stays_ignored_for_the_program(tmp_path):
    """`nohup runwrap ...` (SIGHUP ignored) and `runwrap ... &` in a script (SIGINT, SIGQUIT
    ignored): the program inherits what it would have inherited started bare."""
    store = tmp_path / "store"
    ignored = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT)

    def ignore() -> None:
        for sig in ignored:
            signal.signal(sig, signal.SIG_IGN)

    done = subprocess.run(
        wrap_cmd(store, "--project", "ign", "--quiet", "cat", "/proc/self/status"),
        cwd=tmp_path, env=clean_env(store), stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=60, preexec_fn=ignore)
    assert done.returncode == 0, done.stderr
    assert set(ignored) <= _ignored_signals(done.stdout), done.stdout
