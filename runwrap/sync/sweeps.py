"""A sweep's trials on MLflow: child runs of one parent run for the sweep (MLflow's own
convention, the `mlflow.parentRunId` tag, which its UI shows as nesting).

The parent is found by its tags (`runwrap.sweep_id`, `runwrap.sweep_parent`) in the trial's
experiment, or created by the first trial that uploads. Two trials uploading at the same instant
may both create one: each then keeps the oldest and deletes its own, so one parent remains.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, Optional

from runwrap.store import sweeps as store

SWEEP_ID_TAG = "runwrap.sweep_id"
PARENT_TAG = "runwrap.sweep_parent"
PARENT_RUN_TAG = "mlflow.parentRunId"


def sweep_of(run_dir: Path, meta: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The sweep.json of the sweep this run is a trial of (its group names one), or None."""
    group = meta.get("group")
    if not isinstance(group, str) or not group or "/" in group or group.startswith("."):
        return None
    path = store.sweep_dir(Path(run_dir).parent.parent, group)
    if not (path / store.SWEEP_JSON).is_file():
        return None
    try:
        return store.read_sweep(path)
    except Exception:
        return None


def parent_run_id(client: Any, experiment_id: str, sweep: Dict[str, Any]) -> str:
    """The MLflow run id of the sweep's parent run in `experiment_id` (created if missing)."""
    found = _parents(client, experiment_id, sweep["id"])
    if found:
        return found[0]
    body = {"experiment_id": experiment_id, "start_time": int(time.time() * 1000),
            "run_name": str(sweep.get("name") or sweep["id"]),
            "tags": [{"key": SWEEP_ID_TAG, "value": sweep["id"]},
                     {"key": PARENT_TAG, "value": "true"},
                     {"key": "runwrap.sweep_method",
                      "value": str((sweep.get("config") or {}).get("method"))}]}
    mine = client.post("runs/create", body)["run"]["info"]["run_id"]
    found = _parents(client, experiment_id, sweep["id"])
    if found and found[0] != mine:
        client.post("runs/delete", {"run_id": mine})  # another trial made one first
        return found[0]
    return mine


def _parents(client: Any, experiment_id: str, sweep_id: str) -> list:
    if "'" in sweep_id:
        return []
    runs = client.post("runs/search", {
        "experiment_ids": [experiment_id], "max_results": 10,
        "filter": f"tags.`{SWEEP_ID_TAG}` = '{sweep_id}' and tags.`{PARENT_TAG}` = 'true'",
        "order_by": ["attributes.start_time ASC"]}).get("runs") or []
    runs.sort(key=lambda r: (r["info"].get("start_time") or 0, r["info"]["run_id"]))
    return [r["info"]["run_id"] for r in runs]
