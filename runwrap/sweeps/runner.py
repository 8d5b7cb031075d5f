"""The agent: claims trials of a sweep and runs each as an ordinary runwrap run.

A sweep with a program runs each trial through the real wrapper (`runwrap run --group SWEEP
--config PARAMS -- COMMAND`), so its metric comes from anything runwrap records and an early
stop goes through the wrapper's own signal path: the agent writes the run's stop.json, then
sends the wrapper SIGTERM, which it forwards to the program; the run ends `stopped`. Each
trial's wrapper is forked by the slot's standby, a process with runwrap already loaded
(sweeps/standby.py), so a trial does not pay a Python start. The wrapper ends with its agent
(wrap/orphan.py: Linux's parent-death signal, which follows the thread that started the
process; each agent slot waits for its wrapper before its thread may end), so a killed agent
leaves no trial running unseen.

`runwrap.agent(sweep_id, function=train)` runs train() in this process instead: the agent
creates the trial's run and train()'s `runwrap.init()` attaches to it, getting the trial's
parameters as its config, as wandb's agent does.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap import env as envnames
from runwrap.store import documents
from runwrap.store import sweeps as store
from runwrap.store.ids import new_run_id
from runwrap.store.layout import RUN_JSON, run_dir as run_dir_of
from runwrap.store.lifecycle import request_stop
from runwrap.store.owner import effective_status, owner_identity
from runwrap.store.summary import flat, load_summary
from runwrap.sweeps.command import build_command, uses_json_file
from runwrap.sweeps.follow import MetricFollower
from runwrap.sweeps.search import HEARTBEAT, Claim, Search
from runwrap.sweeps.standby import (INTERRUPTED, ColdWrapper, ForkedWrapper, Standby,
                                    wait_quietly)

POLL = 0.2  # seconds between looks at a running trial's metric
STOP_GRACE = 10.0  # after SIGTERM, the program gets this long before SIGKILL


class TrialResult:
    def __init__(self, number: int, run_id: str, state: str, value: Optional[float],
                 reason: Optional[str] = None):
        self.number = number
        self.run_id = run_id
        self.state = state
        self.value = value
        self.reason = reason


class Agent:
    """Runs up to `count` trials of the sweep at `sweep`, `parallel` at a time."""

    def __init__(self, root: Path, sweep: Path, count: Optional[int] = None, parallel: int = 1,
                 storage: Optional[str] = None,
                 function: Optional[Callable[[], Any]] = None,
                 wrap_options: Optional[List[str]] = None,
                 on_event: Callable[[str], None] = lambda line: None):
        self.root = Path(root)
        self.dir = sweep
        self.doc = store.read_sweep(sweep)
        self.local = threading.local()  # .standby: the slot's Standby
        # The first slot's standby starts now, while Optuna loads and the study opens.
        self.first: Optional[Standby] = None if function else Standby(self._wrapper_env())
        try:
            self.search = Search(sweep, self.doc, storage)
        except BaseException:
            if self.first is not None:
                self.first.close()
            raise
        self.spec = self.search.spec
        self.project = self.doc["project"]
        self.count = count
        self.parallel = max(1, parallel)
        self.function = function
        self.wrap_options = list(wrap_options or [])  # `runwrap run` options for each trial
        self.say = on_event
        self.started = 0
        self.lock = threading.Lock()
        self.results: List[TrialResult] = []
        self.interrupted = False

    def run(self) -> List[TrialResult]:
        """Run trials until done; KeyboardInterrupt (^C) once the running trials have
        recorded their end (the terminal interrupted their programs too)."""
        try:
            self._run_slots()
        finally:
            if self.first is not None:  # no slot claimed a trial
                self.first.close()
                self.first = None
        if self.interrupted:
            raise KeyboardInterrupt
        return self.results

    def _run_slots(self) -> None:
        if self.function is not None or self.parallel == 1:
            self._loop()
        else:
            # Each slot says when it is done with an Event: a Thread.join() that ^C
            # interrupts can leave is_alive() False while the thread still runs (CPython).
            done = [threading.Event() for _ in range(self.parallel)]
            for i in range(self.parallel):
                threading.Thread(target=self._slot, args=(done[i],), daemon=True,
                                 name=f"runwrap-agent-{i}").start()
            for event in done:
                while not event.is_set():
                    try:
                        event.wait(0.5)
                    except KeyboardInterrupt:
                        self.interrupted = True  # each slot ends with its trial

    def _slot(self, done: threading.Event) -> None:
        try:
            self._loop()
        finally:
            done.set()

    def _loop(self) -> None:
        try:
            while not self.interrupted:
                with self.lock:
                    if self.count is not None and self.started >= self.count:
                        return
                    claim = self.search.claim()
                    if claim is None:
                        return
                    self.started += 1
                result = self._run_trial(claim)
                with self.lock:
                    self.results.append(result)
        finally:
            standby, self.local.standby = getattr(self.local, "standby", None), None
            if standby is not None:
                standby.close()

    # -- one trial ------------------------------------------------------------------------
    def _run_trial(self, claim: Claim) -> TrialResult:
        run_id = new_run_id()
        doc = {"number": claim.number, "project": self.project, "run_id": run_id,
               "params": claim.config, "state": "running", "value": None, "iteration": 0,
               "start_time": time.time(), "end_time": None, "reason": None,
               "retry_of": claim.retry_of, "agent": owner_identity(),
               "heartbeat": time.time()}
        # Not fsynced (store/sweeps.py says why): these two are on every trial's path.
        store.write_trial(self.dir, doc, durable=False)
        params_file = store.args_json_file(self.dir, claim.number)
        documents.write_json(params_file, claim.config, durable=False)
        self.say(f"trial {claim.number}: run {self.project}/{run_id} "
                 f"{json.dumps(claim.config)}")
        try:
            if self.function is not None:
                state, reason = self._call_function(claim, run_id)
            else:
                state, reason = self._spawn(claim, run_id, params_file)
        except KeyboardInterrupt:
            self.interrupted = True
            state, reason = "killed", "the agent was interrupted"
        value = self._final_value(run_id) if self.spec.metric else None
        if state == "finished" and self.spec.metric and value is None:
            reason = (f"metric {self.spec.metric!r} was not recorded; `runwrap show "
                      f"{run_id}` lists what the run recorded")
        self.search.finish(claim, state, value)
        doc.update(state=state, value=value, iteration=len(claim.history),
                   end_time=time.time(), reason=reason, heartbeat=time.time())
        store.write_trial(self.dir, doc)
        shown = "" if value is None else f" {self.spec.metric}={value:g}"
        self.say(f"trial {claim.number}: {state}{shown}" + (f" ({reason})" if reason else ""))
        return TrialResult(claim.number, run_id, state, value, reason)

    def _final_value(self, run_id: str) -> Optional[float]:
        path = run_dir_of(self.root, self.project, run_id)
        if not (path / RUN_JSON).is_file():
            return None
        meta = documents.read_json(path / RUN_JSON, {}) or {}
        value = flat(load_summary(path), meta.get("metrics")).get(self.spec.metric or "")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)

    def _spawn(self, claim: Claim, run_id: str, params_file: Path) -> tuple:
        command = build_command(self.spec.command, claim.config, self.spec.program,
                                str(params_file) if uses_json_file(self.spec.command) else None)
        argv = [sys.executable, "-m", "runwrap", "run", "--dir", str(self.root),
                "--project", self.project, "--group", self.doc["id"], "--id", run_id,
                "--config", str(params_file)] + self.wrap_options + ["--"] + command
        if self.spec.config.get("entity"):
            argv[argv.index("--config"):argv.index("--config")] = [
                "--entity", self.spec.config["entity"]]
        proc = self._start_wrapper(argv)
        path = run_dir_of(self.root, self.project, run_id)
        follower = MetricFollower(path, self.spec.metric) if self.spec.metric else None
        stop_reason: Optional[str] = None
        stop_sent: Optional[float] = None
        beat = time.monotonic()
        try:
            while not proc.exited(POLL):
                if follower is not None and stop_sent is None:
                    for value in follower.new_values():
                        if self.search.report(claim, value):
                            stop_reason = self._stop_reason(claim)
                            stop_sent = self._stop(proc, path, stop_reason)
                            break
                if stop_sent is not None and time.monotonic() - stop_sent > STOP_GRACE:
                    _kill_program(path)
                    stop_sent = float("inf")
                if time.monotonic() - beat > HEARTBEAT:
                    beat = time.monotonic()
                    self._heartbeat(claim, run_id)
        except KeyboardInterrupt:
            # The terminal sent ^C to the wrapper as well: let it record its run.
            wait_quietly(proc)
            raise
        if follower is not None and stop_sent is None:
            for value in follower.new_values():
                self.search.report(claim, value)
        meta = documents.read_json(path / RUN_JSON, {}) or {}
        if not meta and proc.returncode in INTERRUPTED:
            raise KeyboardInterrupt  # ^C reached it before it recorded anything
        state = effective_status(meta) if meta else "failed"
        if state == "running":
            state = "failed"
        if stop_reason is not None:
            state = "stopped"
        reason = stop_reason or meta.get("error") or (
            f"exit code {proc.returncode}" if state == "failed" else None)
        return state, reason

    def _wrapper_env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env[envnames.WANDB_SWEEP_ID] = self.doc["id"]
        env[envnames.AGENT_PID] = str(os.getpid())  # the wrapper ends with this agent
        for name in envnames.RUN_VARIABLES:  # an agent run under `runwrap` starts fresh runs
            env.pop(name, None)
        return env

    def _start_wrapper(self, argv: List[str]) -> "ForkedWrapper | ColdWrapper":
        """`argv` (`python -m runwrap run ...`) running, forked by this slot's standby: the
        one the agent started with, else one of the slot's own, started now (its imports
        take what a cold wrapper's would) and kept for the slot's next trials. Started cold
        when the standby died."""
        standby = getattr(self.local, "standby", None)
        if standby is None:
            with self.lock:
                standby, self.first = self.first, None
        standby = standby or Standby(self._wrapper_env())
        proc = standby.start(argv[3:])  # the words after `-m runwrap`
        self.local.standby = standby if proc is not None else None
        return proc or ColdWrapper(argv, self._wrapper_env())

    def _stop_reason(self, claim: Claim) -> str:
        value = claim.history[-1]
        return (f"hyperband: {self.spec.metric}={value:g} at iteration "
                f"{len(claim.history) - 1} is outside the best 1/"
                f"{self.spec.early_terminate['eta']} of the trials there")  # type: ignore

    def _stop(self, proc: "ForkedWrapper | ColdWrapper", path: Path, reason: str) -> float:
        try:
            request_stop(path, {"by": f"sweep {self.doc['id']}", "reason": reason})
        except OSError:
            pass  # the run directory is gone: the signal still stops the program
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        return time.monotonic()

    def _heartbeat(self, claim: Claim, run_id: str) -> None:
        doc = store.read_trial(self.dir, claim.number)
        if doc is not None and doc.get("state") == "running":
            doc.update(heartbeat=time.time(), iteration=len(claim.history))
            store.write_trial(self.dir, doc, durable=False)

    # -- a function in this process -----------------------------------------------------
    def _call_function(self, claim: Claim, run_id: str) -> tuple:
        # start-up: loaded only on the path that needs it
        from runwrap.sweeps.inprocess import run_function

        return run_function(self, claim, run_id)


def _kill_program(path: Path) -> None:
    """The program ignored SIGTERM for STOP_GRACE: SIGKILL its process group."""
    pid = (documents.read_json(path / RUN_JSON, {}) or {}).get("child_pid")
    if isinstance(pid, int):
        try:
            group = os.getpgid(pid)
            if group == os.getpgrp():
                os.kill(pid, signal.SIGKILL)
            else:
                os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
