"""A wrapped run from start to end: create the run, start the child, record, finish the run."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap import env as envnames
from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.notices import no_space
from runwrap.store import documents
from runwrap.collectors.gitstate import END_WAIT, record_in_background
from runwrap.store.clock import RunClock
from runwrap.store.create import NoSpaceForRun
from runwrap.store.lifecycle import CLI_SPELLING, final_status, finish_run, resume_target
from runwrap.store.secrets import mask_argv
from runwrap.store.layout import (CONFIG_YAML, OUTPUT_LOG, RUN_JSON, SUMMARY_JSON,
                                  SUMMARY_USER_JSON)
from runwrap.store.owner import hostname, owner_identity
from runwrap.store.summary import summarize_streams
from runwrap.wrap import terminal
from runwrap.wrap.child import Child, hand_off, spawn_pipes, spawn_pty
from runwrap.wrap.collect import build_collectors
from runwrap.wrap.console import ConsoleLog
from runwrap.wrap.launcher import safe_host
from runwrap.wrap.plan import RunPlan
from runwrap.wrap.pump import Pump
from runwrap.wrap.upload import start_upload, stop_upload
from runwrap.wrap.signals import FORWARDED

from runwrap.store.opening import join_job, open_run
from runwrap.store.parts import Joined
from runwrap.store.run_info import RunInfo



def exit_code_of(status: int) -> int:
    """The shell's convention: the exit code, or 128+N when killed by signal N."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


def child_env(plan: RunPlan, run_dir: Optional[Path],
              part: Optional[str] = None) -> Dict[str, str]:
    """The child's environment: the user's, plus the run's RUNWRAP_* contract."""
    env = dict(os.environ)
    for name in envnames.RUN_VARIABLES:
        env.pop(name, None)
    values = {
        envnames.MODE: plan.mode,
        envnames.PROJECT: plan.project,
        envnames.ENTITY: plan.options.entity,
        envnames.WRAPPER_PID: str(os.getpid()),
    }
    if run_dir is not None:
        values.update({
            envnames.RUN_ID: plan.run_id,
            envnames.RUN_DIR: str(run_dir),
            envnames.NAME: plan.name,
            envnames.GROUP: plan.options.group,
            envnames.JOB_TYPE: plan.options.job_type,
            envnames.TAGS: ",".join(plan.tags),
            envnames.NOTES: plan.options.notes,
            envnames.CONFIG_FILE: str(run_dir / CONFIG_YAML),
            envnames.PART: part,
        })
    env.update({k: v for k, v in values.items() if v is not None})
    if not plan.use_pty and envnames.PYTHONUNBUFFERED not in os.environ:
        env[envnames.PYTHONUNBUFFERED] = "1"
    if run_dir is not None:
        _route_wandb(env, run_dir)
    return env


def _route_wandb(env: Dict[str, str], run_dir: Path) -> None:
    """The child's wandb: offline (no login, no network) unless the user chose a mode, with its
    files in the run directory unless the user chose a folder; runwrap records its log. Never
    an API key. WANDB_SET names what was set here, so that the child's runwrap.init() can
    tell the wrapper's choices from the user's."""
    chosen = []
    if envnames.WANDB_MODE not in os.environ:
        env[envnames.WANDB_MODE] = "offline"
        chosen.append(envnames.WANDB_MODE)
    if envnames.WANDB_DIR not in os.environ:
        env[envnames.WANDB_DIR] = str(run_dir)
        chosen.append(envnames.WANDB_DIR)
    if chosen:
        env[envnames.WANDB_SET] = ",".join(chosen)



def _identity(plan: RunPlan) -> Dict[str, Any]:
    o = plan.options
    return {"entity": o.entity, "name": plan.name, "notes": o.notes, "tags": plan.tags,
            "group": o.group, "job_type": o.job_type, "mode": plan.mode}


def _options_record(plan: RunPlan) -> Dict[str, Any]:
    """Each resolved option and where its value came from, for debugging precedence."""
    o = plan.options
    values = {"project": plan.project, "entity": o.entity, "name": plan.name, "notes": o.notes,
              "tags": plan.tags, "group": o.group, "job_type": o.job_type, "id": plan.run_id,
              "dir": str(plan.root), "mode": plan.mode, "resume": o.resume, "pty": plan.use_pty,
              "quiet": o.quiet, "scalars": o.scalars, "no_scalars": o.no_scalars,
              "metrics_files": o.metrics_files, "tensorboard": o.tensorboard,
              "tensorboard_discovery": o.tensorboard_discovery,
              "stats_interval": o.stats_interval, "sync_timeout": o.sync_timeout,
              "tracking_uri": plan.tracking_uri}
    out = {}
    for key, value in values.items():
        source = plan.sources.get(key, "default")
        if key == "name" and not o.name:
            source = "resumed" if plan.resume_from else "generated"
        if key == "id" and not o.id:
            source = "resumed" if plan.resume_from else "generated"
        out[key] = {"value": value, "source": source}
    return out


def _run_meta(plan: RunPlan) -> Dict[str, Any]:
    meta = dict(_identity(plan))
    meta.update({"command": mask_argv(plan.options.command), "program": plan.program,
                 "cwd": plan.cwd,
                 "options": _options_record(plan), "exit_code": None, "signal": None,
                 "end_time": None, "duration": None})
    return meta


def _open_run(plan: RunPlan) -> Path:
    """Create the run, or continue the one the plan resumes (store/opening.py)."""
    def recheck() -> Optional[RunInfo]:
        # Another runwrap made this id between the plan's check and now (several started at
        # the same instant): decide again, as if it had been there all along, so the message
        # is the CLI's (--resume allow; still running) and `allow` can continue it.
        if plan.options.id is None:
            return None
        plan.resume_from = resume_target(
            plan.root, plan.project, plan.options.id, plan.options.resume, plan.program,
            mask_argv(plan.options.command), CLI_SPELLING)
        return plan.resume_from

    return open_run(plan.root, plan.project, plan.run_id, _run_meta(plan), "wrapper",
                    config=plan.config,
                    continues=plan.resume_from.dir if plan.resume_from else None,
                    recheck=recheck, empty_config_file=True,
                    config_failed=lambda e: warn_once(
                        "config", f"cannot write config.yaml: {e.strerror}", e))


def _join_job(plan: RunPlan) -> Joined:
    """Create the job's run or join it as this task's part (store/opening.py). The first
    task's run.json and config are the run's."""
    job = plan.job
    assert job is not None
    meta = _run_meta(plan)
    meta["job"] = job.record()
    record = {"part": job.part, "rank": job.rank, "local_rank": job.local_rank, "node": job.node,
              "host": hostname(), "launcher": job.launcher, "status": "running",
              "start_time": time.time(), "end_time": None, "duration": None,
              "exit_code": None, "signal": None, "child_pid": None,
              "owner": dict(owner_identity(), kind="wrapper")}
    joined = join_job(plan.root, plan.project, plan.run_id, meta, job.part, record, plan.config)
    plan.run_id = joined.run_id
    if not joined.created:
        first = documents.read_json(joined.dir / RUN_JSON, {}) or {}
        plan.name = first.get("name") or plan.name
    return joined


class WrappedRun:
    """One execution of `runwrap run`. `on_start`/`on_end` let the CLI print."""

    def __init__(self, plan: RunPlan):
        self.plan = plan
        self.run_dir: Optional[Path] = None
        self.collectors: List[Collector] = []
        self.exit_code: Optional[int] = None
        self.status: Optional[str] = None
        self.error: Optional[str] = None  # why the program did not start
        self.duration: float = 0.0
        self.part: Optional[Joined] = None  # this task's part of a launcher job's run
        self._reserve: Optional[documents.SpaceReserve] = None  # room for the run's end
        self.unrecorded_end: Optional[str] = None  # why the end of the run is not recorded

    def execute(self, on_start: Optional[Callable[[Path], None]] = None) -> int:
        """Run the child to its end and record it; `on_start(run_dir)` is called once the run
        directory exists, before the child starts. Returns the exit status to exit with."""
        plan = self.plan
        try:
            self._open()
        except (NoSpaceForRun, OSError) as e:
            if isinstance(e, OSError) and not no_space(e):
                raise
            # Cannot record, for now: the program runs as it would bare (docs/failures.md).
            why = e if isinstance(e, NoSpaceForRun) else f"cannot open the run: {e.strerror}"
            warn_once("unrecorded", f"{why}; the program runs, not recorded")
            plan.mode, self.run_dir, self.part = "disabled", None, None
        if self.run_dir is not None and on_start is not None:
            on_start(self.run_dir)
        if self.run_dir is not None:
            self._reserve = documents.SpaceReserve(self.run_dir)
        if plan.start_failure is not None:
            return self._not_started(plan.start_failure.exit_code, plan.start_failure.reason)
        clock = RunClock(time.time(), time.monotonic())
        console = ConsoleLog(str(self.run_dir / self._output_log) if self.run_dir else None,
                             on_error=lambda e: warn_once(
                                 "output.log", f"cannot write output.log: {e.strerror}", e))
        stdin_tty = os.isatty(0)
        interactive = stdin_tty and terminal.is_foreground(0)
        raw = terminal.RawInput(0) if plan.use_pty and interactive else None

        # The child starts before runwrap has any thread (fork safety).
        env = child_env(plan, self.run_dir, self.part.part if self.part else None)
        if self.run_dir is not None and self.part is None:
            env[envnames.START_MONOTONIC] = repr(clock.start_monotonic)
        try:
            child = self._spawn(env, interactive)
        except OSError as e:  # exec failed after the lookup (a bad interpreter line, ENOMEM)
            return self._not_started(127 if isinstance(e, FileNotFoundError) else 126,
                                     f"{plan.options.command[0]}: {e.strerror or e}")
        if raw is not None:
            raw.enter()
        try:
            threads = []
            if self.run_dir is not None:
                self._note_child(child)
                if plan.cwd is None:
                    warn_once("cwd", "the working directory no longer exists: its git state, "
                                     "TensorBoard discovery and relative --metrics-file paths "
                                     "are not recorded")
                elif self.part is None or self.part.created:  # run.json's writer only
                    threads.append(record_in_background(self.run_dir, Path(plan.cwd)))
                self._start_collectors(child, clock, console)
            # sync: the MLflow uploader starts here when plan.mode == "online".
            # In a job, the first task uploads (every part's streams, each once, by the cursor
            # per stream file); what is left when it ends waits for `runwrap sync`.
            uploader = (start_upload(plan.mode, plan.options.tracking_uri, self.run_dir)
                        if self.part is None or self.part.created else None)
            forwarded = FORWARDED
            if child.pgid == os.getpgrp():
                # The terminal sends ^C, ^\ and hangups to the child itself (same group).
                forwarded = (signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2)
            stdin_fd = 0 if child.takes_input and interactive else None
            pump = Pump(child, console, forwarded, raw, stdin_fd)
            status = pump.run()
            hand_off(pump.left_open())
        finally:
            if raw is not None:
                raw.leave()
            child.close()
        self.exit_code = exit_code_of(status)
        self.duration = clock.runtime()  # monotonic: a clock stepped back moves it not
        console.close()
        if self.run_dir is not None:
            for t in threads:
                t.join(END_WAIT)
            self._finish(status, pump.escalation)
            stop_upload(uploader, plan.options.sync_timeout)
        return self.exit_code

    def _open(self) -> None:
        """Create or join the run directory (nothing when the run is not recorded)."""
        plan = self.plan
        if plan.mode == "disabled":
            return
        if plan.job is not None:
            self.part = _join_job(plan)
            self.run_dir = self.part.dir
            return
        self.run_dir = _open_run(plan)

    def _spawn(self, env: Dict[str, str], interactive: bool) -> Child:
        plan = self.plan
        if plan.use_pty:
            size_from = 1 if os.isatty(1) else (0 if os.isatty(0) else None)
            # Only a terminal stdin goes through the pty; a pipe, file or /dev/null stays
            # what it is, byte for byte (and isatty() answers as it would without runwrap).
            return spawn_pty(plan.options.command, env, size_from, stdin_on_pty=os.isatty(0))
        return spawn_pipes(plan.options.command, env, own_group=not interactive)

    def _not_started(self, exit_code: int, reason: str) -> int:
        """The program could not be started: the run ends `failed` with the shell's exit
        status and the reason, as a run of its own (a cron job's missing program shows)."""
        self.exit_code, self.error = exit_code, reason
        if self.run_dir is not None:
            self._record_end(exit_code, None, error=reason)
        else:
            self.status = final_status(exit_code, None)
        return exit_code

    @property
    def _output_log(self) -> str:
        return f"output.{self.part.part}.log" if self.part is not None else OUTPUT_LOG

    @property
    def _record(self) -> Path:
        """The document this wrapper owns: run.json, or its part's record in a job's run."""
        assert self.run_dir is not None
        return self.part.record if self.part is not None else self.run_dir / RUN_JSON

    def _note_child(self, child: Child) -> None:
        try:
            documents.update_json(self._record,
                                  lambda doc: doc.__setitem__("child_pid", child.pid))
        except OSError as e:
            warn_once("run.json", f"cannot update {self._record.name}: {e.strerror}", e)

    def _start_collectors(self, child: Child, clock: RunClock, console: ConsoleLog) -> None:
        assert self.run_dir is not None
        options = self.plan.options
        cwd = self.plan.cwd
        if cwd is None:  # deleted: relative paths lead nowhere, and there is nothing to walk
            cwd = os.path.join(os.sep, "nonexistent-working-directory")
            import copy  # only here: its import looks for Jython's modules on every start

            options = copy.copy(options)
            options.tensorboard_discovery = False
        ctx = CollectorContext(run_dir=self.run_dir, start_time=clock.start_time, cwd=Path(cwd),
                               store_root=self.plan.root, child_pid=child.pid, clock=clock)
        job = self.plan.job
        if self.part is not None and job is not None:
            ctx.part, ctx.host_part = self.part.part, safe_host(hostname())
            ctx.samples_host = job.samples_host
            ctx.reads_files = self.part.created
        self.collectors = build_collectors(options, ctx)
        sinks = [c.feed_text for c in self.collectors if hasattr(c, "feed_text")]  # type: ignore
        if len(sinks) == 1:
            console.sink = sinks[0]
        elif sinks:
            console.sink = lambda stream, text, t: [s(stream, text, t) for s in sinks]
        for c in self.collectors:
            try:
                c.start()
            except Exception as e:
                warn_once(f"start-{type(c).__name__}", f"{type(c).__name__} did not start: {e}")

    def _stop_collectors(self) -> Dict[str, Dict[str, int]]:
        skipped: Dict[str, Dict[str, int]] = {}
        for c in self.collectors:
            name = type(c).__name__
            try:
                c.stop()
            except Exception as e:
                warn_once(f"stop-{name}", f"{name} failed at the end of the run: {e}")
            problems = c.problems()
            if problems:
                skipped[name] = problems
        return skipped

    def _finish(self, status: int, escalation: Optional[str]) -> None:
        """`escalation`: the signal runwrap sent after repeated interrupts; the run ends
        `killed` by it even when the program caught it and exited."""
        skipped = self._stop_collectors()
        assert self.run_dir is not None and self.exit_code is not None
        self._release_reserve()
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        signal_name = signal.Signals(sig).name if sig else escalation
        if not self._record.is_file():
            # Deleted or replaced during the run: say so once, and do not write a run.json
            # of end fields only into a directory a late collector write may have recreated.
            self.status = final_status(self.exit_code, signal_name)
            warn_once("run-dir", f"the run directory {self.run_dir} was removed or replaced "
                                 f"during the run; the end of the run is not recorded")
            return
        if self.part is None:
            # A job's summary spans every part's streams, and no part knows it is the last:
            # readers summarize the streams themselves while summary.json is absent.
            self._write_summary()
        self._record_end(self.exit_code, signal_name, skipped=skipped)

    def _release_reserve(self) -> None:
        """Free the room held for the end of the run, just before the end is written."""
        if self._reserve is not None:
            self._reserve.release()
            self._reserve = None

    def _write_summary(self) -> None:
        assert self.run_dir is not None
        try:
            user = documents.read_json(self.run_dir / SUMMARY_USER_JSON, {}) or {}
            # define_metric() of an attached init() (run.json `metrics`) shapes the summary.
            meta = documents.read_json(self.run_dir / RUN_JSON, {}) or {}
            summary = summarize_streams(self.run_dir).result(user, meta.get("metrics"))
            documents.write_json(self.run_dir / SUMMARY_JSON, summary)
        except OSError as e:
            warn_once("summary", f"summary.json not written: {e.strerror}", e)

    def _record_end(self, exit_code: int, signal_name: Optional[str],
                    skipped: Optional[dict] = None, error: Optional[str] = None) -> None:
        assert self.run_dir is not None
        self.status = final_status(exit_code, signal_name)
        record = self.part.record if self.part is not None else None
        self._release_reserve()
        try:
            self.status = finish_run(self.run_dir, exit_code, signal_name, skipped, error,
                                     record=record, duration=self.duration)
        except OSError as e:
            # Said at exit even after a warning of the same kind: the run will read
            # `crashed` where the program ended otherwise.
            self.unrecorded_end = f"{self._record.name} not written: {e.strerror or e}"
