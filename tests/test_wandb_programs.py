"""Programs that use wandb, run under the real runwrap process on a machine with no wandb
account: they run (offline, files in the run directory) and runwrap records what wandb logged,
live; `runwrap import-wandb` turns wandb run folders into runwrap runs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlflow_server import mlflow_server  # noqa: F401  (the session fixture)
from runwrap.store.streams import read_records
from runwrap.store.values import decode_value
from wandb_support import log_files, no_account_env, run_offline, wandb_history
from wrapper_harness import RUNWRAP, only_run, run_json, runwrap, wait_for

wandb = pytest.importorskip("wandb")
# Each test starts real wandb (its wandb-core service) one or more times: a few seconds alone,
# far more on a loaded machine, so these get more than the suite's default 120 s.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DIRECT = """
import wandb
run = wandb.init(project="zero", config={"lr": 0.1, "opt": {"name": "adam"}})
for i in range(20):
    wandb.log({"loss": 1.0 / (i + 1), "acc/val": i / 20})
wandb.log({"extra": 3}, step=30)
wandb.config.update({"batch_size": 64})
run.summary["best_acc"] = 0.95
print("wandb step", run.step, "mode", run.settings.mode)
run.finish()
"""


def rows_of(path: Path) -> list:
    return [{k: decode_value(v) for k, v in r.items()} for r in read_records(path)]


def test_a_program_that_stops_at_wandbs_login_runs_and_records_with_no_flags(tmp_path, store):
    (tmp_path / "train.py").write_text(DIRECT)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store))
    alone = subprocess.run([sys.executable, "train.py"], cwd=tmp_path, env=env, timeout=240,
                           stdin=subprocess.DEVNULL, capture_output=True)
    assert alone.returncode != 0 and b"No API key configured" in alone.stderr

    done = runwrap(sys.executable, "train.py", cwd=tmp_path, env=env, timeout=240)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert b"mode offline" in done.stdout
    run = only_run(store)
    [log] = log_files(run / "wandb")  # wandb's files are in the run directory
    theirs = wandb_history(log)
    mine = rows_of(run / "streams" / "wandb.jsonl")
    assert len(mine) == len(theirs) == 21
    for row, expected in zip(mine, theirs):
        assert row["_step"] == expected["_step"] and row["_time"] == expected["_timestamp"]
        assert {k: v for k, v in row.items() if not k.startswith("_")} == \
            {k: v for k, v in expected.items() if not k.startswith("_")}
    assert mine[-1] == {**mine[-1], "_step": 30, "extra": 3}
    import yaml

    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config == {"lr": 0.1, "opt": {"name": "adam"}, "batch_size": 64}
    meta = run_json(run)
    assert meta["status"] == "finished" and "skipped" not in meta
    assert list(meta["wandb_runs"].values())[0]["stream"] == "wandb.jsonl"
    shown = json.loads(runwrap("show", "latest", "--json", env=env).stdout)
    assert shown["summary"]["best_acc"] == 0.95 and shown["summary"]["extra"] == 3


LIVE = """
import os, time, wandb
run = wandb.init(project="live")
for i in range(3):
    wandb.log({"x": i})
wandb.log({"x": 3})  # makes step 2's row final: wandb holds the current step open
while not os.path.exists("go"):
    time.sleep(0.02)
run.finish()
"""


def test_rows_are_recorded_while_the_program_still_runs(tmp_path, store):
    (tmp_path / "live.py").write_text(LIVE)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store))
    proc = subprocess.Popen(RUNWRAP + [sys.executable, "live.py"], cwd=tmp_path, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        def rows() -> list:
            found = list(store.glob("*/*/streams/wandb.jsonl"))
            return rows_of(found[0]) if found else []

        assert wait_for(lambda: len(rows()) >= 3, timeout=60), rows()
        assert proc.poll() is None  # recorded live, not at the end
        assert [r["x"] for r in rows()[:3]] == [0, 1, 2]
    finally:
        (tmp_path / "go").write_text("")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert [r["x"] for r in rows()] == [0, 1, 2, 3]


SWEEP = """
import wandb
for trial in range(3):
    run = wandb.init(project="sweep", name=f"trial{trial}", config={"trial": trial},
                     reinit="create_new")
    for i in range(3):
        run.log({"score": trial * 10 + i})
    run.summary["best"] = trial
    run.finish()
"""


def run_sweep(tmp_path: Path, store: Path) -> "tuple[Path, dict, dict]":
    """The sweep under runwrap: its run directory, its environment, and {trial: wandb id}."""
    (tmp_path / "sweep.py").write_text(SWEEP)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store))
    done = runwrap(sys.executable, "sweep.py", cwd=tmp_path, env=env, timeout=240)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    run = only_run(store)
    runs = run_json(run)["wandb_runs"]
    return run, env, {int(info["name"][len("trial"):]): wid for wid, info in runs.items()}


def test_each_wandb_run_of_a_program_is_a_source_of_its_own(tmp_path, store):
    run, env, ids = run_sweep(tmp_path, store)
    runs = run_json(run)["wandb_runs"]
    # Sources, not parts: a reader never merges them. The first keeps the plain name.
    streams = {t: runs[ids[t]]["stream"] for t in range(3)}
    assert streams == {0: "wandb.jsonl", 1: f"wandb-{ids[1]}.jsonl", 2: f"wandb-{ids[2]}.jsonl"}
    for t, stream in streams.items():
        assert [r["score"] for r in rows_of(run / "streams" / stream)] == [t * 10 + i
                                                                          for i in range(3)]
    # Each trial's config and summary are its own; config.yaml is the first trial's.
    import yaml

    assert yaml.safe_load((run / "config.yaml").read_text()) == {"trial": 0}
    assert [runs[ids[t]].get("config") for t in (1, 2)] == [{"trial": 1}, {"trial": 2}]
    assert [runs[ids[t]].get("summary") for t in (1, 2)] == [{"best": 1}, {"best": 2}]

    shown = json.loads(runwrap("show", "latest", "--json", env=env).stdout)
    metrics = shown["metrics"]
    assert [metrics[streams[t][:-len(".jsonl")]]["score"]["last"] for t in range(3)] == \
        [2, 12, 22]
    assert shown["summary"]["score"] == 2 and shown["summary"]["best"] == 0
    text = runwrap("show", "latest", env=env).stdout.decode()
    headings = [line for line in text.splitlines() if line.startswith("metrics from wandb")]
    assert headings == [f"metrics from wandb (wandb run {ids[0]} 'trial0')",
                        f"metrics from wandb-{ids[1]} (wandb run {ids[1]} 'trial1'; config trial=1)",
                        f"metrics from wandb-{ids[2]} (wandb run {ids[2]} 'trial2'; config trial=2)"]


@pytest.mark.mlflow
def test_each_wandb_run_of_a_program_keeps_its_own_series_in_mlflow(tmp_path, store,
                                                                     mlflow_server):
    run, env, ids = run_sweep(tmp_path, store)
    done = runwrap("sync", "--all", "--tracking-uri", mlflow_server.uri, "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    rid = run_json(run)["sync"]["run_id"]
    assert sorted((p["step"], p["value"]) for p in mlflow_server.history(rid, "score")) == \
        [(0, 0), (1, 1), (2, 2)]
    for t in (1, 2):
        points = mlflow_server.history(rid, f"wandb-{ids[t]}/score")
        assert sorted((p["step"], p["value"]) for p in points) == \
            [(i, t * 10 + i) for i in range(3)]


RESUME = """
import sys, wandb
for wandb_id in ("fixedid1", "trial.2"):
    run = wandb.init(project="res", id=wandb_id, resume="allow", reinit="create_new")
    for i in range(3):
        run.log({"v": float(sys.argv[1]) + i})
    run.finish()
"""


def test_a_resumed_wandb_run_continues_the_same_series(tmp_path, store):
    (tmp_path / "res.py").write_text(RESUME)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store), WANDB_DIR=str(tmp_path))
    for arg in ("0", "100"):
        done = runwrap("--id", "rw1", "--resume", "allow", sys.executable, "res.py", arg,
                       cwd=tmp_path, env=env, timeout=240)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
    run = only_run(store)
    meta = run_json(run)
    assert list(meta["wandb_runs"]) == ["fixedid1", "trial.2"]
    # The second wandb run, a source of its own (its id's dot made safe), continues too.
    for wandb_id, stream in (("fixedid1", "wandb.jsonl"), ("trial.2", "wandb-trial_2.jsonl")):
        assert meta["wandb_runs"][wandb_id]["stream"] == stream
        assert len(meta["wandb_runs"][wandb_id]["files"]) == 2
        rows = rows_of(run / "streams" / stream)
        assert [r["v"] for r in rows] == [0, 1, 2, 100, 101, 102]
        theirs = [row for log in log_files(tmp_path / "wandb") if log.name == f"run-{wandb_id}.wandb"
                  for row in wandb_history(log)]
        assert [r["_step"] for r in rows] == [t["_step"] for t in theirs]


def test_the_users_own_wandb_mode_and_dir_are_left_alone(tmp_path, store):
    (tmp_path / "p.py").write_text(
        "import os, wandb\n"
        "print('ENV', os.environ.get('WANDB_MODE'), os.environ.get('WANDB_DIR'),"
        " os.environ.get('RUNWRAP_WANDB_SET'))\n"
        "run = wandb.init(project='own'); run.log({'a': 1}); run.finish()\n")
    mine = tmp_path / "mine"
    mine.mkdir()
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store), WANDB_MODE="offline",
                         WANDB_DIR=str(mine))
    done = runwrap(sys.executable, "p.py", cwd=tmp_path, env=env, timeout=240)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert f"ENV offline {mine} None".encode() in done.stdout
    run = only_run(store)
    assert not (run / "wandb").exists() and log_files(mine / "wandb")
    assert [r["a"] for r in rows_of(run / "streams" / "wandb.jsonl")] == [1]

    (tmp_path / "q.py").write_text("import os; print('ENV', os.environ.get('WANDB_MODE'),"
                                   " os.environ.get('RUNWRAP_WANDB_SET'))\n")
    done = runwrap(sys.executable, "q.py", cwd=tmp_path, env=no_account_env(tmp_path), timeout=60)
    assert b"ENV offline WANDB_MODE,WANDB_DIR" in done.stdout
    # An account holder's online mode is theirs: wandb uploads, runwrap reads the same log.
    online = no_account_env(tmp_path, WANDB_MODE="online")
    done = runwrap(sys.executable, "q.py", cwd=tmp_path, env=online, timeout=60)
    assert b"ENV online WANDB_DIR" in done.stdout


def test_import_wandb_makes_runs_of_offline_run_folders(tmp_path, store):
    folder = run_offline(tmp_path, DIRECT)
    [log] = log_files(folder)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store))
    done = runwrap("import-wandb", str(folder), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    [result] = json.loads(done.stdout)
    assert result["project"] == "zero" and result["rows"] == 21 and result["status"] == "finished"
    run = Path(result["dir"])
    assert run == only_run(store) and run.name == log.name[4:-6]
    theirs = wandb_history(log)
    mine = rows_of(run / "streams" / "wandb.jsonl")
    assert [(r["_step"], r["_time"]) for r in mine] == \
        [(t["_step"], t["_timestamp"]) for t in theirs]
    shown = json.loads(runwrap("show", run.name, "--json", env=env).stdout)
    assert shown["run"]["status"] == "finished" and shown["summary"]["best_acc"] == 0.95
    assert shown["config"]["batch_size"] == 64

    again = runwrap("import-wandb", str(log.parent), env=env)
    assert again.returncode == 0 and b"already imported" in again.stdout
    missing = runwrap("import-wandb", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 2 and b"does not exist" in missing.stderr


def test_runwrap_init_beside_wandb_still_records_into_the_wrappers_run(tmp_path, store):
    (tmp_path / "both.py").write_text(
        "import runwrap, wandb\n"
        "mine = runwrap.init(project='other')\n"
        "mine.log({'m': 1}); mine.finish()\n"
        "run = wandb.init(project='both'); run.log({'w': 2}); run.finish()\n")
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store))
    done = runwrap(sys.executable, "both.py", cwd=tmp_path, env=env, timeout=240)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    run = only_run(store)  # WANDB_DIR=<run dir> did not make init() open a store there
    assert run_json(run)["mode"] == "offline"
    [sdk] = list((run / "streams").glob("sdk*.jsonl"))
    assert [r["m"] for r in rows_of(sdk)] == [1]
    assert [r["w"] for r in rows_of(run / "streams" / "wandb.jsonl")] == [2]


@pytest.mark.mlflow
def test_imported_wandb_runs_sync_to_mlflow(tmp_path, store, mlflow_server):
    folder = run_offline(tmp_path, DIRECT)
    [log] = log_files(folder)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store))
    assert runwrap("import-wandb", str(folder), env=env).returncode == 0
    done = runwrap("sync", "--all", "--tracking-uri", mlflow_server.uri, "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    [result] = json.loads(done.stdout)
    assert result["state"] == "synced"
    rid = run_json(only_run(store))["sync"]["run_id"]
    theirs = [row for row in wandb_history(log) if "loss" in row]
    points = mlflow_server.history(rid, "loss")
    assert sorted((p["step"], p["value"]) for p in points) == \
        [(row["_step"], row["loss"]) for row in theirs]
    assert mlflow_server.params(rid)["batch_size"] == "64"
    assert mlflow_server.run(rid)["info"]["status"] == "FINISHED"
