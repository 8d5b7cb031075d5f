"""What every collector shares: the interface, the context it runs in, and warn-once."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from runwrap.notices import warn_once  # noqa: F401  (collectors import it from here)
from runwrap.store.clock import RunClock
from runwrap.store.streams import MAX_KEYS, KeyLimit


class CollectorContext:
    """What a collector may know about the run it records into. (Plain classes here and in
    wrap/: `dataclasses` imports `inspect`, which every start-up would pay for.)"""

    def __init__(self, run_dir: Path, start_time: float, cwd: Path, store_root: Path,
                 child_pid: Optional[int] = None, part: Optional[str] = None,
                 host_part: Optional[str] = None, samples_host: bool = True,
                 reads_files: bool = True, clock: Optional[RunClock] = None):
        self.run_dir = run_dir  # the run directory (streams go to run_dir/streams)
        self.start_time = start_time  # unix time the run started
        # `_runtime` of a record read now: monotonic, unlike `_time` (store/clock.py)
        self.clock = clock or RunClock(start_time)
        self.cwd = cwd  # the child's working directory
        self.store_root = store_root  # root of the run store (never watched for event files)
        self.child_pid = child_pid  # the wrapped child's pid, when there is one
        # A task of a launcher job (store/parts.py): its streams are `<source>.<part>.jsonl`,
        # the system sampler's `system.<host_part>.jsonl`; one task per host samples the
        # system, and one per job follows files (metrics files, TensorBoard, wandb), which
        # every task would otherwise import once each from the shared filesystem.
        self.part = part
        self.host_part = host_part
        self.samples_host = samples_host
        self.reads_files = reads_files

    def __repr__(self) -> str:
        return f"CollectorContext(run_dir={str(self.run_dir)!r}, child_pid={self.child_pid})"


class Collector:
    """Base class; subclasses override start/stop and count into `skipped`."""

    def __init__(self, context: CollectorContext):
        self.context = context
        self.skipped: Dict[str, int] = {}
        self._key_limit = KeyLimit()

    def admit(self, values: Dict[str, Any]) -> bool:
        """Keep a record's values to the names this source may have (MAX_KEYS): the rest is
        counted (`names_past_limit`) and said once. False when nothing is left to record."""
        late = self._key_limit.admit(values)
        if late:
            self.count("names_past_limit", late)
            warn_once(f"names-{type(self).__name__}",
                      f"{self.what} created more than {MAX_KEYS:,} distinct metric names; "
                      f"values under further new names are not recorded (counted in run.json "
                      f"as names_past_limit)")
        return any(k[:1] != "_" for k in values)

    @property
    def what(self) -> str:
        """How the warning names this source."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.context!r})"

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def problems(self) -> Dict[str, int]:
        """Counts of skipped items by kind (`bad_line`, `crc`, ...), for run.json."""
        return dict(self.skipped)

    def count(self, kind: str, n: int = 1) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + n
