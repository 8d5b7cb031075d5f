"""init() without the wrapper: this process creates, owns and finishes the run."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from runwrap.errors import UsageError
from runwrap.sdk import resume as resuming
from runwrap.sdk.common import config_saver, write_config, writer_opener
from runwrap.sdk.config import Config
from runwrap.sdk.history import History
from runwrap.sdk.init import Request, explicit_source, program_name
from runwrap.sdk.resolver import DEFAULT
from runwrap.sdk.run import Run, warn, write_final_documents
from runwrap.store import documents
from runwrap.store.create import create_run, default_project
from runwrap.store.secrets import mask_argv
from runwrap.store.ids import check_path_name, generate_name, new_run_id
from runwrap.store.layout import (CONFIG_YAML, DIFF_PATCH, RUN_JSON,
                                  SUMMARY_USER_JSON, run_dir as run_dir_of, store_root)
from runwrap.store.runs import effective_status
from runwrap.store.summary import USER, SummaryBuilder, load_summary, summarize_streams
from runwrap.store.values import decode_value

SYNC_TIMEOUT = 10.0  # seconds finish() gives the upload; the rest waits for `runwrap sync`

# run.json fields a resumed run takes over from its earlier life (status etc. start afresh).
CARRIED = ("name", "notes", "tags", "group", "job_type", "entity", "start_time", "metrics",
           "alerts", "fork", "rewinds", "resume_count", "git", "code")


def create(request: Request, *, project: Any, dir: Any, id: Any, name: Any, notes: Any,
           group: Any, job_type: Any) -> Run:
    r = request.resolver
    given_dir = r.get("dir", dir)
    root = store_root(None if given_dir is None else str(given_dir))
    if given_dir is None:
        r.fix("dir", str(root), "default")  # the default, or the older ./runwrap store
    program = program_name()
    project = r.get("project", project, default=lambda: default_project(program=program))
    check_path_name(project, "project")
    run_id = r.get("id", id)
    if run_id is not None:
        check_path_name(run_id, "id")
    given_id = run_id
    run_id, prior_dir, source_dir, point = _choose_run(request, root, project, run_id, program)
    if run_id != given_id:
        r.fix("id", run_id, "resumed" if prior_dir is not None else "generated")

    prior: Dict[str, Any] = {}
    if prior_dir is not None:
        prior = documents.read_json(prior_dir / RUN_JSON, {}) or {}
    name = r.get("name", name, default=lambda: prior.get("name") or generate_name())
    notes = r.get("notes", notes, default=prior.get("notes"))
    group = r.get("group", group, default=prior.get("group"))
    job_type = r.get("job_type", job_type, default=prior.get("job_type"))
    tags = list(request.tags) if request.tags is not None else list(prior.get("tags") or [])
    meta: Dict[str, Any] = {k: prior[k] for k in CARRIED if k in prior}
    meta.update(name=name, notes=notes, tags=tags, group=group, job_type=job_type,
                entity=request.entity, mode=request.mode, cwd=os.getcwd(),
                command=mask_argv([sys.executable] + sys.argv), program=program,
                options=r.options, child_pid=None)
    if prior_dir is not None:
        meta.update(resumed=True, resume_count=int(prior.get("resume_count") or 0) + 1)
    if request.fork_from is not None:
        meta["fork"] = {"run_id": request.fork_from[0], "project": project,
                        "step": request.fork_from[1]}

    # Config: an earlier life's (resume) or the parent's (fork), then init()'s on top.
    items: Dict[str, Any] = {}
    base = prior_dir or source_dir
    if base is not None:
        loaded = documents.read_yaml(base / CONFIG_YAML, {})
        items.update(loaded if isinstance(loaded, dict) else {})
    items.update(request.config)

    archive = None
    if request.resume_from is not None:
        archive = resuming.rewind(prior_dir, point)
        rewind_entry = {"step": point, "time": time.time(),
                        "archive": str(archive.relative_to(prior_dir)) if archive else None}
        meta["rewinds"] = list(prior.get("rewinds") or []) + [rewind_entry]

    path = create_run(root, project, run_id, meta, owner_kind="sdk",
                      exist_ok=prior_dir is not None)
    write_config(path, items)
    start_time = documents.read_json(path / RUN_JSON, {}).get("start_time") or time.time()

    builder, step, user = _history_state(path, prior_dir, source_dir, point, request)
    history = History(writer_opener(path, None), start_time, step=step, builder=builder, warn=warn)
    if source_dir is not None:  # fork: the parent's history up to the point, then ours
        copied = resuming.copy_history(source_dir, history._writer, point)
        builder.add_many("sdk", resuming.StreamReader(path / "streams" / "sdk.jsonl").read())
        meta_copied = copied
        documents.update_json(path / RUN_JSON, lambda d: d["fork"].__setitem__("records", meta_copied))

    ident = {"id": run_id, "project": project, "entity": request.entity, "name": name,
             "notes": notes, "tags": tags, "group": group, "job_type": job_type}
    config = Config(items, allow_val_change=request.allow_val_change or prior_dir is not None,
                    on_change=config_saver(path))
    marker = (root / project, program or "-") if request.resume == "auto" else None

    uploader = None
    if request.mode == "online" and request.sync_config is not None:
        from runwrap.sync import Uploader

        uploader = Uploader(path, request.sync_config)

    def on_finish(run: Run, code: int, signal_name: Optional[str]) -> None:
        write_final_documents(run, code, signal_name)
        if marker is not None and code == 0:
            resuming.write_auto_marker(marker[0], marker[1], None)
        if uploader is not None:  # after the final status: the upload ends the remote run
            uploader.stop(SYNC_TIMEOUT)

    run = Run(run_dir=path, ident=ident, attached=False, history=history, config=config,
              user_summary=user, mode=request.mode, resumed=prior_dir is not None,
              start_time=start_time, on_finish=on_finish)
    if marker is not None:
        resuming.write_auto_marker(marker[0], marker[1], run_id)
    if uploader is not None:
        uploader.start()
    if not request.disable_git:
        _record_git_in_background(path)
    return run


def _choose_run(request: Request, root: Path, project: str, run_id: Optional[str],
                program: Optional[str]) -> Tuple[str, Optional[Path], Optional[Path], int]:
    """(id, directory of the run to continue or None, directory of a fork's parent, step)."""
    exists = lambda rid: (run_dir_of(root, project, rid) / RUN_JSON).is_file()  # noqa: E731
    if request.resume_from is not None:
        source, point = request.resume_from
        if not exists(source):
            raise UsageError(f"resume_from: no run {source!r} in project {project!r} under "
                             f"{root}; resume_from must name a run of the same project")
        return source, run_dir_of(root, project, source), None, point
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
        return new_id, None, run_dir_of(root, project, source), point
    how = request.resume
    if how == "auto" and run_id is None:
        earlier = resuming.read_auto_marker(root / project, program or "-")
        if earlier and exists(earlier):
            meta = documents.read_json(run_dir_of(root, project, earlier) / RUN_JSON, {}) or {}
            if effective_status(meta) != "finished":
                return earlier, run_dir_of(root, project, earlier), None, 0
        return new_run_id(), None, None, 0
    if run_id is None:
        if how == "must":
            raise UsageError("resume='must' needs id= naming the run to continue")
        return new_run_id(), None, None, 0
    if exists(run_id):
        if how in ("allow", "must", "auto"):
            meta = documents.read_json(run_dir_of(root, project, run_id) / RUN_JSON, {}) or {}
            if effective_status(meta) == "running":
                raise UsageError(f"run {run_id!r} is still running (pid "
                                 f"{(meta.get('owner') or {}).get('pid')}); wait for it to end")
            return run_id, run_dir_of(root, project, run_id), None, 0
        if how == "never":
            raise UsageError(f"run id {run_id!r} already exists in project {project!r} and "
                             f"resume='never'; choose another id")
        raise UsageError(f"run id {run_id!r} already exists in project {project!r}; pass "
                         f"resume='allow' to continue it or choose another id")
    if how == "must":
        raise UsageError(f"resume='must': no run {run_id!r} in project {project!r} under "
                         f"{root}; check the id and project, or use resume='allow'")
    return run_id, None, None, 0


def _history_state(path: Path, prior_dir: Optional[Path], source_dir: Optional[Path],
                   point: int, request: Request) -> Tuple[SummaryBuilder, int, Dict[str, Any]]:
    """(summary so far, the next step, the user's summary assignments) for the new life."""
    if source_dir is not None:
        return SummaryBuilder(), point + 1, {}
    if prior_dir is None:
        return SummaryBuilder(), 0, {}
    user = documents.read_json(path / SUMMARY_USER_JSON, {}) or {}
    if request.resume_from is not None:
        builder = summarize_streams(path)
        return builder, point + 1, user
    summary = load_summary(path)
    summary.pop(USER, None)
    # summary.json stores NaN/Inf as strings; the builder compares numbers.
    summary = {source: {key: {k: decode_value(v) for k, v in entry.items()}
                        for key, entry in table.items() if isinstance(entry, dict)}
               for source, table in summary.items() if isinstance(table, dict)}
    return SummaryBuilder(initial=summary), resuming.last_step(path) + 1, user


def _record_git_in_background(path: Path) -> None:
    """git facts (commit, branch, remote, dirty, diff.patch) without delaying init()."""
    cwd = Path(os.getcwd())

    def work() -> None:
        try:
            from runwrap.collectors.gitstate import read_git_state

            facts, diff = read_git_state(cwd)
            if facts is None:
                return
            if diff:
                documents.write_bytes_atomic(path / DIFF_PATCH, diff)
            documents.update_json(path / RUN_JSON, lambda d: d.__setitem__("git", facts))
        except Exception:
            pass  # git state is a nicety; never disturb the program

    threading.Thread(target=work, name="runwrap-git", daemon=True).start()
