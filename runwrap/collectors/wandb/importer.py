"""`runwrap import-wandb`: wandb run folders already on disk (`wandb/offline-run-*`, or the
`run-*` folders online runs leave) become runwrap runs, read from their transaction logs with
the same recorder the live collector uses. `runwrap sync` then sends them to MLflow.

Each wandb run id becomes one runwrap run with that id, in the wandb run's project (or the one
given). A wandb run that was resumed left one folder per session with the same id: they are
read in order into the same run, so its series continue. Importing again skips the runs that
are already in the store.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.collectors.wandb import decoding
from runwrap.collectors.wandb.framing import LogReader
from runwrap.collectors.wandb.reader import SOURCE, LogFile, WandbRecorder, run_id_of
from runwrap.collectors.wandb.collector import FOLDER_NAMES, is_log_file
from runwrap.errors import UsageError
from runwrap.store import documents
from runwrap.store.create import create_run
from runwrap.store.layout import RUN_JSON, SUMMARY_JSON, SUMMARY_USER_JSON, run_dir
from runwrap.store.summary import SummaryBuilder

__all__ = ["find_logs", "import_run", "ImportedRun"]


class ImportedRun:
    """What importing one wandb run did."""

    def __init__(self, run_id: str, project: str, directory: Path, logs: List[str],
                 already: bool = False):
        self.run_id = run_id
        self.project = project
        self.dir = directory
        self.logs = logs
        self.already = already  # in the store before: nothing was written
        self.rows = 0
        self.status = ""
        self.skipped: Dict[str, int] = {}

    def as_dict(self) -> Dict[str, Any]:
        return {"id": self.run_id, "project": self.project, "dir": str(self.dir),
                "logs": self.logs, "already_imported": self.already, "rows": self.rows,
                "status": self.status, "skipped": self.skipped}


def _logs_in(folder: str) -> List[str]:
    try:
        return sorted(os.path.join(folder, n) for n in os.listdir(folder) if is_log_file(n))
    except OSError:
        return []


def find_logs(paths: List[str]) -> Dict[str, List[str]]:
    """wandb run id -> its log files in time order, from paths that are `.wandb` files, run
    folders, or folders holding run folders (a `wandb/` folder, or the folder above it)."""
    found: Dict[str, List[str]] = {}
    for given in paths:
        path = os.path.abspath(os.path.expanduser(given))
        if os.path.isfile(path):
            if not is_log_file(os.path.basename(path)):
                raise UsageError(f"{given} is not a wandb run log (run-<id>.wandb); give the "
                                 "file, its run folder, or the wandb/ folder holding runs")
            logs = [path]
        elif os.path.isdir(path):
            logs = _logs_in(path)
            if not logs:
                folders = [path] + [os.path.join(path, n) for n in FOLDER_NAMES]
                for folder in folders:
                    try:
                        names = sorted(os.listdir(folder))
                    except OSError:
                        continue
                    for name in names:
                        if "run-" in name:
                            logs.extend(_logs_in(os.path.join(folder, name)))
        else:
            raise UsageError(f"{given} does not exist; give a wandb run folder "
                             "(wandb/offline-run-*) or the wandb/ folder holding them")
        if not logs:
            raise UsageError(f"no wandb run logs (run-<id>.wandb) in {given}; give a wandb "
                             "run folder (wandb/offline-run-*) or the wandb/ folder holding them")
        for log in logs:
            log = os.path.realpath(log)  # wandb/latest-run is a link to a run folder
            entries = found.setdefault(run_id_of(log), [])
            if log not in entries:
                entries.append(log)
    for logs in found.values():
        # Folder names start with the session's start time (offline-run-YYYYMMDD_HHMMSS-id).
        logs.sort(key=lambda p: os.path.basename(os.path.dirname(p)).split("run-", 1)[-1])
    return found


def _first_run_record(path: str) -> Optional[decoding.RunStart]:
    """The run record near the start of a log: who the run is, when it started."""
    for i, message in enumerate(LogReader(path).read()):
        try:
            item = decoding.decode(message)
        except decoding.DecodeError:
            continue
        if isinstance(item, decoding.RunStart):
            return item
        if i > 100:
            break
    return None


def import_run(root: Path, run_id: str, logs: List[str],
               project: Optional[str] = None) -> ImportedRun:
    """Make one runwrap run of the wandb run `run_id` from its `logs` (see find_logs)."""
    first = _first_run_record(logs[0])
    chosen = project or (first.project if first and first.project else None) or "uncategorized"
    existing = run_dir(root, chosen, run_id)
    if existing.exists():
        return ImportedRun(run_id, chosen, existing, logs, already=True)
    start = first.start_time if first and first.start_time else os.stat(logs[0]).st_mtime
    meta: Dict[str, Any] = {
        "name": (first.name if first else "") or run_id,
        "entity": (first.entity if first else "") or None,
        "notes": (first.notes if first else "") or None,
        "tags": list(first.tags) if first else [],
        "group": (first.group if first else "") or None,
        "job_type": (first.job_type if first else "") or None,
        "mode": "offline", "command": None, "start_time": start,
        "imported_from": {"tool": "wandb", "logs": logs},
    }
    if first and first.host:
        meta["host"] = first.host
    path = create_run(root, chosen, run_id, meta, owner_kind="import")
    result = ImportedRun(run_id, chosen, path, logs)

    def count(kind: str, n: int = 1) -> None:
        result.skipped[kind] = result.skipped.get(kind, 0) + n

    summary = SummaryBuilder()
    recorder = WandbRecorder(path, start, count,
                             on_rows=lambda rows: summary.add_many(SOURCE, rows))
    for log in logs:
        recorder.read(LogFile(log), final=True)
    recorder.close()
    user = documents.read_json(path / SUMMARY_USER_JSON, {}) or {}
    documents.write_json(path / SUMMARY_JSON, summary.result(user))
    result.rows = recorder.rows
    exit_code = recorder.exit_code
    result.status = "finished" if exit_code == 0 else "failed"
    end = recorder.last_time or start

    def finish(doc: dict) -> None:
        doc.update({"status": result.status, "exit_code": exit_code, "signal": None,
                    "end_time": end, "duration": round(end - start, 3),
                    "imported_at": time.time()})
        if exit_code is None:
            doc["error"] = "the wandb log has no exit record (the program did not finish)"
        if result.skipped:
            doc["skipped"] = {"WandbImport": dict(result.skipped)}

    documents.update_json(path / RUN_JSON, finish)
    return result
