"""Removing runs: their size on disk, which runs `gc` selects, and removal that never touches a
running run and leaves no half-deleted run visible to readers."""
from __future__ import annotations

import os
import re
import shutil
import stat
import time
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

from runwrap.errors import UsageError
from runwrap.store.layout import LATEST, point_latest
from runwrap.store.lifecycle import STATUSES
from runwrap.store.run_info import RunInfo
from runwrap.store.runs import list_runs

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 86400.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}


def run_size(path: Path) -> int:
    """Bytes the directory occupies on disk (allocated blocks, as `du` counts), links not followed."""
    total = 0
    stack = [str(path)]
    while stack:
        current = stack.pop()
        try:
            entries = os.scandir(current)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                total += st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
                if stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
    return total


def parse_age(text: str) -> float:
    """Seconds in an age like `30d`, `12h`, `90m`, `2w` or `45s` (a bare number means days)."""
    match = _AGE.match(text or "")
    if not match:
        raise UsageError(f"--older-than {text!r} is not an age; write a number and a unit "
                         f"s, m, h, d or w, like 30d or 12h")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def parse_statuses(text: str) -> List[str]:
    """`failed,crashed` as a list, each checked against the statuses runs can have."""
    statuses = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in statuses if s not in STATUSES]
    if bad or not statuses:
        raise UsageError(f"--status {text!r}: unknown status {', '.join(bad) or '(empty)'}; "
                         f"choose from {','.join(s for s in STATUSES if s != 'running')}")
    if "running" in statuses:
        raise UsageError("--status running: running runs are never removed; stop them first")
    return statuses


def run_age(run: RunInfo, now: float) -> float:
    """Seconds since the run ended (or started, when it has no end time)."""
    end = run.meta.get("end_time")
    ref = end if isinstance(end, (int, float)) else run.start_time
    return now - ref


def select_for_gc(runs: Iterable[RunInfo], older_than: Optional[float] = None,
                  statuses: Optional[Sequence[str]] = None, keep_tagged: bool = False,
                  now: Optional[float] = None) -> List[RunInfo]:
    """The runs matching every given criterion; a running run is never selected."""
    now = time.time() if now is None else now
    chosen = []
    for run in runs:
        status = run.status
        if status == "running":
            continue
        if statuses and status not in statuses:
            continue
        if older_than is not None and run_age(run, now) < older_than:
            continue
        if keep_tagged and run.tags:
            continue
        chosen.append(run)
    return chosen


def check_removable(run: RunInfo) -> None:
    if run.status == "running":
        raise UsageError(f"run {run.project}/{run.id} is running; stop it first (nothing was removed)")


def remove_run(root: Path, run: RunInfo) -> int:
    """Delete a finished run's directory and return the bytes freed.

    The directory is first renamed to a hidden name in its project folder, so listings never see
    a half-deleted run even if this process dies mid-way; then it is deleted."""
    check_removable(run)
    size = run_size(run.dir)
    hidden = run.dir.parent / f".removing-{run.dir.name}-{os.getpid()}"
    os.rename(run.dir, hidden)
    shutil.rmtree(hidden, ignore_errors=True)
    try:
        run.dir.parent.rmdir()  # the project folder, only if now empty
    except OSError:
        pass
    _repair_latest(root)
    return size


def _repair_latest(root: Path) -> None:
    """Point `latest` at the newest remaining run when the run it named is gone."""
    link = root / LATEST
    if not os.path.islink(link) or link.exists():
        return
    remaining = list_runs(root)
    if remaining:
        point_latest(root, remaining[0].dir)
    else:
        try:
            os.unlink(link)
        except OSError:
            pass
