"""init() under the wrapper: join the wrapper's run instead of creating one.

Same id and directory; the wrapper owns run.json's status (this process never writes it). This
process's log() lines go to its own stream file, `streams/sdk.<rank|pid>.jsonl`, so several
ranks or forked workers never interleave bytes in one file.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap import env
from runwrap.sdk.start import resume as resuming
from runwrap.sdk.start.run_files import config_saver, writer_opener
from runwrap.sdk.run.config import Config
from runwrap.sdk.run.history import History
from runwrap.sdk.start.request import Request, explicit_source, notice
from runwrap.sdk.start.resolver import WRAPPER
from runwrap.sdk.run.access import warn
from runwrap.sdk.run.run import Run
from runwrap.store import documents
from runwrap.store.layout import CONFIG_YAML, RUN_JSON, SUMMARY_USER_JSON
from runwrap.store.parts import part_record


def stream_part(label: Any) -> str:
    """`x_label` if set, else the wrapper's part in a launcher job (RUNWRAP_PART), else
    `rank<RANK>` (torchrun and friends), else the pid."""
    if label:
        return str(label).replace("/", "_").replace(".", "_")
    if os.environ.get(env.PART):
        return os.environ[env.PART]
    rank = os.environ.get("RANK")
    return f"rank{rank}" if rank and rank.isdigit() else str(os.getpid())


def attach(request: Request, *, project: Any, dir: Any, id: Any, name: Any, notes: Any,
           group: Any, job_type: Any) -> Run:
    r = request.resolver
    path = Path(os.environ[env.RUN_DIR])
    meta = documents.read_json(path / RUN_JSON, {}) or {}
    run_id = os.environ[env.RUN_ID]
    run_project = meta.get("project") or os.environ.get(env.PROJECT) or path.parent.name
    for what, given, fixed in (("id", id, run_id), ("project", project, run_project),
                               ("dir", dir, str(path.parent.parent))):
        if given is not None and str(given) != fixed and what != "dir":
            notice(f"init({what}={given!r}) ignored: this process runs under the runwrap "
                   f"wrapper, which records run {run_project}/{run_id}")
        r.fix(what, fixed, WRAPPER)
    # Identity: only what the program chose itself overrides what the wrapper recorded.
    updates: Dict[str, Any] = {}
    for key, arg in (("name", name), ("notes", notes), ("group", group), ("job_type", job_type)):
        value = r.get(key, arg)
        if value is not None and explicit_source(r, key):
            updates[key] = value
    if request.tags is not None and explicit_source(r, "tags"):
        known = list(meta.get("tags") or [])
        updates["tags"] = known + [t for t in request.tags if t not in known]
    if request.entity is not None and explicit_source(r, "entity"):
        updates["entity"] = request.entity
    part = stream_part(r.get("label", None))
    pid = os.getpid()

    def mutate(doc: dict) -> None:
        doc.update(updates)
        doc.setdefault("init", {})[str(pid)] = {"options": r.options, "time": time.time(),
                                                "stream": f"sdk.{part}.jsonl"}
    if os.environ.get(env.PART):
        # A task of a launcher job: run.json is the first task's alone (it may be on another
        # host); this process notes itself in its own part's record, beside its wrapper.
        documents.update_json(part_record(path, os.environ[env.PART]), mutate)
        meta = documents.read_json(path / RUN_JSON, {}) or {}
    else:
        meta = documents.update_json(path / RUN_JSON, mutate)

    job_part = os.environ.get(env.PART) or None
    if job_part and (documents.read_json(part_record(path, job_part), {}) or {}).get("first"):
        job_part = None  # the first task's config is the run's: config.yaml, as without a job
    config = _merged_config(path, request.config, job_part, request.allow_val_change)
    start_time = meta.get("start_time") or time.time()
    step = resuming.last_step(path) + 1 if meta.get("resumed") else 0
    history = History(writer_opener(path, part), start_time, step=step, warn=warn,
                      start_monotonic=_wrapper_monotonic())
    user = documents.read_json(path / SUMMARY_USER_JSON, {}) or {}
    ident = {"id": run_id, "project": run_project, "entity": meta.get("entity"),
             "name": meta.get("name"), "notes": meta.get("notes"), "tags": meta.get("tags") or [],
             "group": meta.get("group"), "job_type": meta.get("job_type")}
    return Run(run_dir=path, ident=ident, attached=True, history=history,
               config=Config(config, allow_val_change=request.allow_val_change,
                             on_change=_remembered(config_saver(path, job_part))),
               user_summary=user, mode=meta.get("mode") or request.mode,
               resumed=bool(meta.get("resumed")), start_time=start_time, on_finish=None)


def _wrapper_monotonic() -> Optional[float]:
    """The wrapper's monotonic clock at the run's start (same host, same clock), if given."""
    try:
        return float(os.environ[env.START_MONOTONIC])
    except (KeyError, ValueError):
        return None


# The config values this process wrote into the wrapped run (its init()s and config changes):
# a later init() in a loop of trials joins the same run, and a value it finds there may be its
# own earlier trial's rather than the wrapper's --config or another process's.
_written_here: Dict[str, Any] = {}


def _remembered(save: Callable[[Dict[str, Any], List[str]], None]
                ) -> Callable[[Dict[str, Any], List[str]], None]:
    def remember(changed: Dict[str, Any], removed: List[str]) -> None:
        save(changed, removed)
        _written_here.update(changed)
        for key in removed:
            _written_here.pop(key, None)
    return remember


def _conflict(key: str, value: Any, existing: Any, allow_val_change: bool) -> bool:
    """Whether init()'s `value` replaces the run's `existing` one; says why not when it does
    not. An earlier init() of this process set it: allow_val_change lets it change, as wandb's
    config does; the wrapper's --config (or another process's value) always wins."""
    if key in _written_here and _written_here[key] == existing:
        if allow_val_change:
            return True
        notice(f"config {key}={value!r} from init() is not applied: {key}={existing!r} was set "
               f"by an earlier init() of this process, and under runwrap every init() joins the "
               f"one wrapped run; pass init(allow_val_change=True) to change it, or run each "
               f"trial as its own runwrap run")
        return False
    if os.environ.get(env.WANDB_SWEEP_ID):
        return False  # a sweep's trial: its parameters win over init()'s defaults, as in wandb
    notice(f"config {key}={value!r} from init() is overridden by the run's config "
           f"({existing!r}, from runwrap --config or another process)")
    return False


def _merged_config(path: Path, mine: Dict[str, Any], job_part: Optional[str],
                   allow_val_change: bool = False) -> Dict[str, Any]:
    """config.yaml already holds the wrapper's --config (and other ranks' keys): those win, like
    a sweep's values in wandb; init()'s keys fill in the rest (and replace what an earlier
    init() of this process set, with allow_val_change). In a task of a launcher job,
    config.yaml is the first task's and is not written here: this task's keys that it lacks or
    holds otherwise are recorded in the part's record (`config`), not merged."""
    if not mine and not (path / CONFIG_YAML).exists():
        return {}
    if job_part:
        existing = documents.read_yaml(path / CONFIG_YAML, {})
        existing = existing if isinstance(existing, dict) else {}
        differing = {k: v for k, v in mine.items() if existing.get(k) != v}
        if differing:
            documents.update_json(part_record(path, job_part),
                                  lambda doc: doc.setdefault("config", {}).update(differing))
        return dict(mine, **existing)
    with documents.locked(path):
        existing = documents.read_yaml(path / CONFIG_YAML, {})
        if not isinstance(existing, dict):
            existing = {}
        merged = dict(mine)
        merged.update(existing)
        for key, value in mine.items():
            if key in existing and existing[key] != value and _conflict(
                    key, value, existing[key], allow_val_change):
                merged[key] = value
        if merged != existing:
            documents.write_yaml(path / CONFIG_YAML, merged)
    # Only what this init() put there: a key whose value the wrapper's --config already held
    # stays the wrapper's.
    _written_here.update((k, v) for k, v in mine.items()
                         if (k not in existing or existing[k] != v) and merged[k] == v)
    return merged
