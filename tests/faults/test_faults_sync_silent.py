"""`runwrap sync` against a server that accepts and never answers, and two syncs of one run.

A hung server must not look like a hung runwrap: sync says what it is doing before its first
request, says each retry, and gives up after its tries; a sync that uploaded nothing because
another process holds the run says so and exits 1, or waits for it with --wait.
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

from faults_support import (RUNWRAP, SilentServer, clean_env, figures, no_traceback, run_dirs,
                            wrap_cmd)


def _recorded_runs(tmp_path: Path, count: int) -> Path:
    store = tmp_path / "store"
    for i in range(count):
        done = subprocess.run(wrap_cmd(store, "--project", "p", sys.executable, "-c",
                                       f"print('run {i}')"),
                              cwd=tmp_path, env=clean_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return store


def _sync(store: Path, uri: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(RUNWRAP + ["sync", "--dir", str(store), "--tracking-uri", uri, *args],
                            env=clean_env(), cwd=store.parent, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stderr_until(proc: subprocess.Popen, needle: str) -> List[str]:
    """stderr lines up to and including the first that holds `needle` (all of them if none)."""
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if needle in line:
            break
    return lines


def test_sync_to_a_server_that_never_answers_says_so_retries_and_gives_up(tmp_path: Path) -> None:
    store = _recorded_runs(tmp_path, 2)
    with SilentServer() as server:
        proc = _sync(store, server.uri, "--all", "--timeout", "0.3")
        first = proc.stderr.readline()
        # Said before anything was asked of the server, and so while sync is still waiting.
        still_running = proc.poll() is None
        out, rest = proc.communicate(timeout=120)
    stderr = first + rest
    retries = [line for line in stderr.splitlines() if "trying again" in line]
    line = figures("sync_silent_server", first_line=first.strip(), retries=len(retries),
                   exit=proc.returncode, accepted=server.accepted)
    assert "uploading 2 runs to " + server.uri in first, line
    assert still_running, line
    assert server.accepted >= 1, line
    assert len(retries) == 3, (line, stderr)  # 4 tries: 3 of them said as retries
    assert "did not answer within 0.3 s" in retries[0], line
    assert "1 run left for the next sync" in stderr, (line, stderr)  # the second run: not tried
    assert proc.returncode == 1, (line, out, stderr)
    assert no_traceback(stderr), stderr


def test_a_sync_that_finds_the_run_busy_says_so_and_exits_1(tmp_path: Path) -> None:
    store = _recorded_runs(tmp_path, 1)
    with SilentServer() as server:
        first = _sync(store, server.uri, "--all", "--timeout", "5")
        _stderr_until(first, "trying again")  # it holds the run while it waits on the server
        second = _sync(store, server.uri, "--all")
        out, err = second.communicate(timeout=60)
        as_json = _sync(store, server.uri, "--all", "--json")
        json_out, _ = as_json.communicate(timeout=60)
        first.kill()
        first.communicate()
    [row] = json.loads(json_out)
    line = figures("sync_busy", exit=second.returncode, out=out.splitlines()[0],
                   json_exit=as_json.returncode, state=row["state"])
    assert second.returncode == 1 and as_json.returncode == 1, (line, err)
    assert "busy, 0 points uploaded" in out, line
    assert "another runwrap process is uploading this run" in err, (line, err)
    assert "--wait" in err, err
    assert row["state"] == "busy" and row["points"] == 0 and row["error"], line


def test_sync_wait_waits_for_the_process_that_holds_the_run(tmp_path: Path) -> None:
    store = _recorded_runs(tmp_path, 1)
    [run_dir] = run_dirs(store)
    holder = os.open(run_dir / ".sync.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another uploader of this run
    with SilentServer() as server:
        waiting = _sync(store, server.uri, "--all", "--wait", "--timeout", "0.3")
        before = _stderr_until(waiting, "waiting for it")
        asked_while_held = server.accepted
        os.close(holder)  # the other upload ends
        server.connected.wait(30)
        out, rest = waiting.communicate(timeout=120)
    line = figures("sync_wait", said=before[-1].strip() if before else None,
                   asked_while_held=asked_while_held, asked_after=server.accepted,
                   exit=waiting.returncode)
    assert before and "waiting for it" in before[-1], line
    assert asked_while_held == 0, line
    assert server.accepted >= 1, line  # it went on once the run was free
    assert "trying again" in rest, rest
