"""Sweeps in the store: where a sweep's definition, its state and its trials' records live.

A sweep is a run producer (DESIGN.md): each trial is an ordinary run whose `group` is the sweep's
id and whose config holds the trial's parameters. What the sweep adds lives beside the projects:

    <root>/.sweeps/<sweep-id>/
        sweep.json          the definition, written once when the sweep is created (atomic):
                            {"id", "project", "name", "description", "created" (unix seconds),
                             "config" (the wandb sweep configuration as given, defaults filled
                             in: method, metric {name, goal}, parameters, ...),
                             "storage" (null: journal.log below; else the database URL without
                             its password), "seed" (int or null), "grid_size" (int or null)}
        state.json          {"state": "running" | "stopped", "time": unix seconds}; replaced
                            atomically by `runwrap sweep stop|resume` (absent: running)
        journal.log         the search's own memory: an Optuna journal (JSON lines, appended by
                            every agent under Optuna's file lock); absent when `storage` names
                            a database. Only the search reads it.
        trials/<n>.json     one document per trial, written by the agent that runs it (atomic;
                            after that agent died, by the agent that found it dead):
                            {"number": n, "project", "run_id" (the trial's run:
                             <root>/<project>/<run_id>), "params" (nested, as in the run's
                             config), "state": "running" | "finished" | "failed" | "killed" |
                             "stopped" (early-terminated) | "crashed" (its agent died),
                             "value" (the metric's final value, or null), "iteration" (values
                             of the metric seen), "start_time", "end_time", "reason" (why it
                             stopped or failed, or null), "retry_of" (the crashed trial whose
                             point it runs again, or null), "agent": {"host", "pid",
                             "pid_start"}, "heartbeat" (unix seconds, refreshed while running)}
        trials/<n>.args.json    the trial's parameters as one JSON object (${args_json_file});
                            not fsynced: its trial's document holds the same parameters

Readers (the dashboard, `runwrap sweep show`) need only these documents and the trials' runs;
none of them needs the search library. Every document is whole JSON (written atomically).
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.store import documents

SWEEPS_DIR = ".sweeps"
SWEEP_JSON = "sweep.json"
STATE_JSON = "state.json"
JOURNAL = "journal.log"
TRIALS_DIR = "trials"
TRIAL_STATES = ("running", "finished", "failed", "killed", "stopped", "crashed")


def sweeps_root(root: Path) -> Path:
    return Path(root) / SWEEPS_DIR


def sweep_dir(root: Path, sweep_id: str) -> Path:
    return sweeps_root(root) / sweep_id


def trial_doc(sweep: Path, number: int) -> Path:
    return sweep / TRIALS_DIR / f"{number}.json"


def args_json_file(sweep: Path, number: int) -> Path:
    return sweep / TRIALS_DIR / f"{number}.args.json"


def create_sweep_dir(root: Path, sweep_id: str, doc: Dict[str, Any]) -> Path:
    """Make the sweep's directory with its sweep.json; the id must be new."""
    path = sweep_dir(root, sweep_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(path)
        (path / TRIALS_DIR).mkdir()
    except FileExistsError:
        raise UsageError(f"sweep {sweep_id!r} already exists in {root}; choose another id")
    except OSError as e:
        raise UsageError(f"cannot create the sweep directory {path}: {e.strerror}; choose a "
                         f"writable --dir (or RUNWRAP_DIR)") from None
    documents.write_json(path / SWEEP_JSON, doc)
    return path


def find_sweep(root: Path, ref: str) -> Path:
    """The directory of sweep `ref`: its id, or `project/id`, or `entity/project/id` (wandb's
    spelling; only the last part names the sweep), or `latest` (the sweep created last).
    UsageError when there is none."""
    sweep_id = ref.strip().rstrip("/").split("/")[-1]
    if sweep_id == "latest" and not (sweep_dir(root, sweep_id) / SWEEP_JSON).is_file():
        newest = list_sweeps(root)
        if newest:
            return sweep_dir(root, newest[0]["id"])
    path = sweep_dir(root, sweep_id)
    if sweep_id and (path / SWEEP_JSON).is_file():
        return path
    known = list_sweeps(root)
    hint = (f"; sweeps here: {', '.join(s['id'] for s in known[:5])}" if known
            else "; create one with `runwrap sweep CONFIG.yaml`")
    raise UsageError(f"no sweep {ref!r} under {root}{hint}")


def read_sweep(path: Path) -> Dict[str, Any]:
    doc = documents.read_json(path / SWEEP_JSON)
    if not isinstance(doc, dict):
        raise UsageError(f"{path / SWEEP_JSON} is missing or unreadable; the sweep cannot be "
                         f"used (create a new one)")
    return doc


def list_sweeps(root: Path) -> List[Dict[str, Any]]:
    """Every sweep's sweep.json, newest first."""
    out = []
    base = sweeps_root(root)
    try:
        names = os.listdir(base)
    except OSError:
        return []
    for name in names:
        doc = documents.read_json(base / name / SWEEP_JSON)
        if isinstance(doc, dict):
            out.append(doc)
    return sorted(out, key=lambda d: d.get("created") or 0, reverse=True)


def sweep_state(path: Path) -> str:
    doc = documents.read_json(path / STATE_JSON, {}) or {}
    return doc.get("state") or "running"


def set_sweep_state(path: Path, state: str) -> None:
    documents.write_json(path / STATE_JSON, {"state": state, "time": time.time()})


def read_trials(path: Path) -> List[Dict[str, Any]]:
    """Every trial document of the sweep, by number."""
    out = []
    try:
        names = os.listdir(path / TRIALS_DIR)
    except OSError:
        return []
    for name in names:
        if name.endswith(".json") and name[:-5].isdigit():
            doc = documents.read_json(path / TRIALS_DIR / name)
            if isinstance(doc, dict):
                out.append(doc)
    return sorted(out, key=lambda d: d.get("number", 0))


def write_trial(path: Path, doc: Dict[str, Any], durable: bool = True) -> None:
    """`durable=False` for a running trial's document: lost in a power cut, it is rebuilt
    as what its agent's death makes it anyway (a trial the search holds as running with no
    document is found crashed); an ended trial's document is written durable."""
    documents.write_json(trial_doc(path, int(doc["number"])), doc, durable)


def read_trial(path: Path, number: int) -> Optional[Dict[str, Any]]:
    doc = documents.read_json(trial_doc(path, number))
    return doc if isinstance(doc, dict) else None
