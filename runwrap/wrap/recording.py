"""How one wrapped execution is recorded, chosen once in the plan (wrap/plan.py):

    NotRecorded   --mode disabled, or no store to record in: the program runs as it would bare
    OwnRun        a run of its own: run.json, output.log, summary.json, git state, the upload
    JobPart       one task of a launcher job's run: its part record, output.<part>.log; the
                  first task also records git state and uploads; nobody writes summary.json

Each kind owns its log names, the document it writes (run.json or the part's record) and what
it writes at the start and the end, so that the runner (wrap/runner.py) reads top to bottom
and never asks which kind it has.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from runwrap import env as envnames
from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.collectors.gitstate import END_WAIT, record_in_background
from runwrap.notices import no_space
from runwrap.store import documents
from runwrap.store.clock import RunClock
from runwrap.store.create import NoSpaceForRun
from runwrap.store.layout import (CONFIG_YAML, OUTPUT_LOG, RUN_JSON, SUMMARY_JSON,
                                  SUMMARY_USER_JSON)
from runwrap.store.lifecycle import CLI_SPELLING, final_status, finish_run, resume_target
from runwrap.store.opening import join_job, open_run
from runwrap.store.owner import hostname, owner_identity
from runwrap.store.parts import Joined
from runwrap.store.run_info import RunInfo
from runwrap.store.secrets import mask_argv
from runwrap.store.summary import summarize_streams
from runwrap.wrap.collect import build_collectors
from runwrap.wrap.launcher import Job, safe_host
from runwrap.wrap.upload import start_upload, stop_upload

if TYPE_CHECKING:  # the plan holds the recording; the recording reads the plan
    from runwrap.wrap.console import ConsoleLog
    from runwrap.wrap.child import Child
    from runwrap.wrap.plan import RunPlan


class NotRecorded:
    """Nothing is written; the child is told the run is disabled, so its init() writes nothing
    either."""

    run_dir: Optional[Path] = None
    noun = "run"  # how the CLI names what is recorded
    unrecorded_end: Optional[str] = None  # why the end of a recorded run is not recorded

    def open(self, plan: RunPlan) -> "NotRecorded":
        """The recording this execution makes (NotRecorded: itself)."""
        return self

    def output_log(self) -> Optional[str]:
        """The console's file, or None."""
        return None

    def child_variables(self, plan: RunPlan, clock: RunClock) -> Dict[str, Optional[str]]:
        """The RUNWRAP_* contract for the child (runwrap/env.py says what each means)."""
        return {envnames.MODE: "disabled", envnames.PROJECT: plan.project,
                envnames.ENTITY: plan.options.entity, envnames.WRAPPER_PID: str(os.getpid())}

    def start(self, plan: RunPlan, child: Child, clock: RunClock, console: ConsoleLog) -> None:
        """Once the child runs: what is recorded while it runs starts here."""

    def finish(self, status: int, exit_code: int, signal_name: Optional[str],
               duration: float) -> str:
        """After the child ended: stop recording, record the end. Returns the run's status."""
        return final_status(exit_code, signal_name)

    def not_started(self, exit_code: int, reason: str, duration: float,
                    signal_name: Optional[str] = None) -> str:
        """The program was not started: record the run's end with `reason` (failed, or
        killed by `signal_name` when a signal came first)."""
        return final_status(exit_code, signal_name)


class OwnRun(NotRecorded):
    """A run of its own: creates (or continues) the run directory and owns its run.json."""

    noun = "run"

    def __init__(self) -> None:
        self.run_dir: Optional[Path] = None
        self.collectors: List[Collector] = []
        self._git: Optional[threading.Thread] = None
        self._uploader: Any = None
        self._timeout = 0.0  # how long the end waits for the upload (--sync-timeout)
        self._reserve: Optional[documents.SpaceReserve] = None  # room for the run's end
        self.unrecorded_end: Optional[str] = None

    # -- opening -----------------------------------------------------------------------------
    def open(self, plan: RunPlan) -> NotRecorded:
        """Open the run directory; when there is no room to, the program still runs, not
        recorded (docs/failures.md)."""
        try:
            self.run_dir = self._open_dir(plan)
        except (NoSpaceForRun, OSError) as e:
            if isinstance(e, OSError) and not no_space(e):
                raise
            why = e if isinstance(e, NoSpaceForRun) else f"cannot open the run: {e.strerror}"
            warn_once("unrecorded", f"{why}; the program runs, not recorded")
            return NotRecorded()
        self._reserve = documents.SpaceReserve(self.run_dir, self.part_name)
        return self

    @property
    def part_name(self) -> Optional[str]:
        """The job part this wrapper records (None: the whole run)."""
        return None

    def _open_dir(self, plan: RunPlan) -> Path:
        def recheck() -> Optional[RunInfo]:
            # Another runwrap made this id between the plan's check and now (several started
            # at the same instant): decide again, as if it had been there all along, so the
            # message is the CLI's (--resume allow; still running) and `allow` can continue it.
            if plan.options.id is None:
                return None
            plan.resume_from = resume_target(
                plan.root, plan.project, plan.options.id, plan.options.resume, plan.program,
                mask_argv(plan.options.command), CLI_SPELLING)
            return plan.resume_from

        return open_run(plan.root, plan.project, plan.run_id, run_meta(plan), "wrapper",
                        config=plan.config,
                        continues=plan.resume_from.dir if plan.resume_from else None,
                        recheck=recheck, empty_config_file=True,
                        config_failed=lambda e: warn_once(
                            "config", f"cannot write config.yaml: {e.strerror}", e))

    # -- what it owns --------------------------------------------------------------------------
    def output_log(self) -> Optional[str]:
        return str(self._dir / OUTPUT_LOG)

    @property
    def _dir(self) -> Path:
        assert self.run_dir is not None, "open() first"
        return self.run_dir

    @property
    def document(self) -> Path:
        """The document this wrapper owns and ends: run.json."""
        return self._dir / RUN_JSON

    @property
    def writes_run_facts(self) -> bool:
        """Whether this wrapper records the run's git state and uploads it."""
        return True

    def child_variables(self, plan: RunPlan, clock: RunClock) -> Dict[str, Optional[str]]:
        values = super().child_variables(plan, clock)
        values.update({
            envnames.MODE: plan.mode,
            envnames.RUN_ID: plan.run_id,
            envnames.RUN_DIR: str(self._dir),
            envnames.NAME: plan.name,
            envnames.GROUP: plan.options.group,
            envnames.JOB_TYPE: plan.options.job_type,
            envnames.TAGS: ",".join(plan.tags),
            envnames.NOTES: plan.options.notes,
            envnames.CONFIG_FILE: str(self._dir / CONFIG_YAML),
            envnames.START_MONOTONIC: repr(clock.start_monotonic),
        })
        return values

    # -- while the child runs ------------------------------------------------------------------
    def start(self, plan: RunPlan, child: Child, clock: RunClock, console: ConsoleLog) -> None:
        self._note_child(child)
        if plan.cwd is None:
            warn_once("cwd", "the working directory no longer exists: its git state, "
                             "TensorBoard discovery and relative --metrics-file paths "
                             "are not recorded")
        elif self.writes_run_facts:
            self._git = record_in_background(self._dir, Path(plan.cwd))
        self._start_collectors(plan, child, clock, console)
        if self.writes_run_facts:
            # In a job the first task uploads (every part's streams, each once, by the cursor
            # per stream file); what is left when it ends waits for `runwrap sync`.
            self._uploader = start_upload(plan.mode, plan.options.tracking_uri, self._dir)
            self._timeout = plan.options.sync_timeout

    def _note_child(self, child: Child) -> None:
        try:
            documents.update_json(self.document,
                                  lambda doc: doc.__setitem__("child_pid", child.pid))
        except OSError as e:
            warn_once("run.json", f"cannot update {self.document.name}: {e.strerror}", e)

    def _context(self, plan: RunPlan, cwd: str, child: Child, clock: RunClock
                 ) -> CollectorContext:
        return CollectorContext(run_dir=self._dir, start_time=clock.start_time, cwd=Path(cwd),
                                store_root=plan.root, child_pid=child.pid, clock=clock)

    def _start_collectors(self, plan: RunPlan, child: Child, clock: RunClock,
                          console: ConsoleLog) -> None:
        options = plan.options
        cwd = plan.cwd
        if cwd is None:  # deleted: relative paths lead nowhere, and there is nothing to walk
            cwd = os.path.join(os.sep, "nonexistent-working-directory")
            import copy  # start-up: its import looks for Jython's modules on every start

            options = copy.copy(options)
            options.tensorboard_discovery = False
        self.collectors = build_collectors(options, self._context(plan, cwd, child, clock))
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

    # -- the end -------------------------------------------------------------------------------
    def finish(self, status: int, exit_code: int, signal_name: Optional[str],
               duration: float) -> str:
        if self._git is not None:
            self._git.join(END_WAIT)
        skipped = self._stop_collectors()
        try:
            return self._record_end(exit_code, signal_name, duration, skipped=skipped)
        finally:
            stop_upload(self._uploader, self._timeout)

    def not_started(self, exit_code: int, reason: str, duration: float,
                    signal_name: Optional[str] = None) -> str:
        return self._record_end(exit_code, signal_name, duration, error=reason, check=False)

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

    def _record_end(self, exit_code: int, signal_name: Optional[str], duration: float,
                    skipped: Optional[dict] = None, error: Optional[str] = None,
                    check: bool = True) -> str:
        self._release_reserve()
        if check and not self.document.is_file():
            # Deleted or replaced during the run: say so once, and do not write a run.json
            # of end fields only into a directory a late collector write may have recreated.
            warn_once("run-dir", f"the run directory {self.run_dir} was removed or replaced "
                                 f"during the run; the end of the run is not recorded")
            return final_status(exit_code, signal_name)
        if check:
            self._write_summary()
        try:
            return finish_run(self._dir, exit_code, signal_name, skipped, error,
                              record=self._end_record(), duration=duration)
        except OSError as e:
            # Said at exit even after a warning of the same kind: the run will read
            # `crashed` where the program ended otherwise.
            self.unrecorded_end = f"{self.document.name} not written: {e.strerror or e}"
            return final_status(exit_code, signal_name)

    def _end_record(self) -> Optional[Path]:
        """Where finish_run writes the end: run.json (None: its default)."""
        return None

    def _release_reserve(self) -> None:
        """Free the room held for the end of the run, just before the end is written."""
        if self._reserve is not None:
            self._reserve.release()
            self._reserve = None

    def _write_summary(self) -> None:
        try:
            user = documents.read_json(self._dir / SUMMARY_USER_JSON, {}) or {}
            # define_metric() of an attached init() (run.json `metrics`) shapes the summary.
            meta = documents.read_json(self._dir / RUN_JSON, {}) or {}
            summary = summarize_streams(self._dir).result(user, meta.get("metrics"))
            documents.write_json(self._dir / SUMMARY_JSON, summary)
        except OSError as e:
            warn_once("summary", f"summary.json not written: {e.strerror}", e)


class JobPart(OwnRun):
    """One task of a launcher job's run (store/parts.py): it owns its part record and its own
    files; run.json and config.yaml are the first task's."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.joined: Optional[Joined] = None

    @property
    def noun(self) -> str:  # type: ignore[override]
        return f"part {self.job.part} of run"

    @property
    def part_name(self) -> Optional[str]:
        return self.job.part

    def _open_dir(self, plan: RunPlan) -> Path:
        job = self.job
        meta = run_meta(plan)
        meta["job"] = job.record()
        record = {"part": job.part, "rank": job.rank, "local_rank": job.local_rank,
                  "node": job.node, "host": hostname(), "launcher": job.launcher,
                  "status": "running", "start_time": time.time(), "end_time": None,
                  "duration": None, "exit_code": None, "signal": None, "child_pid": None,
                  "owner": dict(owner_identity(), kind="wrapper")}
        self.joined = join_job(plan.root, plan.project, plan.run_id, meta, job.part, record,
                               plan.config)
        plan.run_id = self.joined.run_id
        if not self.joined.created:
            first = documents.read_json(self.joined.dir / RUN_JSON, {}) or {}
            plan.name = first.get("name") or plan.name
        return self.joined.dir

    def output_log(self) -> Optional[str]:
        return str(self._dir / f"output.{self.job.part}.log")

    @property
    def document(self) -> Path:
        """This task's part record."""
        assert self.joined is not None
        return self.joined.record

    @property
    def writes_run_facts(self) -> bool:
        """Only the task that created the run records git state and uploads."""
        return self.joined is not None and self.joined.created

    def child_variables(self, plan: RunPlan, clock: RunClock) -> Dict[str, Optional[str]]:
        values = super().child_variables(plan, clock)
        values[envnames.PART] = self.job.part
        # The tasks' programs start at their own moments: each init() keeps its own clock.
        values.pop(envnames.START_MONOTONIC)
        return values

    def _context(self, plan: RunPlan, cwd: str, child: Child, clock: RunClock
                 ) -> CollectorContext:
        ctx = super()._context(plan, cwd, child, clock)
        ctx.part, ctx.host_part = self.job.part, safe_host(hostname())
        ctx.samples_host = self.job.samples_host
        ctx.reads_files = self.writes_run_facts
        return ctx

    def _write_summary(self) -> None:
        """None: a job's summary spans every part's streams, and no part knows it is the last;
        readers summarize the streams themselves while summary.json is absent."""

    def _end_record(self) -> Optional[Path]:
        return self.document


def run_meta(plan: RunPlan) -> Dict[str, Any]:
    """run.json's content for this start: identity, command, options and where each came from."""
    o = plan.options
    meta = {"entity": o.entity, "name": plan.name, "notes": o.notes, "tags": plan.tags,
            "group": o.group, "job_type": o.job_type, "mode": plan.mode}
    meta.update({"command": mask_argv(o.command), "program": plan.program, "cwd": plan.cwd,
                 "options": _options_record(plan), "exit_code": None, "signal": None,
                 "end_time": None, "duration": None})
    return meta


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


def signal_name_of(status: int, escalation: Optional[str]) -> Optional[str]:
    """The signal the run ends by: the one that killed the child, else the one runwrap sent
    after repeated interrupts (the run ends `killed` by it even when the program caught it)."""
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return signal.Signals(sig).name if sig else escalation
