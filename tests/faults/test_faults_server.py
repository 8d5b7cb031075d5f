"""The tracking server down, slow, dropping connections, or answering 500 at random.

The run must not wait on the network, and once the server is back `runwrap sync` must leave it
holding every point exactly once, even when a request was done by the server but its answer
was lost (the retry must not add the points a second time).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from faults_support import (FlakyHttpProxy, TcpProxy, clean_env, exactly_once, figures,
                            no_traceback, run_dirs, run_meta, server_points, wrap_cmd,
                            write_script, RUNWRAP)
from mlflow_server import mlflow_server  # noqa: F401  (the session's one MLflow server)

pytestmark = [pytest.mark.mlflow, pytest.mark.slow]

STEPS = 1500
KEYS = ["loss", "acc"]
TRAIN = f"""
    import runwrap
    run = runwrap.init(config={{"lr": 0.01}})
    for step in range({STEPS}):
        run.log({{"loss": 1.0 / (step + 1), "acc": step / {STEPS}}})
    run.finish()
"""


def _wrapped_online_run(tmp_path: Path, uri: str, project: str) -> tuple:
    script = write_script(tmp_path / "work", "train.py", TRAIN)
    store = tmp_path / "store"
    started = time.monotonic()
    done = subprocess.run(wrap_cmd(store, "--tracking-uri", uri, "--sync-timeout", "2",
                                   "--project", project, sys.executable, str(script)),
                          cwd=tmp_path / "work", env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    [run_dir] = run_dirs(store)
    after_run = (run_meta(run_dir).get("sync") or {}).get("state")
    return done, took, run_dir, store, after_run


def _sync(store: Path, run_dir: Path, uri: str) -> subprocess.CompletedProcess:
    return subprocess.run(RUNWRAP + ["sync", run_dir.name, "--dir", str(store), "--tracking-uri",
                                     uri, "--json"],
                          env=clean_env(), cwd=store.parent, capture_output=True, text=True,
                          timeout=180)


def _check_exactly_once(server: Any, name: str, done, took: float, run_dir: Path,
                        after_run: str, syncs: list, **extra: Any) -> None:
    sync = run_meta(run_dir).get("sync") or {}
    rid = sync.get("run_id")
    held = server_points(server, rid) if rid else {}
    counts = exactly_once(held, KEYS, STEPS)
    states = []
    for s in syncs:
        try:
            states.append([(r["state"], r["points"]) for r in json.loads(s.stdout)])
        except ValueError:
            states.append(s.stdout[-200:])
    line = figures(name, logged_points=STEPS * len(KEYS), run_exit=done.returncode,
                   run_seconds=round(took, 1), sync_state_after_run=after_run,
                   syncs=states, held={k: len(v) for k, v in held.items()},
                   missing_duplicated=counts, **extra)
    assert done.returncode == 0, (line, done.stderr[-2000:])
    assert no_traceback(done.stderr, *(s.stderr for s in syncs)), (line, done.stderr[-2000:])
    assert rid, (line, sync)
    assert all(c == (0, 0) for c in counts.values()), line
    assert syncs[-1].returncode == 0, (line, syncs[-1].stderr)
    assert json.loads(syncs[-1].stdout)[0]["points"] == 0, line  # nothing left to send
    assert server.run(rid)["info"]["status"] == "FINISHED", line


def test_server_down_during_the_run_then_back_holds_every_point_once(mlflow_server, tmp_path):
    proxy = TcpProxy(mlflow_server.port, seed=11)
    proxy.down = True  # every connection is reset: the server is unreachable
    try:
        done, took, run_dir, store, after_run = _wrapped_online_run(tmp_path, proxy.uri, "down")
        proxy.heal()
        first = _sync(store, run_dir, proxy.uri)
        second = _sync(store, run_dir, proxy.uri)
        _check_exactly_once(mlflow_server, "server-down", done, took, run_dir, after_run,
                            [first, second], proxy=dict(proxy.counts))
        assert took < 30, took  # the run never waits on the network beyond --sync-timeout
    finally:
        proxy.close()


def test_slow_server_dropping_connections_then_back_holds_every_point_once(mlflow_server,
                                                                         tmp_path):
    proxy = TcpProxy(mlflow_server.port, seed=12)
    proxy.delay = 0.05
    proxy.drop = 0.4  # half before the request reaches the server, half after it was done
    try:
        done, took, run_dir, store, after_run = _wrapped_online_run(tmp_path, proxy.uri, "slow")
        during = dict(proxy.counts)
        flaky = _sync(store, run_dir, proxy.uri)  # still slow and dropping
        while_dropping = {k: proxy.counts[k] - during[k] for k in during}
        proxy.heal()
        first = _sync(store, run_dir, proxy.uri)
        second = _sync(store, run_dir, proxy.uri)
        _check_exactly_once(mlflow_server, "server-slow-dropping", done, took, run_dir,
                            after_run, [flaky, first, second], proxy_during_run=during,
                            proxy_during_sync=while_dropping)
        assert took < 40, took
    finally:
        proxy.close()


def test_random_500s_then_recovery_hold_every_point_once(mlflow_server, tmp_path):
    proxy = FlakyHttpProxy(mlflow_server.uri, fail_rate=0.4, seed=13)
    try:
        done, took, run_dir, store, after_run = _wrapped_online_run(tmp_path, proxy.uri, "flaky")
        flaky = _sync(store, run_dir, proxy.uri)  # still failing at random
        during = dict(proxy.counts)
        proxy.fail_rate = 0.0
        first = _sync(store, run_dir, proxy.uri)
        second = _sync(store, run_dir, proxy.uri)
        _check_exactly_once(mlflow_server, "server-500s", done, took, run_dir, after_run,
                            [flaky, first, second], proxy_while_failing=during)
        assert during["500_before"] + during["500_after"] > 0, during
    finally:
        proxy.close()
