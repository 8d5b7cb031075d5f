"""init() with a tracking server: online runs upload while they run; force=True fails fast."""
from __future__ import annotations

import json

import pytest

from mlflow_server import free_port, mlflow_server  # noqa: F401  (the session fixture)
from sdk_harness import meta, only_run, run_script

pytestmark = pytest.mark.mlflow


def test_an_online_run_is_on_the_server_when_finish_returns(mlflow_server, tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="online", config={"lr": 0.1}, force=True)
        for i in range(5):
            run.log({"loss": 1.0 / (i + 1)})
        run.finish()
    """, extra_env={"MLFLOW_TRACKING_URI": mlflow_server.uri})
    assert done.returncode == 0, done.stderr
    run_dir = only_run(tmp_path / "store")
    doc = meta(run_dir)
    assert doc["mode"] == "online"
    assert doc["options"]["tracking_uri"]["source"] == "environment:MLFLOW_TRACKING_URI"
    rid = doc["sync"]["run_id"]
    assert mlflow_server.run(rid)["info"]["status"] == "FINISHED"
    assert [p["value"] for p in mlflow_server.history(rid, "loss")] == [
        1.0 / (i + 1) for i in range(5)]
    assert mlflow_server.params(rid)["lr"] == "0.1"


def test_force_with_an_unreachable_server_is_a_comm_error_before_any_write(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        try:
            runwrap.init(force=True)
        except runwrap.CommError as e:
            print("CommError", e)
    """, extra_env={"RUNWRAP_TRACKING_URI": f"http://127.0.0.1:{free_port()}"})
    assert done.stdout.startswith("CommError"), done.stderr
    assert not (tmp_path / "store").exists()
