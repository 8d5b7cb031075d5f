"""Media, artifact versions and summaries reach MLflow as artifacts, exactly once and
resumable; the exactly-once bookkeeping stays out of the run's tag list in MLflow's UI."""
from __future__ import annotations

import json

import pytest

from mlflow_server import mlflow_server  # noqa: F401  (the session fixture)
from sdk_harness import only_run, run_script
from runwrap.store import documents
from runwrap.sync import resolve_config, sync_run
from runwrap.sync.cursor import SYNC_JSON

pytestmark = [pytest.mark.mlflow, pytest.mark.timeout(300)]
pytest.importorskip("numpy")
pytest.importorskip("PIL")

SCRIPT = """
    import numpy as np, runwrap as wandb
    run = wandb.init(project="p", mode="offline")
    run.define_metric("acc", summary="max")
    for step in range(3):
        run.log({"acc": step / 10, "img": wandb.Image(np.full((4, 4), step, dtype=np.uint8)),
                 "h": wandb.Histogram([step, 1, 2], num_bins=2)})
    run.log({"t": wandb.Table(columns=["a"], data=[[1], [2]])})
    art = wandb.Artifact("model", type="model")
    with art.new_file("weights.txt", mode="w") as f:
        f.write("w")
    run.log_artifact(art, aliases=["best"])
    run.finish()
"""


def artifact_files(server, run_id, path=""):
    """Every artifact file of an MLflow run: path -> size."""
    out = {}
    listing = server.api("GET", "artifacts/list", params={"run_id": run_id, "path": path})
    for entry in listing.get("files", []):
        if entry.get("is_dir"):
            out.update(artifact_files(server, run_id, entry["path"]))
        else:
            out[entry["path"]] = int(entry.get("file_size", 0))
    return out


def download(server, run, path):
    import requests

    root = run["info"]["artifact_uri"].split(":", 1)[1].strip("/")
    resp = requests.get(f"{server.uri}/api/2.0/mlflow-artifacts/artifacts/{root}/{path}", timeout=30)
    resp.raise_for_status()
    return resp.content


def test_media_artifacts_and_summary_upload_once_and_resume(mlflow_server, tmp_path):
    assert run_script(tmp_path, SCRIPT).returncode == 0
    run_dir = only_run(tmp_path / "store")
    config = resolve_config(tracking_uri=mlflow_server.uri, environ={})
    result = sync_run(run_dir, config)
    assert result.state == "synced", result.error
    rid = json.loads((run_dir / "run.json").read_text())["sync"]["run_id"]
    files = artifact_files(mlflow_server, rid)
    local_media = sorted(str(p.relative_to(run_dir)) for p in (run_dir / "media").rglob("*")
                         if p.is_file())
    assert len(local_media) == 3 + 3 + 1  # images, histograms, the table
    assert sorted(f for f in files if f.startswith("media/")) == local_media
    assert "artifacts/model/v0/weights.txt" in files and "artifacts/model/v0/manifest.json" in files
    assert result.files == len(files)
    run = mlflow_server.run(rid)
    for rel in local_media:
        assert download(mlflow_server, run, rel) == (run_dir / rel).read_bytes()
    summary = json.loads(download(mlflow_server, run, "summary.json"))
    assert summary["sdk"]["acc"]["summary"] == {"max": 0.2}
    # Media values are files, not metrics; define_metric's summary is a metric of its own.
    metrics = {m["key"]: m for m in run["data"].get("metrics", [])}
    assert sorted(metrics) == ["acc", "acc.max"]
    assert metrics["acc.max"]["value"] == 0.2 and metrics["acc.max"]["step"] == 2
    # Bookkeeping: no tag MLflow's UI lists beyond the run's own (mlflow.* is hidden there).
    visible = [k for k in mlflow_server.tags(rid) if not k.startswith("mlflow.")]
    assert not [k for k in visible if "sync" in k], visible

    # Again: nothing is sent. Cut: sync.json forgets two files; only those go again.
    assert sync_run(run_dir, config).files == 0
    state = documents.read_json(run_dir / SYNC_JSON)
    server_state = next(iter(state["servers"].values())) if "servers" in state else state
    forgotten = sorted(server_state["files"])[:2]
    for name in forgotten:
        del server_state["files"][name]
    documents.write_json(run_dir / SYNC_JSON, state)
    again = sync_run(run_dir, config)
    assert again.files == 2 and artifact_files(mlflow_server, rid) == files
