"""`runwrap.init()`: wandb.init()'s signature; attaches to the wrapper's run or creates one.

Everything a user can get wrong is checked before anything is written. Values are resolved by
`options.Resolver` (arguments > settings > environment > defaults) and recorded in run.json.
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from runwrap import env
from runwrap.errors import CommError, UsageError
from runwrap.sdk.run import state
from runwrap.sdk.run.config import check_key, check_size, config_items, filter_keys, to_plain
from runwrap.sdk.start.request import Request, notice
from runwrap.sdk.start.resolver import SETTINGS, Resolver
from runwrap.sdk.start.resume import normalize_reinit, normalize_resume, parse_point
from runwrap.sdk.run.access import warn
from runwrap.sdk.run.run import check_tags, give_settings
from runwrap.sdk.run.settings import RunSettings
from runwrap.sdk.start.settings import settings_dict
from runwrap.sdk.compat.wandb_env import load_config_paths, notice_cloud_only
from runwrap.store.lifecycle import ANONYMOUS_VALUES, MODES


def init(
    entity: Optional[str] = None,
    project: Optional[str] = None,
    dir: Optional[Union[str, os.PathLike]] = None,  # noqa: A002 (wandb's name)
    id: Optional[str] = None,  # noqa: A002
    name: Optional[str] = None,
    notes: Optional[str] = None,
    tags: Optional[Sequence[str]] = None,
    config: Union[Dict[str, Any], str, None] = None,
    config_exclude_keys: Optional[List[str]] = None,
    config_include_keys: Optional[List[str]] = None,
    allow_val_change: Optional[bool] = None,
    group: Optional[str] = None,
    job_type: Optional[str] = None,
    mode: Optional[str] = None,
    force: Optional[bool] = None,
    anonymous: Optional[str] = None,
    reinit: Union[bool, str, None] = None,
    resume: Union[bool, str, None] = None,
    resume_from: Optional[str] = None,
    fork_from: Optional[str] = None,
    save_code: Optional[bool] = None,
    tensorboard: Optional[bool] = None,
    sync_tensorboard: Optional[bool] = None,
    monitor_gym: Optional[bool] = None,
    settings: Any = None,
) -> Any:
    """Start a run (or attach to the wrapper's run) and return it; see wandb.init()."""
    explicit = {k: v for k, v in locals().items() if v is not None and k != "settings"}
    if settings is not None:
        explicit["settings"] = settings
    resolver = Resolver(settings_dict(settings))
    quiet = bool(resolver.get("quiet", None, default=False))
    notice_cloud_only(quiet)
    notebook = in_notebook()
    how = normalize_reinit(resolver.get("reinit", reinit), notebook)
    previous = state.current
    if previous is not None:
        if how == "return_previous":
            if set(explicit) - {"reinit"}:
                notice(f"init() returned the active run {previous.id}; the arguments of this "
                       f"call ({', '.join(sorted(explicit))}) were ignored. Pass "
                       f"reinit='finish_previous' or 'create_new' to start another run")
            return previous
        if how == "finish_previous":
            for run in state.open_runs():
                run.finish()
    if tensorboard is not None:
        warnings.warn("init(tensorboard=...) is deprecated; use sync_tensorboard=...",
                      FutureWarning, stacklevel=2)
        if sync_tensorboard is None:
            sync_tensorboard = tensorboard
    request = _validate(resolver, notebook, explicit, entity, tags, config, config_exclude_keys,
                        config_include_keys, allow_val_change, mode, force, anonymous, resume,
                        resume_from, fork_from)
    disable_code = bool(resolver.get("disable_code", None, default=False))
    request.save_code = bool(resolver.get("save_code", save_code, default=False)) and not disable_code
    request.disable_git = bool(resolver.get("disable_git", None, default=False))
    for recorded in ("console", "sweep_id", "ignore_globs"):  # in run.json and run.settings
        resolver.get(recorded, None)
    request.sync_tensorboard = bool(resolver.get("sync_tensorboard", sync_tensorboard,
                                                 default=False))
    request.monitor_gym = bool(resolver.get("monitor_gym", monitor_gym, default=False))
    if request.mode == "disabled":
        return _disabled(request, project, id, name, notes, group, job_type)
    if attach_target() is not None:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.start.attach import attach

        run = attach(request, project=project, dir=dir, id=id, name=name, notes=notes,
                     group=group, job_type=job_type)
    else:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.start.standalone import create
        from runwrap.store.create import NoSpaceForRun

        try:
            run = create(request, project=project, dir=dir, id=id, name=name, notes=notes,
                         group=group, job_type=job_type)
        except NoSpaceForRun as e:
            # Cannot record, for now: the program goes on with a run that records nothing,
            # as under the wrapper (docs/failures.md); a wrong store still raises.
            warn("unrecorded", f"{e}; the program goes on, not recorded")
            return _disabled(request, project, id, name, notes, group, job_type)
    give_settings(run, RunSettings(run, resolver.options, settings_dict(settings)))
    state.add(run)
    _extras(run, request)
    return run


def _validate(resolver: Resolver, notebook: bool, explicit: Dict[str, Any], entity: Any,
              tags: Any, config: Any, exclude: Any, include: Any, allow_val_change: Any,
              mode: Any, force: Any, anonymous: Any, resume: Any, resume_from: Any,
              fork_from: Any) -> Request:
    from runwrap.store.ids import check_path_name  # start-up: loaded only on the path that needs it

    mode_value = resolver.get("mode", mode)
    if mode_value in ("dryrun", "run"):  # wandb's old spellings
        mode_value = "offline" if mode_value == "dryrun" else "online"
    if mode_value is not None and mode_value not in MODES:
        raise UsageError(f"{resolver.label('mode', mode_value)} is not one of "
                         f"{', '.join(MODES)}")
    anonymous_value = resolver.get("anonymous", anonymous)
    if anonymous_value is not None and anonymous_value not in ANONYMOUS_VALUES:
        raise UsageError(f"{resolver.label('anonymous', anonymous_value)} is not one of "
                         f"{', '.join(ANONYMOUS_VALUES)}")
    given = config_items(config)
    paths = resolver.get("config_paths", None)
    if paths:  # WANDB_CONFIG_PATHS: the files' keys, init(config=)'s on top
        given = dict(load_config_paths(paths), **given)
    items = filter_keys(given, include, exclude)
    items = {check_key(k): to_plain(v, f"config key {k!r}") for k, v in items.items()}
    for key, value in items.items():
        check_size(key, value)
    tag_value = resolver.get("tags", tags)
    tag_tuple = check_tags(tag_value) if tag_value is not None else None
    entity_value = resolver.get("entity", entity)
    if entity_value is not None:
        check_path_name(entity_value, "entity")
    allow = bool(resolver.get("allow_val_change", allow_val_change, default=notebook))
    resume_value = normalize_resume(resolver.get("resume", resume))
    rf = resolver.get("resume_from", resume_from)
    ff = resolver.get("fork_from", fork_from)
    chosen = [n for n, v in (("resume", resume_value), ("resume_from", rf), ("fork_from", ff))
              if v is not None]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} are mutually exclusive; pass only one of "
                         f"resume, resume_from, fork_from")
    point_from = parse_point(rf, "resume_from") if rf is not None else None
    point_fork = parse_point(ff, "fork_from") if ff is not None else None
    force_value = bool(resolver.get("force", force, default=False))
    uri = resolver.get("tracking_uri", None)
    sync_config = None
    if mode_value != "disabled":
        mode_value, sync_config = _choose_mode(resolver, mode_value, uri, force_value,
                                               anonymous_value)
    request = Request(resolver, items, allow, mode_value or "offline", tag_tuple, entity_value,
                      resume_value, point_from, point_fork, explicit=explicit)
    request.sync_config = sync_config
    return request


def _choose_mode(resolver: Resolver, mode: Optional[str], uri: Optional[str], force: bool,
                 anonymous: Optional[str]) -> Tuple[str, Any]:
    """(mode, the tracking server's SyncConfig or None). online needs a server; force=True
    makes its absence or refusal an error before the program does any work, otherwise the run
    records offline (`runwrap sync` uploads it later)."""
    if attach_target() is not None:
        # Under the wrapper the wrapper uploads (it was given the server, maybe by a flag the
        # child cannot see): the child records into the shared run and stays quiet.
        return (mode or os.environ.get(env.MODE) or "offline"), None
    if force and not uri:
        raise CommError("force=True but no tracking server is configured; set "
                        "RUNWRAP_TRACKING_URI (or MLFLOW_TRACKING_URI, or "
                        "settings={'tracking_uri': ...}), or drop force=True")
    if mode is None:
        mode = resolver.fix("mode", "online" if uri else "offline", "default")
    if mode == "online" and not uri:
        notice("mode='online' but no tracking server is configured (RUNWRAP_TRACKING_URI); "
               "recording offline, upload later with `runwrap sync`")
        return resolver.fix("mode", "offline", "fallback"), None
    if mode != "online" and not force:
        return mode, None
    # start-up: loaded only on the path that needs it
    from runwrap.sync import check_server, resolve_config

    # Said as where it came from: settings, or the variable (resolve_config reads it itself).
    if resolver.source("tracking_uri") == SETTINGS:
        config = resolve_config(settings_uri=uri, anonymous=anonymous, environ=resolver.environ)
    else:
        config = resolve_config(anonymous=anonymous, environ=resolver.environ)
    if config is None:  # e.g. MLFLOW_TRACKING_URI names a local file store, not a server
        if force:
            raise CommError(f"force=True but {uri!r} is not an http(s) tracking server; set "
                            f"RUNWRAP_TRACKING_URI to the server's URL, or drop force=True")
        return resolver.fix("mode", "offline", "fallback"), None
    if force:
        check_server(config)  # raises AuthenticationError / CommError
    return mode, config


def _disabled(request: Request, project: Any, id: Any, name: Any, notes: Any, group: Any,
              job_type: Any) -> Any:
    # start-up: loaded only on the path that needs it
    from runwrap.sdk.start.disabled import DisabledRun
    from runwrap.store.ids import generate_name, new_run_id

    r = request.resolver
    ident = {"id": r.get("id", id, default=new_run_id),
             "project": r.get("project", project, default="uncategorized"),
             "entity": request.entity, "name": r.get("name", name, default=generate_name),
             "notes": r.get("notes", notes), "tags": list(request.tags or ()),
             "group": r.get("group", group), "job_type": r.get("job_type", job_type)}
    run = DisabledRun(ident, request.config)
    give_settings(run, RunSettings(run, r.options, settings_dict(request.explicit.get("settings"))))
    state.add(run)
    return run


def _extras(run: Any, request: Request) -> None:
    if request.save_code:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.integrations.save_code import save_main_code

        save_main_code(run)
    if request.sync_tensorboard:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.integrations.sync_tensorboard import sync_tensorboard_dirs

        sync_tensorboard_dirs(run)
    if request.monitor_gym:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.integrations.monitor_gym import watch_gym

        watch_gym(run)


def attach_target() -> Optional[str]:
    """The wrapper's run directory when this process runs under `runwrap` (else None)."""
    run_dir = os.environ.get(env.RUN_DIR)
    if run_dir and os.environ.get(env.RUN_ID) and os.path.isfile(os.path.join(run_dir, "run.json")):
        return run_dir
    return None


def in_notebook() -> bool:
    return "ipykernel" in sys.modules
