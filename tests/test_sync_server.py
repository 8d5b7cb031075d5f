"""Uploading run directories to a real MLflow tracking server (started once per session)."""
from __future__ import annotations

import math
import sys

import pytest

from mlflow_server import mlflow_server  # noqa: F401  (the session fixture)
from sync_support import T0, end_run, make_run, run_json, steps, write_stream
from runwrap.store import documents
from runwrap.sync import resolve_config, sync_run
from runwrap.sync.client import RestClient
from runwrap.sync.cursor import SYNC_JSON, SyncState
from runwrap.sync.mapping import MAX_PARAM_VALUE, TRUNCATED_MARKER
from runwrap.sync.runsync import RunSync

# The first test here may start the session's server (10-40 s, more on a loaded machine).
pytestmark = [pytest.mark.mlflow, pytest.mark.timeout(300)]


def config_for(server):
    return resolve_config(tracking_uri=server.uri, environ={})


def mlflow_run_id(run_dir):
    return run_json(run_dir)["sync"]["run_id"]


def test_finished_run_appears_with_every_param_tag_and_point(mlflow_server, tmp_path):
    config = {"lr": 0.1, "model": {"layers": 4, "act": "relu"}, "ids": [1, 2],
              "prompt": "x" * 7000}
    run_dir = make_run(tmp_path, "full0001", config=config, entity="team", notes="first try",
                       tags=["baseline", "v2"], group="sweep-1", job_type="train",
                       git={"commit": "abc123", "branch": "main"})
    n_sdk = write_stream(run_dir, "sdk", steps(30, ["loss", "acc"]))
    n_sys = write_stream(run_dir, "system", [{"_time": T0 + i, "cpu/usage (%)": 10.0 + i}
                                            for i in range(7)])
    end_run(run_dir, "finished", end_time=T0 + 100)

    result = sync_run(run_dir, config_for(mlflow_server))

    assert result.state == "synced", result.error
    assert result.points == n_sdk + n_sys == 67
    rid = mlflow_run_id(run_dir)
    run = mlflow_server.run(rid)
    assert run["info"]["status"] == "FINISHED"
    assert run["info"]["end_time"] == int((T0 + 100) * 1000)
    assert run["info"]["run_name"] == "name-full0001"
    params = mlflow_server.params(rid)
    assert params["lr"] == "0.1" and params["model.layers"] == "4" and params["model.act"] == "relu"
    assert params["ids"] == "[1, 2]"
    assert len(params["prompt"]) == MAX_PARAM_VALUE and params["prompt"].endswith(TRUNCATED_MARKER)
    tags = mlflow_server.tags(rid)
    assert tags["runwrap.params_truncated"] == "prompt"
    assert tags["mlflow.note.content"] == "first try"
    assert tags["runwrap.group"] == "sweep-1" and tags["runwrap.job_type"] == "train"
    assert tags["runwrap.tags"] == "baseline,v2" and "baseline" in tags and "v2" in tags
    assert tags["mlflow.source.git.commit"] == "abc123"
    assert tags["runwrap.command"] == "python train.py --lr 0.1"
    assert tags["runwrap.host"] and tags["mlflow.user"]
    points = mlflow_server.all_points(rid)
    assert sorted(points) == ["acc", "loss", "system/cpu/usage_percent"]
    assert [(p["step"], p["value"], p["timestamp"]) for p in points["loss"]] == [
        (s, float(s * 10), int((T0 + s * 0.5) * 1000)) for s in range(30)]
    # A stream without _step counts its records as steps.
    assert [(p["step"], p["value"]) for p in points["system/cpu/usage_percent"]] == [
        (i, 10.0 + i) for i in range(7)]
    experiment = mlflow_server.api("GET", "experiments/get-by-name",
                                   params={"experiment_name": "team/proj"})["experiment"]
    assert run["info"]["experiment_id"] == experiment["experiment_id"]
    sync = run_json(run_dir)["sync"]
    assert sync["state"] == "synced" and sync["server"] == mlflow_server.uri
    assert sync["url"] == f"{mlflow_server.uri}/#/experiments/{experiment['experiment_id']}/runs/{rid}"


def test_second_sync_uploads_nothing(mlflow_server, tmp_path):
    run_dir = make_run(tmp_path, "again001")
    write_stream(run_dir, "sdk", steps(10, ["loss"]))
    end_run(run_dir)
    first = sync_run(run_dir, config_for(mlflow_server))
    second = sync_run(run_dir, config_for(mlflow_server))
    assert (first.points, second.points) == (10, 0)
    assert second.state == "synced"
    assert len(mlflow_server.history(mlflow_run_id(run_dir), "loss")) == 10


def test_nan_and_infinity_round_trip(mlflow_server, tmp_path):
    run_dir = make_run(tmp_path, "nonfin01")
    write_stream(run_dir, "sdk", [{"_step": 0, "_time": T0, "x": math.nan},
                                  {"_step": 1, "_time": T0, "x": math.inf},
                                  {"_step": 2, "_time": T0, "x": -math.inf},
                                  {"_step": 3, "_time": T0, "x": 1.5}])
    end_run(run_dir)
    assert sync_run(run_dir, config_for(mlflow_server)).state == "synced"
    values = [p["value"] for p in mlflow_server.all_points(mlflow_run_id(run_dir))["x"]]
    assert values[0] == "NaN"  # the server's JSON for a stored NaN
    assert math.isnan(float(values[0]))
    # The SQL store keeps ±Infinity as the largest finite double (its columns cannot hold inf);
    # MLflow's own client gets exactly the same back, which is the best any client can do.
    assert values[1:] == [sys.float_info.max, -sys.float_info.max, 1.5]
    assert values[1:3] == mlflow_client_round_trip(mlflow_server, [math.inf, -math.inf])


def mlflow_client_round_trip(server, values):
    from mlflow import MlflowClient

    client = MlflowClient(server.uri)
    exp = client.create_experiment(f"peer-{id(values)}-{T0}")
    run = client.create_run(exp)
    for step, v in enumerate(values):
        client.log_metric(run.info.run_id, "x", v, step=step, timestamp=int(T0 * 1000))
    return [p.value for p in sorted(client.get_metric_history(run.info.run_id, "x"),
                                    key=lambda p: p.step)]


def test_a_bare_nan_token_is_what_loses_data_so_it_is_never_sent(mlflow_server, tmp_path):
    """Why client.encode_body writes "NaN": this server turns a body with a bare NaN token into
    one 0.0 point at step 0 and answers 200, the whole batch silently lost."""
    import requests

    rest = RestClient(config_for(mlflow_server))
    exp = rest.experiment_id("bare-nan")
    rid = rest.post("runs/create", {"experiment_id": exp, "start_time": 0})["run"]["info"]["run_id"]
    body = ('{"run_id": "%s", "metrics": [{"key": "x", "value": NaN, "timestamp": 5, "step": 3},'
            ' {"key": "x", "value": 2.0, "timestamp": 5, "step": 4}]}' % rid)
    resp = requests.post(f"{mlflow_server.uri}/api/2.0/mlflow/runs/log-batch", data=body,
                         headers={"Content-Type": "application/json"}, timeout=30)
    assert resp.status_code == 200
    assert [(p["step"], p["value"]) for p in mlflow_server.history(rid, "x")] != [
        (3, "NaN"), (4, 2.0)]


def test_batches_over_every_limit_are_split(mlflow_server, tmp_path):
    config = {f"p{i:03d}": i for i in range(250)}  # 250 params: three batches
    config["k" * 300] = "long key"  # keys are cut to 250 characters
    labels = [f"label{i:03d}" for i in range(150)]  # 150 tags on top of the identity tags
    run_dir = make_run(tmp_path, "limits01", config=config, tags=labels)
    wide = {"_step": 0, "_time": T0}
    wide.update({f"m{i:04d}": float(i) for i in range(1500)})  # one record > one batch
    n = write_stream(run_dir, "sdk", [wide] + steps(2400, ["a"], start=1))
    write_stream(run_dir, "files", [{"_step": 0, "_time": T0, "y" * 300: 1.0}])
    end_run(run_dir)

    result = sync_run(run_dir, config_for(mlflow_server))

    assert result.state == "synced", result.error
    assert result.points == n + 1 == 3901
    rid = mlflow_run_id(run_dir)
    params = mlflow_server.params(rid)
    assert len(params) == 251
    assert [k for k in params if k.startswith("kkk")][0].startswith("k" * 240)
    tags = mlflow_server.tags(rid)
    assert all(label in tags for label in labels)
    run = mlflow_server.run(rid)
    assert len(run["data"]["metrics"]) == 1500 + 1 + 1
    assert len(mlflow_server.history(rid, "a")) == 2400
    assert mlflow_server.history(rid, "m1499")[0]["value"] == 1499.0
    assert all(len(m["key"]) <= 250 for m in run["data"]["metrics"])


def test_cut_after_any_batch_resumes_with_no_point_lost_or_repeated(mlflow_server, tmp_path):
    run_dir = make_run(tmp_path, "cut00001")
    n = write_stream(run_dir, "sdk", steps(1600, ["loss", "acc"]))  # 3200 points, 4 batches
    end_run(run_dir)
    config = config_for(mlflow_server)
    rest = RestClient(config)
    first = RunSync(run_dir, config, rest)
    first.open()
    assert first.pump(max_batches=1) == 999  # one item of each batch is the cursor tag
    # An uploader killed here. The next one picks up at the cursor.
    result = sync_run(run_dir, config)
    assert result.points == n - 999
    rid = mlflow_run_id(run_dir)
    for key in ("loss", "acc"):
        hist = mlflow_server.history(rid, key)
        assert sorted(p["step"] for p in hist) == list(range(1600))


def test_batch_committed_but_cursor_not_saved_is_not_sent_again(mlflow_server, tmp_path):
    """The one window the local cursor cannot close (the server committed, we died before
    sync.json moved) is closed by the cursor tag the server stored with the batch."""
    run_dir = make_run(tmp_path, "window01")
    write_stream(run_dir, "sdk", steps(2500, ["loss"]))
    end_run(run_dir)
    config = config_for(mlflow_server)
    rs = RunSync(run_dir, config, RestClient(config))
    rs.open()
    before = (run_dir / SYNC_JSON).read_bytes()
    assert rs.pump(max_batches=2) == 2 * 999  # two in flight at once, one per cursor-tag slot
    rs.close()
    (run_dir / SYNC_JSON).write_bytes(before)  # as if we died between the 200s and the writes
    assert SyncState(run_dir, config.uri).position("sdk.jsonl").offset == 0

    result = sync_run(run_dir, config)

    assert result.points == 2500 - 2 * 999
    hist = mlflow_server.history(mlflow_run_id(run_dir), "loss")
    assert sorted(p["step"] for p in hist) == list(range(2500))


def test_anonymous_must_sends_no_user_identity(mlflow_server, tmp_path):
    run_dir = make_run(tmp_path, "anon0001")
    write_stream(run_dir, "sdk", steps(2, ["loss"]))
    end_run(run_dir)
    config = resolve_config(tracking_uri=mlflow_server.uri, anonymous="must", environ={})
    assert sync_run(run_dir, config).state == "synced"
    run = mlflow_server.run(mlflow_run_id(run_dir))
    assert "mlflow.user" not in mlflow_server.tags(mlflow_run_id(run_dir))
    assert not run["info"].get("user_id")


def test_crashed_run_is_failed_on_the_server_and_running_run_stays_running(mlflow_server, tmp_path):
    running = make_run(tmp_path, "live0001")
    write_stream(running, "sdk", steps(3, ["loss"]))
    result = sync_run(running, config_for(mlflow_server))
    assert result.state == "partial" and result.points == 3
    assert mlflow_server.run(mlflow_run_id(running))["info"]["status"] == "RUNNING"

    killed = make_run(tmp_path, "kill0001")
    write_stream(killed, "sdk", steps(3, ["loss"]))
    end_run(killed, "killed")
    assert sync_run(killed, config_for(mlflow_server)).state == "synced"
    assert mlflow_server.run(mlflow_run_id(killed))["info"]["status"] == "KILLED"

    crashed = make_run(tmp_path, "dead0001")  # still `running`, but its owner is gone
    write_stream(crashed, "sdk", steps(3, ["loss"]))
    documents.update_json(crashed / "run.json",
                          lambda doc: doc["owner"].update(pid=999_999_999, pid_start=1))
    assert sync_run(crashed, config_for(mlflow_server)).state == "synced"
    assert mlflow_server.run(mlflow_run_id(crashed))["info"]["status"] == "FAILED"


def test_run_deleted_on_the_server_stops_the_upload_and_keeps_every_point(mlflow_server, tmp_path):
    run_dir = make_run(tmp_path, "deleted1")
    write_stream(run_dir, "sdk", steps(5, ["loss"]))
    config = config_for(mlflow_server)
    assert sync_run(run_dir, config).points == 5
    rid = mlflow_run_id(run_dir)
    mlflow_server.api("POST", "runs/delete", json={"run_id": rid})
    write_stream(run_dir, "sdk", steps(5, ["loss"], start=5))
    end_run(run_dir)

    refused = sync_run(run_dir, config)

    assert refused.state == "error" and refused.points == 0
    assert "active" in refused.error
    assert run_json(run_dir)["sync"]["state"] == "error"
    assert not (run_dir / "sync-rejected.jsonl").exists()
    mlflow_server.api("POST", "runs/restore", json={"run_id": rid})
    again = sync_run(run_dir, config)
    assert (again.state, again.points) == ("synced", 5)
    assert sorted(p["step"] for p in mlflow_server.history(rid, "loss")) == list(range(10))
