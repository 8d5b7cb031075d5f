"""Finding and listing runs: every run of a store or a project, newest first, and the one run
a reference (`latest`, an id, an id prefix, a name) names."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator, List, Optional

from runwrap.errors import UsageError
from runwrap.store.layout import LATEST, RUN_JSON
from runwrap.store.run_info import RunInfo, make_run_info, load_run


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
                yield make_run_info(os.path.join(pdir, name), meta)


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
    from runwrap.store.index import entries, lookup  # start-up: a wrapped run never looks up

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
