"""init() without the wrapper: this process creates, owns and finishes the run."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.sdk.start import resume as resuming
from runwrap.sdk.start.run_files import config_saver, writer_opener
from runwrap.sdk.run.config import Config
from runwrap.sdk.run.history import History
from runwrap.sdk.start.request import Request, program_name
from runwrap.sdk.run.access import warn
from runwrap.sdk.run.run import Run, write_final_documents
from runwrap.store import documents
from runwrap.collectors.gitstate import END_WAIT, record_in_background
from runwrap.store.create import default_project
from runwrap.store.secrets import mask_argv
from runwrap.store.ids import check_path_name, generate_name, new_run_id
from runwrap.store.layout import (CONFIG_YAML, RUN_JSON,
                                  SUMMARY_USER_JSON, run_dir as run_dir_of, store_root)
from runwrap.store.lifecycle import SDK_SPELLING, resume_target
from runwrap.store.opening import open_run
from runwrap.store.run_info import RunInfo
from runwrap.store.summary import USER, SummaryBuilder, load_summary, summarize_streams
from runwrap.store.values import decode_value

SYNC_TIMEOUT = 10.0  # seconds finish() gives the upload; the rest waits for `runwrap sync`


class RunChoice:
    """Which run directory this init() writes: a new one with `run_id`, the earlier life it
    continues (`prior`, resume and resume_from), or a fork's new run copying `parent`'s history
    up to step `point`."""

    __slots__ = ("run_id", "prior", "parent", "point")

    def __init__(self, run_id: str, prior: Optional[Path] = None, parent: Optional[Path] = None,
                 point: int = 0):
        self.run_id, self.prior, self.parent, self.point = run_id, prior, parent, point


class LifeSoFar:
    """What the new life starts from: the summary statistics, the next step, and the user's
    summary assignments."""

    __slots__ = ("builder", "step", "user")

    def __init__(self, builder: SummaryBuilder, step: int, user: Dict[str, Any]):
        self.builder, self.step, self.user = builder, step, user


def create(request: Request, *, project: Any, dir: Any, id: Any, name: Any, notes: Any,
           group: Any, job_type: Any) -> Run:
    """Create (or continue, or fork) the run this process owns, in named steps."""
    r = request.resolver
    given_dir = r.get("dir", dir)
    root = store_root(None if given_dir is None else str(given_dir))
    if given_dir is None:
        r.fix("dir", str(root), "default")  # the default, or the older ./runwrap store
    program = program_name()
    command = mask_argv([sys.executable] + sys.argv)
    project = r.get("project", project, default=lambda: default_project(program=program))
    check_path_name(project, "project")
    given_id = r.get("id", id)
    if given_id is not None:
        check_path_name(given_id, "id")
    choice = _choose_run(request, root, project, given_id, program, command)
    if choice.run_id != given_id:
        r.fix("id", choice.run_id, "resumed" if choice.prior is not None else "generated")

    prior: Dict[str, Any] = {}
    if choice.prior is not None:
        prior = documents.read_json(choice.prior / RUN_JSON, {}) or {}
    ident = _identity(request, choice.run_id, project, prior, name=name, notes=notes,
                      group=group, job_type=job_type)
    meta = _run_meta(request, ident, program, command)
    items = _initial_config(request, choice)
    if request.resume_from is not None:
        meta["rewinds"] = list(prior.get("rewinds") or []) + [_rewind(choice)]

    def recheck() -> Optional[RunInfo]:
        # Another process made this id an instant ago: decide again in init()'s words, as
        # resume_target would have had the run been there when it looked.
        if given_id is None:
            return None
        return resume_target(root, project, given_id, request.resume, program, command,
                             SDK_SPELLING)

    path = open_run(root, project, choice.run_id, meta, "sdk", config=items,
                    continues=choice.prior, recheck=recheck)
    written = documents.read_json(path / RUN_JSON, {}) or {}
    # A continued run's clock (`_runtime`, run.start_time) counts from its first start.
    start_time = written.get("first_start_time") or written.get("start_time") or time.time()
    so_far = _life_so_far(path, choice, request)
    history = History(writer_opener(path, None), start_time, step=so_far.step,
                      builder=so_far.builder, warn=warn)
    if choice.parent is not None:
        _copy_parent_history(path, choice, history)

    config = Config(items, allow_val_change=request.allow_val_change or choice.prior is not None,
                    on_change=config_saver(path))
    uploader = _uploader(request, path)
    git = None if request.disable_git else record_in_background(path, Path(os.getcwd()))

    def on_finish(run: Run, code: int, signal_name: Optional[str]) -> None:
        if git is not None:
            git.join(END_WAIT)
        write_final_documents(run, code, signal_name)
        if uploader is not None:  # after the final status: the upload ends the remote run
            uploader.stop(SYNC_TIMEOUT)

    run = Run(run_dir=path, ident=ident, attached=False, history=history, config=config,
              user_summary=so_far.user, mode=request.mode, resumed=choice.prior is not None,
              start_time=start_time, on_finish=on_finish)
    run._reserve = documents.SpaceReserve(path)
    if uploader is not None:
        uploader.start()
    return run


def _identity(request: Request, run_id: str, project: str, prior: Dict[str, Any], *,
              name: Any, notes: Any, group: Any, job_type: Any) -> Dict[str, Any]:
    """The run's identity: init()'s values, else the earlier life's (resume), else defaults."""
    r = request.resolver
    tags = list(request.tags) if request.tags is not None else list(prior.get("tags") or [])
    return {"id": run_id, "project": project, "entity": request.entity,
            "name": r.get("name", name, default=lambda: prior.get("name") or generate_name()),
            "notes": r.get("notes", notes, default=prior.get("notes")), "tags": tags,
            "group": r.get("group", group, default=prior.get("group")),
            "job_type": r.get("job_type", job_type, default=prior.get("job_type"))}


def _run_meta(request: Request, ident: Dict[str, Any], program: Optional[str],
              command: List[str]) -> Dict[str, Any]:
    """run.json's fields for this life (a continued run keeps its earlier lives' others)."""
    meta: Dict[str, Any] = {k: ident[k] for k in ("name", "notes", "tags", "group", "job_type",
                                                  "entity")}
    meta.update(mode=request.mode, cwd=os.getcwd(), command=command, program=program,
                options=request.resolver.options, child_pid=None)
    if request.fork_from is not None:
        meta["fork"] = {"run_id": request.fork_from[0], "project": ident["project"],
                        "step": request.fork_from[1]}
    return meta


def _initial_config(request: Request, choice: RunChoice) -> Dict[str, Any]:
    """An earlier life's config (resume) or the parent's (fork), then init()'s on top."""
    items: Dict[str, Any] = {}
    base = choice.prior or choice.parent
    if base is not None:
        loaded = documents.read_yaml(base / CONFIG_YAML, {})
        items.update(loaded if isinstance(loaded, dict) else {})
    items.update(request.config)
    return items


def _rewind(choice: RunChoice) -> Dict[str, Any]:
    """resume_from: move the history after the point aside; the entry for run.json's rewinds."""
    assert choice.prior is not None
    archive = resuming.rewind(choice.prior, choice.point)
    return {"step": choice.point, "time": time.time(),
            "archive": str(archive.relative_to(choice.prior)) if archive else None}


def _copy_parent_history(path: Path, choice: RunChoice, history: History) -> None:
    """fork_from: the parent's history up to the point becomes the start of ours."""
    assert choice.parent is not None
    records = resuming.history_until(choice.parent, choice.point)
    history.write_records(records)
    history.builder.add_many("sdk", records)
    documents.update_json(path / RUN_JSON,
                          lambda d: d["fork"].__setitem__("records", len(records)))


def _uploader(request: Request, path: Path) -> Any:
    if request.mode != "online" or request.sync_config is None:
        return None
    from runwrap.sync import Uploader  # start-up: loaded only on the path that needs it

    return Uploader(path, request.sync_config)


def _choose_run(request: Request, root: Path, project: str, run_id: Optional[str],
                program: Optional[str], command: List[str]) -> RunChoice:
    """The run directory this init() writes (see RunChoice); UsageError when the request
    cannot be met. resume_from and fork_from are init()'s own; resume is store/lifecycle's."""
    exists = lambda rid: (run_dir_of(root, project, rid) / RUN_JSON).is_file()  # noqa: E731
    if request.resume_from is not None:
        source, point = request.resume_from
        if not exists(source):
            raise UsageError(f"resume_from: no run {source!r} in project {project!r} under "
                             f"{root}; resume_from must name a run of the same project")
        return RunChoice(source, prior=run_dir_of(root, project, source), point=point)
    if request.fork_from is not None:
        source, point = request.fork_from
        if run_id == source:
            raise UsageError(f"fork_from={source}?_step={point} with id={run_id!r}: a fork "
                             f"needs a new id; drop id= or choose another")
        if not exists(source):
            raise UsageError(f"fork_from: no run {source!r} in project {project!r} under "
                             f"{root}; fork_from must name a run of the same project")
        new_id = run_id or new_run_id()
        if exists(new_id):
            raise UsageError(f"run id {new_id!r} already exists in project {project!r}; "
                             f"choose another id for the fork")
        return RunChoice(new_id, parent=run_dir_of(root, project, source), point=point)
    earlier = resume_target(root, project, run_id, request.resume, program, command,
                            SDK_SPELLING)
    if earlier is not None:
        return RunChoice(earlier.id, prior=earlier.dir)
    return RunChoice(run_id or new_run_id())


def _life_so_far(path: Path, choice: RunChoice, request: Request) -> LifeSoFar:
    if choice.parent is not None:  # fork: the copied history is added by the caller
        return LifeSoFar(SummaryBuilder(), choice.point + 1, {})
    if choice.prior is None:
        return LifeSoFar(SummaryBuilder(), 0, {})
    user = documents.read_json(path / SUMMARY_USER_JSON, {}) or {}
    if request.resume_from is not None:
        return LifeSoFar(summarize_streams(path), choice.point + 1, user)
    summary = load_summary(path)
    summary.pop(USER, None)
    # summary.json stores NaN/Inf as strings; the builder compares numbers.
    summary = {source: {key: {k: decode_value(v) for k, v in entry.items()}
                        for key, entry in table.items() if isinstance(entry, dict)}
               for source, table in summary.items() if isinstance(table, dict)}
    return LifeSoFar(SummaryBuilder(initial=summary), resuming.last_step(path) + 1, user)
