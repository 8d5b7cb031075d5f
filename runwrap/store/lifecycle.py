"""A run's life in the store, decided once for the wrapper (wrap/) and for init() without one
(sdk/): the words run.json and the options use, which earlier run a new start continues, the tag
rule, and the end of a run with its final status.

`resume="auto"` has one meaning here: continue the newest run of the same program, in the same
project, on this machine, when that run did not finish (it failed, was killed or crashed); when
it finished, is still running, or there is none, start a new run. That is wandb's `auto` (its
resume file survives a run that did not exit 0). "The same program" is the script or program a
command runs (`train` for `python train.py --lr 1`), recorded as run.json's `program`; a command
without one (`python -c ...`) matches on its whole command line.
"""
from __future__ import annotations

import errno
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.store import documents
from runwrap.store.layout import RUN_JSON, STOP_JSON, SUMMARY_JSON, run_dir
from runwrap.store.owner import hostname
from runwrap.store.run_info import RunInfo, load_run
from runwrap.store.runs import list_runs

MODES = ("online", "offline", "disabled")
RESUME_VALUES = ("allow", "never", "must", "auto")
ANONYMOUS_VALUES = ("never", "allow", "must")  # wandb's order
# `stopped`: ended on a stop request from outside (a sweep's early termination, stop.json).
STATUSES = ("running", "finished", "failed", "killed", "stopped", "crashed")
ENDED = ("finished", "failed", "killed", "stopped", "crashed")  # a run in one of these will not change
NOT_FINISHED = ("failed", "killed", "crashed")  # what resume="auto" continues
MAX_TAG = 64


def check_tag(tag: Any) -> str:
    """A tag is a string of 1 to MAX_TAG characters; anything else is a UsageError."""
    if not isinstance(tag, str):
        raise UsageError(f"tag {tag!r} is not a string; tags are strings of 1 to {MAX_TAG} "
                         f"characters, e.g. tags=['baseline']")
    if not 1 <= len(tag) <= MAX_TAG:
        shown = repr(tag) if len(tag) <= MAX_TAG else f"{tag[:MAX_TAG]!r}..."
        raise UsageError(f"tag {shown} is {len(tag)} characters; tags are 1 to {MAX_TAG} "
                         f"characters, shorten it")
    return tag


def final_status(exit_code: int, signal_name: Optional[str], stopped: bool = False) -> str:
    """The one rule for how a run ended: stopped when asked to from outside (stop.json),
    else killed by a signal, else finished on exit code 0, else failed. (`crashed` is never
    written: readers derive it from a dead owner.)"""
    if stopped:
        return "stopped"
    if signal_name:
        return "killed"
    return "finished" if exit_code == 0 else "failed"


def add_skipped(doc: Dict[str, Any], source: str, counts: Dict[str, int]) -> None:
    """Add `counts` (what `source` skipped, by kind) to run.json's `skipped` in `doc`."""
    table = doc.setdefault("skipped", {}).setdefault(source, {})
    for kind, n in counts.items():
        table[kind] = int(table.get(kind) or 0) + n


def finish_run(path: Path, exit_code: int, signal_name: Optional[str],
               skipped: Optional[Dict[str, Dict[str, int]]] = None,
               error: Optional[str] = None, record: Optional[Path] = None,
               duration: Optional[float] = None) -> str:
    """Record the end of the run in `path`'s run.json: status, exit code, signal, end time and
    duration (seconds since start_time, to the millisecond); `skipped` (per collector, what it
    skipped by kind) replaces those collectors' entries, others' stay; `error` says why the
    program did not start. Returns the status. OSError (disk full, directory gone) reaches the
    caller, which warns. A task of a launcher job records its own end in its part's `record`
    instead (store/parts.py). `duration`, measured by the caller on the monotonic clock, wins
    over end minus start (which a clock stepped during the run makes wrong, even negative)."""
    stop = documents.read_json(Path(path) / STOP_JSON)
    status = final_status(exit_code, signal_name, stopped=isinstance(stop, dict))
    end = time.time()

    def finish(doc: dict) -> None:
        start = doc.get("start_time")
        took = duration
        if took is None:
            took = max(0.0, end - start) if isinstance(start, (int, float)) else 0.0
        doc.update(status=status, exit_code=exit_code, signal=signal_name, end_time=end,
                   duration=round(took, 3))
        if skipped:
            doc.setdefault("skipped", {}).update(skipped)
        if error:
            doc["error"] = error
        if isinstance(stop, dict):
            doc["stopped"] = stop

    try:
        documents.update_json(record or Path(path) / RUN_JSON, finish)
    except OSError as e:
        summary = Path(path) / SUMMARY_JSON
        if record is not None or e.errno not in (errno.ENOSPC, errno.EDQUOT) or not summary.exists():
            raise
        # A full disk: the end matters more than summary.json, which readers derive again
        # from the streams when it is missing.
        summary.unlink()
        documents.update_json(Path(path) / RUN_JSON, finish)
    return status


def request_stop(path: Path, request: Dict[str, Any]) -> None:
    """Ask the run at `path` to end `stopped` (its wrapper reads stop.json when it records the
    end); the caller then signals the wrapper, whose signal path stops the program."""
    documents.write_json(Path(path) / STOP_JSON, dict(request, time=time.time()))


class Spelling:
    """How the caller's user writes the id and resume arguments, so that a message names the
    argument the user actually typed (`--resume allow` on the command line, `resume='allow'`
    in init())."""

    def __init__(self, id_arg: str, id_word: str, resume_arg: str):
        self.id_arg = id_arg  # how to pass an id: "--id RUN_ID" / "id="
        self.id_word = id_word  # what to call it: "--id" / "id"
        self._resume = resume_arg  # a format with one {} for the value

    def resume(self, value: str) -> str:
        return self._resume.format(value)


CLI_SPELLING = Spelling("--id RUN_ID", "--id", "--resume {}")
SDK_SPELLING = Spelling("id=", "id", "resume='{}'")


def same_program(meta: Dict[str, Any], program: Optional[str], command: List[str]) -> bool:
    if program:
        return meta.get("program") == program
    return meta.get("command") == command


def find_auto_resume(root: Path, project: str, program: Optional[str],
                     command: List[str]) -> Optional[RunInfo]:
    """The run resume="auto" continues (see the module docstring), or None for a new run."""
    host = hostname()
    for run in list_runs(root, project):  # newest first
        if run.meta.get("host") == host and same_program(run.meta, program, command):
            return run if run.status in NOT_FINISHED else None
    return None


def resume_target(root: Path, project: str, run_id: Optional[str], resume: Optional[str],
                  program: Optional[str], command: List[str],
                  spelling: Spelling) -> Optional[RunInfo]:
    """The existing run a new start continues, or None to create a new run.

    `run_id` is the id the user asked for (None: none asked), `resume` one of RESUME_VALUES or
    None. Raises UsageError, naming the argument as `spelling` writes it, when the request
    cannot be met: the id exists and resuming was not allowed, `must` without a run to
    continue, or the run is still running."""
    existing = None
    if run_id is not None and (run_dir(root, project, run_id) / RUN_JSON).exists():
        existing = load_run(run_dir(root, project, run_id))
        if existing is None:
            raise UsageError(f"run {project}/{run_id} exists but its run.json is unreadable; "
                             f"choose another {spelling.id_word}")
    if resume in (None, "never"):
        if existing is not None and resume == "never":
            raise UsageError(f"run id {run_id!r} already exists in project {project!r} and "
                             f"{spelling.resume('never')}; choose another {spelling.id_word}")
        if existing is not None:
            raise UsageError(f"run id {run_id!r} already exists in project {project!r}; pass "
                             f"{spelling.resume('allow')} to continue it, or choose another "
                             f"{spelling.id_word}")
        return None
    if resume == "must":
        if run_id is None:
            raise UsageError(f"{spelling.resume('must')} needs {spelling.id_arg} naming the run "
                             f"to continue")
        if existing is None:
            raise UsageError(f"{spelling.resume('must')}: no run {run_id!r} in project "
                             f"{project!r} under {root}; check the id, project and store "
                             f"directory, or use {spelling.resume('allow')}")
    if resume == "auto" and run_id is None:
        return find_auto_resume(root, project, program, command)
    if existing is not None and existing.status == "running":
        pid = (existing.meta.get("owner") or {}).get("pid")
        raise UsageError(f"run {existing.id!r} is still running (pid {pid}); wait for it to "
                         f"end or choose another {spelling.id_word}")
    return existing

