"""Runs as readers see them: load run.json, tell a crashed run from a running one, list, find.

A run's status is what its owner last wrote (`running`, `finished`, `failed`, `killed`), except
that a run still marked `running` whose owner process is gone is `crashed`: a reader works that
out from the recorded host, pid and the pid's start time, so a SIGKILL of the owner is visible
without anybody repairing run.json.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Union

from runwrap import env
from runwrap.errors import UsageError
from runwrap.store.documents import read_json
from runwrap.store.layout import LATEST, RUN_JSON


def process_start_ticks(pid: int) -> Optional[int]:
    """The start time of `pid` in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(b")") + 2:].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def process_alive(pid: int, start_ticks: Optional[int] = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    if start_ticks is not None:
        now = process_start_ticks(pid)
        if now is not None and now != start_ticks:
            return False
    return True


def hostname() -> str:
    """This machine's name (gethostname(2), as hostname(), without importing socket), or
    RUNWRAP_HOST: tests simulate the nodes of a cluster job on one machine with it."""
    return os.environ.get(env.HOST) or os.uname().nodename


def owner_identity() -> Dict[str, Any]:
    """What a run records about its owner so readers can later tell whether it is still alive."""
    pid = os.getpid()
    return {"host": hostname(), "pid": pid, "pid_start": process_start_ticks(pid)}


def effective_status(meta: Dict[str, Any]) -> str:
    status = meta.get("status", "crashed")
    if status != "running":
        return status
    owner = meta.get("owner") or {}
    pid = owner.get("pid")
    if not isinstance(pid, int) or owner.get("host") != hostname():
        return status  # another machine's run: we cannot tell, trust the document
    return status if process_alive(pid, owner.get("pid_start")) else "crashed"


class RunInfo:
    """A run directory and its run.json (a plain class: `dataclasses` costs init() time)."""

    __slots__ = ("path", "meta", "_dir")

    def __init__(self, dir: Union[str, Path], meta: Dict[str, Any]):
        self.path = str(dir)  # the directory as a string; `dir` makes the Path when asked
        self.meta = meta
        self._dir: Optional[Path] = dir if isinstance(dir, Path) else None

    @property
    def dir(self) -> Path:
        # Built on first use: a listing of 10,000 runs spent more in pathlib than in reading.
        if self._dir is None:
            self._dir = Path(self.path)
        return self._dir

    def __repr__(self) -> str:
        return f"RunInfo({self.path!r})"

    @property
    def id(self) -> str:
        return self.meta.get("id") or os.path.basename(self.path)

    @property
    def name(self) -> str:
        return self.meta.get("name") or ""

    @property
    def project(self) -> str:
        return self.meta.get("project") or os.path.basename(os.path.dirname(self.path))

    @property
    def status(self) -> str:
        return effective_status(self.meta)

    @property
    def recorded_status(self) -> str:
        """The status as written, before asking whether a `running` owner is still alive."""
        status = self.meta.get("recorded_status" if self.is_job else "status")
        return status if isinstance(status, str) else "crashed"

    @property
    def is_job(self) -> bool:
        """Whether this run is one launcher job's, made of parts (one per task)."""
        return isinstance(self.meta.get("job"), dict)

    @property
    def start_time(self) -> float:
        value = self.meta.get("start_time")
        return value if isinstance(value, (int, float)) else 0.0

    @property
    def tags(self) -> List[str]:
        return list(self.meta.get("tags") or [])


def load_run(run_dir: Union[str, Path]) -> Optional[RunInfo]:
    meta = read_json(os.path.join(run_dir, RUN_JSON))
    return _run_info(run_dir, meta) if isinstance(meta, dict) else None


def _run_info(run_dir: Union[str, Path], meta: Dict[str, Any]) -> RunInfo:
    """A RunInfo; a launcher job's run gets the status and end its parts decide (parts.py)."""
    if isinstance(meta.get("job"), dict):
        from runwrap.store.parts import job_view

        meta = job_view(Path(run_dir), meta)
    return RunInfo(run_dir, meta)


def list_runs(root: Path, project: Optional[str] = None) -> List[RunInfo]:
    """Every readable run in the store (`<root>/<project>/<id>/run.json`), newest first."""
    runs = list(_scan_runs(str(root), project))
    runs.sort(key=lambda r: r.start_time, reverse=True)
    return runs


def _scan_runs(root: str, project: Optional[str]) -> Iterator[RunInfo]:
    """The run directories and their run.json, with plain strings: `ls` of 10,000 runs spent
    more time in pathlib than in reading the files."""
    try:
        projects = [project] if project else sorted(os.listdir(root))
    except (FileNotFoundError, NotADirectoryError):
        return
    for proj in projects:
        if proj.startswith(".") or proj == LATEST:
            continue
        pdir = os.path.join(root, proj)
        try:
            entries = os.listdir(pdir)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in entries:
            if name.startswith("."):
                continue
            try:
                with open(os.path.join(pdir, name, RUN_JSON), "rb") as f:
                    meta = json.loads(f.read())
            except (OSError, ValueError, RecursionError):
                continue
            if isinstance(meta, dict):
                yield _run_info(os.path.join(pdir, name), meta)


def _find_by_directory(root: Path, ref: str, project: Optional[str]) -> Optional[RunInfo]:
    """The run whose directory name (its id) is `ref` or the only one starting with `ref`,
    found from directory listings alone; None when that takes reading run.json files (names,
    ambiguity), which find_run then does. Keeps `runwrap show ID` fast in a store of 10,000 runs."""
    exact: List[Path] = []
    prefixed: List[Path] = []
    try:
        projects = [project] if project else os.listdir(root)
    except OSError:
        return None
    for proj in projects:
        if proj.startswith(".") or proj == LATEST:
            continue
        try:
            names = os.listdir(root / proj)
        except OSError:
            continue
        for name in names:
            if name.startswith(ref) and not name.startswith("."):
                (exact if name == ref else prefixed).append(root / proj / name)
    chosen = exact if exact else prefixed
    run = load_run(chosen[0]) if len(chosen) == 1 else None
    return run if run is not None and run.id.startswith(ref) else None


def find_run(root: Path, ref: str, project: Optional[str] = None) -> RunInfo:
    """The run that `ref` names: `latest`, an id, a unique id prefix, or a name.

    Raises UsageError naming the candidates when `ref` is unknown or ambiguous."""
    if ref == LATEST:
        link = root / LATEST
        run = load_run(link.resolve()) if link.exists() and not project else None
        if run is None:
            runs = list_runs(root, project)
            if not runs:
                raise UsageError(f"no runs in store {root}; start one with `runwrap COMMAND`")
            run = runs[0]
        return run
    fast = _find_by_directory(root, ref, project)
    if fast is not None:
        return fast
    # The listing index knows every run's id and name: only the run.json files of candidates
    # (and of runs whose name it could not keep) are read, not the whole store's.
    from runwrap.store.index import entries, lookup

    indexed = lookup(str(root), project, lambda run_id, name: run_id.startswith(ref) or name == ref)
    runs = [r for r in (load_run(e.path) for e in indexed) if r is not None]
    for matcher in (lambda r: r.id == ref, lambda r: r.id.startswith(ref), lambda r: r.name == ref):
        found = [r for r in runs if matcher(r)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(f"{r.project}/{r.id} ({r.name})" for r in found[:10])
            raise UsageError(f"run {ref!r} is ambiguous: {names}; give more of the id or --project")
    recent = [load_run(e.path) for e, _ in zip(entries(str(root), project, write=False),
                                                range(5))]
    near = ", ".join(f"{r.id} ({r.name})" for r in recent if r is not None)
    hint = f"; recent runs: {near}" if near else f"; the store {root} has no runs"
    raise UsageError(f"no run {ref!r} in {root}{hint}")
