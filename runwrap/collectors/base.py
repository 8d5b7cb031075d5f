"""What every collector shares: the interface, the context it runs in, and warn-once."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

from runwrap.notices import warn_once  # noqa: F401  (collectors import it from here)


@dataclass
class CollectorContext:
    """What a collector may know about the run it records into."""

    run_dir: Path  # the run directory (streams go to run_dir/streams)
    start_time: float  # unix time the run started; `_runtime` = _time - start_time
    cwd: Path  # the child's working directory
    store_root: Path  # root of the run store (never watched for TensorBoard files)
    child_pid: Optional[int] = None  # the wrapped child's pid, when there is one


@dataclass
class Collector:
    """Base class; subclasses override start/stop and count into `skipped`."""

    context: CollectorContext
    skipped: Dict[str, int] = field(default_factory=dict)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def problems(self) -> Dict[str, int]:
        """Counts of skipped items by kind (`bad_line`, `crc`, ...), for run.json."""
        return dict(self.skipped)

    def count(self, kind: str, n: int = 1) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + n
