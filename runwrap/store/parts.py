"""Parts: one run made of the tasks of a launcher's job (SLURM, MPI, torchrun).

Every task joins the same run directory as a part and owns its own files there, so each file
keeps exactly one writer even across hosts on NFS or Lustre, where O_APPEND and flock between
machines cannot be trusted:

    parts/<part>.json               the part's record: host, rank, pid, start/end, exit, signal,
                                    status, `first` (it created the run), config it differs in
                                    (replaced atomically by that part's wrapper and program)
    output.<part>.log               its console
    streams/<source>.<part>.jsonl   its streams (stdout, sdk, ...); system.<host>.jsonl once
                                    per host

run.json and config.yaml are written once, by the task that created the run (the first), and
then never by the others: a later task whose config differs records the difference in its own
part record. The run's status, exit code and end are not written anywhere: readers combine them
from the parts (`combine`), the way `crashed` is derived from a dead owner.

Joining is atomic without locks: the first task builds the whole run directory, its own part
record included, in a hidden folder and renames it into place (store/create.py); the others
see RunExists and claim their part with link(2), which fails if the name is taken, so a part
record is never seen half-written and never claimed twice. A part name that is already taken
means this id was used by an earlier launch (a reused Open MPI job id, a torchrun --rdzv-id
given again): the task moves on to `<id>.2`, `<id>.3`... where every task of the same launch
arrives by the same rule.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.store.create import RunExists, create_run
from runwrap.store.documents import read_json, write_json
from runwrap.store.layout import PARTS_DIR, RUN_JSON, run_dir
from runwrap.store.owner import effective_status

MAX_GENERATIONS = 1000


class Joined:
    """Where this task's part landed: the run directory, its id, and whether it created it."""

    __slots__ = ("dir", "run_id", "part", "created")

    def __init__(self, dir: Path, run_id: str, part: str, created: bool):
        self.dir, self.run_id, self.part, self.created = dir, run_id, part, created

    @property
    def record(self) -> Path:
        return part_record(self.dir, self.part)


def part_record(run_path: Path, part: str) -> Path:
    return Path(run_path) / PARTS_DIR / f"{part}.json"


def _claim(run_path: Path, part: str, record: Dict[str, Any]) -> bool:
    """Create parts/<part>.json with its whole content, unless the name is taken."""
    folder = run_path / PARTS_DIR
    folder.mkdir(exist_ok=True)
    tmp = folder / f".{part}.{os.uname().nodename}.{os.getpid()}.tmp"
    write_json(tmp, record)
    try:
        os.link(tmp, folder / f"{part}.json")  # atomic create-if-absent, NFS included
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def create_or_join(root: Path, project: str, run_id: str, meta: Dict[str, Any],
                   part: str, record: Dict[str, Any],
                   prepare: Optional[Callable[[Path], None]] = None) -> Joined:
    """Create the job's run with this task as its first part, or join it as part `part`.

    `meta` is run.json's content if this task creates the run (it must hold a `job` mapping),
    `record` this part's record; `prepare(folder)` writes the other documents the creator
    writes with the run (config.yaml). Raises UsageError when the id names a run that is not a
    job's."""
    for generation in range(1, MAX_GENERATIONS + 1):
        rid = run_id if generation == 1 else f"{run_id}.{generation}"

        def first(folder: Path) -> None:
            (folder / PARTS_DIR).mkdir()
            write_json(part_record(folder, part), dict(record, first=True))
            if prepare is not None:
                prepare(folder)

        try:
            path = create_run(root, project, rid, dict(meta, id=rid), owner_kind="wrapper",
                              prepare=first)
            return Joined(path, rid, part, created=True)
        except RunExists:
            pass
        path = run_dir(root, project, rid)
        existing = read_json(path / RUN_JSON)
        if not isinstance(existing, dict) or not isinstance(existing.get("job"), dict):
            raise UsageError(f"run id {rid!r} already exists in project {project!r} and is not a "
                             f"launcher job's run; give the tasks another --id, or --no-job")
        try:
            if _claim(path, part, dict(record, first=False)):
                return Joined(path, rid, part, created=False)
        except OSError as e:
            raise UsageError(f"cannot join run {project}/{rid} as part {part}: {e.strerror}; "
                             f"check that {path} is writable") from None
    raise UsageError(f"run id {run_id!r} and {MAX_GENERATIONS} successors all have a part "
                     f"{part!r}; give the tasks another --id")


def read_parts(run_path: Path) -> List[Dict[str, Any]]:
    """The parts' records, by rank (then name); unreadable ones are left out."""
    folder = Path(run_path) / PARTS_DIR
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith(".")]
    except OSError:
        return []
    parts = []
    for name in names:
        doc = read_json(folder / name)
        if isinstance(doc, dict):
            doc.setdefault("part", name[:-len(".json")])
            doc["recorded_status"] = doc.get("status")
            doc["status"] = effective_status(doc)
            parts.append(doc)

    def order(doc: Dict[str, Any]) -> tuple:
        rank = doc.get("rank")
        return (rank if isinstance(rank, int) else float("inf"), str(doc["part"]))
    parts.sort(key=order)
    return parts


def _when(doc: Dict[str, Any]) -> float:
    end = doc.get("end_time")
    return end if isinstance(end, (int, float)) else float("inf")


def combine(parts: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The run's status and end from its parts' (each already through effective_status):
    running while any part runs; else failed, with the first failing part's exit code, if any
    failed; else killed if any was killed; else crashed if any part's owner died without
    finishing; else finished. Returns status, exit_code, signal, end_time."""
    if not parts:
        return {"status": "running", "exit_code": None, "signal": None, "end_time": None}
    by_status: Dict[str, List[Dict[str, Any]]] = {}
    for doc in parts:
        by_status.setdefault(doc["status"], []).append(doc)
    ends = [_when(d) for d in parts]
    end = max(ends) if all(e != float("inf") for e in ends) else None
    for status in ("running", "failed", "killed", "crashed"):
        if status in by_status:
            first = min(by_status[status], key=_when)
            done = status != "running"
            return {"status": status, "exit_code": first.get("exit_code") if done else None,
                    "signal": first.get("signal") if done else None,
                    "end_time": end if done else None}
    return {"status": "finished", "exit_code": 0, "signal": None, "end_time": end}


def job_view(run_path: Path, meta: Dict[str, Any]) -> Dict[str, Any]:
    """run.json of a job's run with the run-level facts its parts decide filled in: status,
    exit code, signal, end time, duration, and the parts themselves (`parts`)."""
    parts = read_parts(run_path)
    view = dict(meta)
    view.update(combine(parts))
    # As written, before asking whether running parts' owners live (what the listing index
    # keeps: liveness is the reader's to judge, and another host's reader judges otherwise).
    written = [dict(p, status=p.get("recorded_status") or p["status"]) for p in parts]
    view["recorded_status"] = combine(written)["status"]
    start, end = view.get("start_time"), view.get("end_time")
    view["duration"] = (round(end - start, 3) if isinstance(start, (int, float))
                        and isinstance(end, (int, float)) else None)
    view["parts"] = parts
    view.pop("owner", None)  # the creator's wrapper ending says nothing about the others
    return view
