"""A sweep as the dashboard shows it: its definition and its trials ranked by the metric, each
with its run's key and its parameters flattened (`optimizer.lr`), read from the store's sweep
documents as `runwrap sweep show` reads them (runwrap.sweeps.report: no search library)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.store.documents import read_json
from runwrap.store.sweeps import SWEEP_JSON, sweeps_root


def sweep_ids(root: Path) -> List[str]:
    """The ids of the store's sweeps (the folders that hold a sweep.json)."""
    base = sweeps_root(root)
    try:
        names = os.listdir(base)
    except OSError:
        return []
    return [n for n in names if not n.startswith(".") and os.path.isfile(base / n / SWEEP_JSON)]


def sweep_metric(root: Path, sweep_id: str) -> Optional[str]:
    """The name of the metric sweep `sweep_id` optimises, or None."""
    doc = read_json(sweeps_root(root) / sweep_id / SWEEP_JSON)
    config = doc.get("config") if isinstance(doc, dict) else None
    metric = config.get("metric") if isinstance(config, dict) else None
    name = metric.get("name") if isinstance(metric, dict) else None
    return name if isinstance(name, str) else None


def sweep_page(root: Path, sweep_id: str) -> Optional[Dict[str, Any]]:
    """What the sweep page shows: the sweep's name, method, metric (name, goal), state, its
    trials best first (number, run key, parameters, state, value) and, per parameter, how it
    relates to the metric. None when the store has no such sweep."""
    from runwrap.sweeps.report import build_report, flat_params  # start-up: only this page needs it

    if sweep_id not in sweep_ids(root):
        return None
    try:
        report = build_report(root, sweep_id)
    except UsageError:
        return None
    doc = report.doc
    trials = []
    for t in report.trials:
        project = t.get("project") or doc.get("project")
        run_id = t.get("run_id")
        trials.append({"number": t.get("number"), "run": f"{project}/{run_id}" if run_id else None,
                       "params": flat_params(t.get("params")), "state": t.get("state"),
                       "value": t.get("value"), "reason": t.get("reason")})
    config = doc.get("config") or {}
    return {"id": doc.get("id"), "name": doc.get("name"), "project": doc.get("project"),
            "method": config.get("method"), "metric": report.metric or {}, "state": report.state,
            "created": doc.get("created"), "trials": trials, "parameters": report.relations}
