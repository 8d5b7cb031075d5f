"""`runwrap sync` and online wrapped runs, as real processes against a real MLflow server."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlflow_server import free_port, mlflow_server  # noqa: F401  (the session fixture)
from sync_support import FakeServer, end_run, json_answer, make_run, run_json, steps, write_stream

# The first test here may start the session's server (10-40 s, more on a loaded machine).
pytestmark = [pytest.mark.mlflow, pytest.mark.timeout(300)]

TRAIN = """\
import runwrap
run = runwrap.init(config={"lr": 0.01, "opt": {"name": "adam", "betas": [0.9, 0.99]}})
for step in range(300):
    run.log({"loss": 1.0 / (step + 1), "acc": step / 300.0})
run.finish()
"""


def runwrap(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runwrap", *args], cwd=cwd, timeout=timeout,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)


def python(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """A plain `python script` (no wrapper) with extra environment variables."""
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith(("RUNWRAP_", "MLFLOW_"))}
    full.update(env)
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, env=full, timeout=120,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)


def test_sync_uploads_offline_runs_then_a_second_sync_uploads_nothing(mlflow_server, tmp_path):
    store = tmp_path / "store"
    a = make_run(store, "clia0001", project="cli")
    write_stream(a, "sdk", steps(40, ["loss", "acc"]))
    end_run(a)
    b = make_run(store, "clib0001", project="cli")
    write_stream(b, "sdk", steps(25, ["loss"]))
    end_run(b, "failed")
    base = ["--dir", str(store)]

    dry = runwrap("sync", "--project", "cli", "--dry-run", "--json", *base, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert sorted(r["pending_points"] for r in json.loads(dry.stdout)) == [25, 80]
    assert "sync" not in run_json(a)  # a dry run sends nothing, writes nothing

    first = runwrap("sync", "--all", "--tracking-uri", mlflow_server.uri, *base, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 runs, 105 points uploaded" in first.stdout
    assert "cli/clia0001 (name-clia0001): synced, 80 points uploaded  http://" in first.stdout

    second = runwrap("sync", "--all", "--tracking-uri", mlflow_server.uri, "--json", *base,
                     cwd=tmp_path)
    assert [(r["state"], r["points"]) for r in json.loads(second.stdout)] == [("synced", 0)] * 2
    rid = run_json(b)["sync"]["run_id"]
    assert mlflow_server.run(rid)["info"]["status"] == "FAILED"
    assert len(mlflow_server.history(rid, "loss")) == 25
    listing = runwrap("ls", "--json", *base, cwd=tmp_path)
    assert {r["id"]: r["sync"] for r in json.loads(listing.stdout)} == {
        "clia0001": "synced", "clib0001": "synced"}


def test_sync_without_runs_or_server_is_a_usage_error(tmp_path):
    no_runs = runwrap("sync", "--tracking-uri", "http://127.0.0.1:9", cwd=tmp_path)
    assert no_runs.returncode == 2 and "--all" in no_runs.stderr
    no_server = runwrap("sync", "--all", "--dir", str(tmp_path), cwd=tmp_path)
    assert no_server.returncode == 2 and "--tracking-uri" in no_server.stderr


def test_wrapped_online_run_appears_with_every_param_and_point(mlflow_server, tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    store = tmp_path / "store"
    done = runwrap("--dir", str(store), "--tracking-uri", mlflow_server.uri, "--project", "wrapped",
                   "--notes", "from the wrapper", "--tags", "cli,online",
                   sys.executable, "train.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run_dir = next(store.glob("wrapped/*/run.json")).parent
    sync = run_json(run_dir)["sync"]
    assert sync["state"] == "synced", sync
    rid = sync["run_id"]
    run = mlflow_server.run(rid)
    assert run["info"]["status"] == "FINISHED"
    assert mlflow_server.params(rid) == {"lr": "0.01", "opt.name": "adam",
                                         "opt.betas": "[0.9, 0.99]"}
    tags = mlflow_server.tags(rid)
    assert tags["mlflow.note.content"] == "from the wrapper" and "cli" in tags and "online" in tags
    for key in ("loss", "acc"):
        hist = mlflow_server.history(rid, key)
        assert sorted(p["step"] for p in hist) == list(range(300))
    again = runwrap("sync", run_dir.name, "--dir", str(store), "--tracking-uri", mlflow_server.uri,
                    cwd=tmp_path)
    assert "0 points uploaded" in again.stdout


def test_server_down_does_not_hold_the_run_and_sync_uploads_the_rest(mlflow_server, tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    store = tmp_path / "store"
    down = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    done = runwrap("--dir", str(store), "--tracking-uri", down, "--sync-timeout", "1",
                   "--project", "down", sys.executable, "train.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30
    run_dir = next(store.glob("down/*/run.json")).parent
    assert run_json(run_dir)["sync"]["state"] in ("local", "partial")
    assert "runwrap sync" in done.stderr

    later = runwrap("sync", "--project", "down", "--dir", str(store), "--tracking-uri",
                    mlflow_server.uri, cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    rid = run_json(run_dir)["sync"]["run_id"]
    assert len(mlflow_server.history(rid, "loss")) == 300
    assert mlflow_server.run(rid)["info"]["status"] == "FINISHED"


STANDALONE = """\
import runwrap
run = runwrap.init(project="solo", config={"lr": 0.5, "net": {"depth": 3}}, notes="by init",
                   tags=["sdk"], group="g1", job_type="eval")
for step in range(150):
    run.log({"loss": 1.0 / (step + 1)})
run.finish()
"""


def test_standalone_init_run_streams_to_the_server_with_every_param_and_point(mlflow_server,
                                                                               tmp_path):
    store = tmp_path / "store"
    done = python(STANDALONE, tmp_path, RUNWRAP_DIR=str(store),
                  MLFLOW_TRACKING_URI=mlflow_server.uri)
    assert done.returncode == 0, done.stderr
    run_dir = next(store.glob("solo/*/run.json")).parent
    sync = run_json(run_dir)["sync"]
    assert sync["state"] == "synced", sync
    rid = sync["run_id"]
    assert mlflow_server.run(rid)["info"]["status"] == "FINISHED"
    assert mlflow_server.params(rid) == {"lr": "0.5", "net.depth": "3"}
    tags = mlflow_server.tags(rid)
    assert (tags["mlflow.note.content"], tags["runwrap.group"], tags["runwrap.job_type"]) == (
        "by init", "g1", "eval")
    assert sorted(p["step"] for p in mlflow_server.history(rid, "loss")) == list(range(150))


FORCED = """\
import runwrap
try:
    runwrap.init(project="forced", force=True)
except runwrap.errors.Error as e:
    print(type(e).__name__)
"""


def test_init_force_with_a_401_server_raises_authentication_error_before_the_run(tmp_path):
    server = FakeServer([json_answer(401, {"error_code": "UNAUTHENTICATED",
                                           "message": "who are you"})])
    try:
        done = python(FORCED, tmp_path, RUNWRAP_DIR=str(tmp_path / "store"),
                      RUNWRAP_TRACKING_URI=server.uri, MLFLOW_TRACKING_TOKEN="nope")
    finally:
        server.close()
    assert done.stdout.strip() == "AuthenticationError", done.stderr
    assert not list((tmp_path / "store").glob("forced/*"))  # nothing was recorded


def test_sync_to_a_server_nobody_listens_on_says_why_in_a_few_words(tmp_path):
    run_dir = make_run(tmp_path / "store", "r1")
    write_stream(run_dir, "sdk", steps(3, ["loss"]))
    end_run(run_dir)
    uri = f"http://127.0.0.1:{free_port()}"  # free: nothing listens there
    done = runwrap("sync", "r1", "--dir", str(tmp_path / "store"), "--tracking-uri", uri,
                   cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"cannot reach {uri}: Connection refused" in done.stdout + done.stderr
    assert "HTTPConnectionPool" not in done.stdout + done.stderr  # urllib3's wrappers
