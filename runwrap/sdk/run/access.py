"""What other sdk modules may do to a Run beyond its wandb-shaped API: change run.json, add
work to finish(), ask how the run was started, count records another reader wrote; and the
run's warn-once. Here rather than on Run so that Run's attributes stay wandb's, and so that
modules Run calls lazily (artifacts, integrations) need not import run.py back."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List

from runwrap.notices import warn_once

if TYPE_CHECKING:
    from runwrap.sdk.run.run import Run

warn = warn_once  # one line on stderr per kind of problem, once per process


def not_recorded(what: str, error: OSError) -> None:
    """A document could not be written (disk full, run directory gone): say so once; the
    program goes on (DESIGN: recording failing never kills the program)."""
    warn(f"write {what}", f"cannot record {what}: {error.strerror or error}; the program goes on",
         error)


def update_meta(run: Run, mutate: Callable[[dict], Any]) -> None:
    """Change run.json under the run's lock (a failure warns once; the program goes on)."""
    run._update_meta(mutate)


def add_closer(run: Run, close: Callable[[], None]) -> None:
    """`close()` runs at finish(), before the final summary is written."""
    run._closers.append(close)


def is_attached(run: Run) -> bool:
    """Whether the run is the wrapper's (attached) rather than this process's own."""
    return run._attached


def is_finished(run: Run) -> bool:
    return run._finished


def add_external_records(run: Run, source: str, records: List[Dict[str, Any]]) -> None:
    """Records another reader wrote to the run's streams count in its summary."""
    run._history.add_external(source, records)
