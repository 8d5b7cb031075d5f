"""Turning WrapOptions into a checked plan, before anything is started or written.

Every bad input (an id with a forbidden character, an unknown resume target, a bad --config
file, a program that does not exist) is found here, so a failed `runwrap` leaves no trace.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap import env as envnames
from runwrap.errors import UsageError
from runwrap.store import ids
from runwrap.store.create import argv0_project, default_project
from runwrap.store.layout import DEFAULT_DIR, run_dir, store_root
from runwrap.store.lifecycle import CLI_SPELLING, MODES, RESUME_VALUES, check_tag, resume_target
from runwrap.notices import warn_once
from runwrap.store.owner import hostname
from runwrap.store.run_info import RunInfo
from runwrap.store.secrets import mask_argv
from runwrap.wrap.child import ProgramNotExecutable, ProgramNotFound, resolve_program
from runwrap.wrap.config_args import parse_config_args
from runwrap.wrap.launcher import Job, NoJobId, detect
from runwrap.wrap.recording import JobPart, NotRecorded, OwnRun
from runwrap.wrap.request import WrapOptions

# Sampling more often than this costs more CPU than the figures are worth; a wait longer than
# a day is no sampling at all (and past ~1e9 s, threading's timeouts overflow).
STATS_INTERVAL_MIN = 0.1
STATS_INTERVAL_MAX = 86400.0


class StartFailure:
    """Why the program cannot be started (found while planning): the run is still recorded,
    as failed with this exit status, so that a cron job's missing program shows in `ls`."""

    def __init__(self, exit_code: int, reason: str):
        self.exit_code = exit_code  # 127: not found, 126: not executable (the shell's codes)
        self.reason = reason


class RunPlan:
    """A checked request: what the run will be called, where it goes, how it runs."""

    def __init__(self, options: WrapOptions, root: Path, project: str, run_id: str, name: str,
                 tags: List[str], config: Dict[str, Any], mode: str,
                 tracking_uri: Optional[str], use_pty: bool,
                 resume_from: Optional[RunInfo] = None,
                 sources: Optional[Dict[str, str]] = None,
                 start_failure: Optional[StartFailure] = None, program: Optional[str] = None,
                 recording: Optional[NotRecorded] = None):
        self.options, self.root, self.project = options, root, project
        self.run_id, self.name, self.tags, self.config = run_id, name, tags, config
        self.mode, self.tracking_uri, self.use_pty = mode, tracking_uri, use_pty
        self.resume_from = resume_from  # the existing run this one continues
        self.sources = sources or {}
        self.start_failure = start_failure  # the program cannot start: record the failure
        self.cwd: Optional[str] = None  # the working directory; None: it was deleted
        self.unrecorded: Optional[str] = None  # why a run that was asked for is not recorded
        self.program = program  # what resume="auto" matches (store/lifecycle.py)
        # How this execution is recorded: not at all, a run of its own, or a part of a launcher
        # job's run (wrap/recording.py); chosen here, once.
        self.recording: NotRecorded = recording or OwnRun()

    @property
    def dir(self) -> Path:
        return run_dir(self.root, self.project, self.run_id)


def split_tags(values: List[str]) -> List[str]:
    tags: List[str] = []
    for value in values:
        for tag in value.split(","):
            tag = tag.strip()
            if tag and check_tag(tag) not in tags:
                tags.append(tag)
    return tags


def resolve_tracking_uri(options: WrapOptions) -> Optional[str]:
    """The tracking server's URI (credentials stripped), or None. A bad URI or certificate
    path is a UsageError here, before the child starts; an MLFLOW_TRACKING_URI that names a
    local store (file:, sqlite:) is not a server and means offline."""
    if not (options.tracking_uri or os.environ.get(envnames.TRACKING_URI)
            or os.environ.get(envnames.MLFLOW_TRACKING_URI)):
        return None  # the common case: no need to import the sync layer
    # start-up: loaded only on the path that needs it
    from runwrap.sync.config import resolve_config

    config = resolve_config(tracking_uri=options.tracking_uri)
    return config.uri if config is not None else None


def _named(options: WrapOptions, key: str, flag: str, variable: str) -> str:
    """How to name an option in a message: its variable when the value came from there."""
    return variable if options.sources.get(key) == "environment" else flag


def make_plan(options: WrapOptions) -> RunPlan:
    """The checked plan: every bad input is a UsageError here, before anything is written."""
    _check_request(options)
    program_guess = argv0_project(options.command)
    cwd = working_directory()
    project = options.project or default_project(cwd, program_guess)
    ids.check_path_name(project, _named(options, "project", "--project", envnames.PROJECT))
    if options.entity is not None:
        ids.check_path_name(options.entity, _named(options, "entity", "--entity", envnames.ENTITY))
    _check_recording_options(options)
    tags = split_tags(options.tags)
    config = parse_config_args(options.config)
    tracking_uri = resolve_tracking_uri(options)
    mode = options.mode or ("online" if tracking_uri else "offline")

    start_failure = _check_program(options.command[0])

    unrecorded = None
    try:
        root = store_root(options.dir)
    except FileNotFoundError:  # a relative store, and the working directory is gone
        root = Path(options.dir or os.environ.get(envnames.DIR) or DEFAULT_DIR)
        unrecorded = (f"the working directory no longer exists, so the store {root} cannot "
                      f"be found; the run is not recorded (give an absolute --dir to record it)")
    records = unrecorded is None and mode != "disabled"
    resume_from = None
    job = detect_job() if records and not options.no_job else None
    if job is not None:
        # Every task of the job joins one run: --id (or RUNWRAP_RUN_ID) names it, else the
        # launcher does. Joining takes the place of resuming (store/parts.py).
        if options.resume not in (None, "allow"):
            raise UsageError(f"--resume {options.resume} does not apply to a task of a "
                             f"{job.launcher} job, which joins the job's run as a part; pass "
                             f"--no-job to record this task as a run of its own")
        run_id = options.id or job.run_id
        ids.check_path_name(run_id, "--id" if options.id else f"the {job.launcher} job id")
    else:
        if unrecorded is None:
            resume_from = resume_target(root, project, options.id, options.resume,
                                        program_guess, mask_argv(options.command), CLI_SPELLING)
        run_id = resume_from.id if resume_from else (options.id or ids.new_run_id())
    name = options.name or (resume_from.name if resume_from else "") or ids.generate_name()
    use_pty = options.pty if options.pty is not None else os.isatty(1)
    sources = dict(options.sources)
    if not options.project:
        sources["project"] = "default"
    recording = (NotRecorded() if not records else JobPart(job) if job is not None
                 else OwnRun())
    plan = RunPlan(options, root, project, run_id, name, tags, config, mode, tracking_uri,
                   use_pty, resume_from, sources, start_failure, program_guess, recording)
    plan.cwd, plan.unrecorded = cwd, unrecorded
    return plan


def _check_request(options: WrapOptions) -> None:
    """The command, --mode, --resume and --id, checked first."""
    if not options.command:
        raise UsageError("no command given; usage: runwrap [OPTIONS] [--] COMMAND [ARGS]...")
    if options.mode is not None and options.mode not in MODES:
        raise UsageError(f"--mode {options.mode!r} is not one of {', '.join(MODES)}")
    if options.resume is not None and options.resume not in RESUME_VALUES:
        raise UsageError(f"--resume {options.resume!r} is not one of {', '.join(RESUME_VALUES)}")
    if options.id is not None:
        ids.check_path_name(options.id, "--id")


def _check_recording_options(options: WrapOptions) -> None:
    """--stats-interval, --sync-timeout and --scalars patterns."""
    interval = options.stats_interval
    if interval != 0 and not STATS_INTERVAL_MIN <= interval <= STATS_INTERVAL_MAX:  # NaN too
        raise UsageError(f"--stats-interval {interval:g} is out of range; give 0 (no sampling) "
                         f"or {STATS_INTERVAL_MIN:g} to {STATS_INTERVAL_MAX:g} seconds")
    if not 0 <= options.sync_timeout < float("inf"):
        raise UsageError(f"--sync-timeout {options.sync_timeout} is not a finite number of "
                         f"seconds >= 0; give seconds to wait for uploads at exit")
    if not options.no_scalars and options.scalars:
        # start-up: loaded only on the path that needs it
        from runwrap.collectors.console.scalars import compile_patterns

        compile_patterns(options.scalars)  # an invalid regex is a usage error, named


def working_directory() -> Optional[str]:
    """The working directory, or None when it was deleted (the program may still run there,
    as it would bare; what needs the folder itself is left out)."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        return None


def detect_job() -> Optional[Job]:
    """This task's launcher job, if a launcher started it and its tasks can agree on an id."""
    try:
        return detect(os.environ, hostname(), os.getppid())
    except NoJobId as e:
        warn_once("job", str(e))
        return None


def _check_program(name: str) -> Optional[StartFailure]:
    """Look the program up on the PATH the child will have, like a shell does."""
    try:
        resolve_program(name, dict(os.environ))
    except ProgramNotFound:
        return StartFailure(127, f"command not found: {name}")
    except ProgramNotExecutable:
        return StartFailure(126, f"permission denied: {name} is not executable")
    return None

