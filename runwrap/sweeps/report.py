"""What `runwrap sweep show` says: the trials ranked by the metric, the best configuration, and
how each parameter relates to the metric. Reads the store only (no Optuna)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.store import documents
from runwrap.store import sweeps as store
from runwrap.store.layout import RUN_JSON, run_dir
from runwrap.store.owner import effective_status


class SweepReport:
    def __init__(self, doc: Dict[str, Any], state: str, trials: List[Dict[str, Any]],
                 relations: List[Dict[str, Any]]):
        self.doc = doc
        self.state = state  # running | stopped | finished (derived: see sweep_status)
        self.trials = trials  # ranked: best first, trials without a value last
        self.relations = relations  # per parameter: correlation with the metric

    @property
    def metric(self) -> Optional[Dict[str, Any]]:
        return self.doc["config"].get("metric")

    @property
    def best(self) -> Optional[Dict[str, Any]]:
        return self.trials[0] if self.trials and self.trials[0].get("value") is not None \
            else None

    def as_json(self) -> Dict[str, Any]:
        return {"sweep": self.doc, "state": self.state, "trials": self.trials,
                "best": self.best, "parameters": self.relations}


def build_report(root: Path, ref: str) -> SweepReport:
    path = store.find_sweep(root, ref)
    doc = store.read_sweep(path)
    trials = store.read_trials(path)
    for t in trials:
        if t.get("state") == "running":
            # The agent's process may be gone: the trial's run says so (crashed).
            meta = documents.read_json(run_dir(root, t.get("project") or doc["project"],
                                               t.get("run_id") or "") / RUN_JSON)
            if isinstance(meta, dict) and effective_status(meta) == "crashed":
                t["state"] = "crashed"
    metric = doc["config"].get("metric") or {}
    sign = -1.0 if metric.get("goal") == "maximize" else 1.0

    def key(t: Dict[str, Any]) -> tuple:
        v = t.get("value")
        return (0, sign * v, t["number"]) if _number(v) else (1, 0.0, t["number"])

    ranked = sorted(trials, key=key)
    return SweepReport(doc, sweep_status(store.sweep_state(path), doc, trials), ranked,
                       relations(ranked))


def sweep_status(stored: str, doc: Dict[str, Any], trials: List[Dict[str, Any]]) -> str:
    """What a reader calls the sweep: `stopped` as stored, `finished` once no trial runs and
    its search has nothing left (every grid point ended without crashing, or run_cap trials
    ran), else `running`. Derived on each read, never stored."""
    if stored != "running" or not trials or any(t.get("state") == "running" for t in trials):
        return stored
    ended = [t for t in trials if t.get("state") != "crashed"]  # a crashed point runs again
    grid = doc.get("grid_size")
    cap = doc["config"].get("run_cap")
    if (grid and len({_point(t) for t in ended}) >= grid) or (cap and len(trials) >= cap):
        return "finished"
    return stored


def _point(trial: Dict[str, Any]) -> str:
    import json  # start-up: loaded only on the path that needs it

    return json.dumps(trial.get("params"), sort_keys=True, default=str)


def flat_params(params: Any, prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if isinstance(params, dict):
        for k, v in params.items():
            name = f"{prefix}{k}"
            if isinstance(v, dict):
                out.update(flat_params(v, name + "."))
            else:
                out[name] = v
    return out


def relations(trials: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """For each parameter: Spearman's rank correlation with the metric (numbers), or the mean
    metric per value (anything else), over the trials with a value."""
    scored = [t for t in trials if _number(t.get("value"))]
    names: List[str] = []
    for t in scored:
        for name in flat_params(t.get("params")):
            if name not in names:
                names.append(name)
    out = []
    for name in names:
        pairs = [(flat_params(t.get("params")).get(name), t["value"]) for t in scored]
        pairs = [(x, y) for x, y in pairs if x is not None]
        if len({repr(x) for x, _ in pairs}) < 2:
            continue  # a constant says nothing about the metric
        entry: Dict[str, Any] = {"name": name, "trials": len(pairs)}
        if pairs and all(_number(x) for x, _ in pairs):
            entry["correlation"] = spearman([x for x, _ in pairs], [y for _, y in pairs])
        else:
            by_value: Dict[str, List[float]] = {}
            for x, y in pairs:
                by_value.setdefault(repr(x) if not isinstance(x, str) else x, []).append(y)
            entry["mean_by_value"] = {k: sum(v) / len(v) for k, v in by_value.items()}
        out.append(entry)
    return out


def spearman(xs: List[float], ys: List[float]) -> Optional[float]:
    if len(xs) < 3:
        return None
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    vy = math.sqrt(sum((b - my) ** 2 for b in ry))
    if vx == 0 or vy == 0:
        return None
    return round(cov / (vx * vy), 3)


def _ranks(values: List[float]) -> List[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
