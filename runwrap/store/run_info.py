"""One run as readers see it: its directory and run.json (`RunInfo`), loaded by `load_run`.

A launcher job's run (made of parts, store/parts.py) gets the status and end its parts decide.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from runwrap.store.documents import read_json
from runwrap.store.layout import RUN_JSON
from runwrap.store.owner import effective_status
from runwrap.store.parts import job_view


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
    return make_run_info(run_dir, meta) if isinstance(meta, dict) else None


def make_run_info(run_dir: Union[str, Path], meta: Dict[str, Any]) -> RunInfo:
    """A RunInfo; a launcher job's run gets the status and end its parts decide (parts.py)."""
    if isinstance(meta.get("job"), dict):
        meta = job_view(Path(run_dir), meta)
    return RunInfo(run_dir, meta)
