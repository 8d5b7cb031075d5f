"""A trial that is a function of this process (`runwrap.agent(sweep_id, function=train)`).

The agent plays the wrapper's part: it creates the trial's run (group = the sweep, config = the
trial's parameters) and names it in the RUNWRAP_* variables, so train()'s `runwrap.init()`
attaches to it and finds the parameters in its config, winning over init(config=defaults) as a
sweep's values do in wandb. The agent records the end: finished when train() returns, failed on
an exception (the next trial still runs, as in wandb). Early termination interrupts the main
thread (KeyboardInterrupt inside train()) and the run ends `stopped`.
"""
from __future__ import annotations

import _thread
import os
import threading
import traceback
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from runwrap import env as envnames
from runwrap.store import documents
from runwrap.store.layout import CONFIG_YAML, SUMMARY_JSON, SUMMARY_USER_JSON, RUN_JSON
from runwrap.store.lifecycle import finish_run, request_stop
from runwrap.store.opening import open_run
from runwrap.store.summary import summarize_streams
from runwrap.sweeps.follow import MetricFollower
from runwrap.sweeps.search import HEARTBEAT, Claim

if TYPE_CHECKING:
    from runwrap.sweeps.runner import Agent


def run_function(agent: "Agent", claim: Claim, run_id: str) -> Tuple[str, Optional[str]]:
    sweep_id = agent.doc["id"]
    meta = {"name": f"{agent.doc.get('name') or sweep_id}-{claim.number}", "group": sweep_id,
            "entity": agent.spec.config.get("entity"),
            "tags": [], "job_type": None, "notes": None, "mode": "offline",
            "sweep_id": sweep_id, "program": getattr(agent.function, "__name__", None)}
    path = open_run(agent.root, agent.project, run_id, meta, "agent", config=claim.config)
    saved = _enter(path, run_id, agent.project, sweep_id)
    watcher = _Watcher(agent, claim, path) if agent.spec.early_terminate else None
    beating = threading.Event()
    threading.Thread(target=_heartbeat, args=(agent, claim, run_id, beating), daemon=True,
                     name="runwrap-sweep-heartbeat").start()
    exit_code, reason, stopped = 0, None, False
    try:
        try:
            assert agent.function is not None
            agent.function()
        finally:
            beating.set()
            _finish_open_runs()
            if watcher is not None:
                watcher.done.set()
    except KeyboardInterrupt:
        if watcher is None or not watcher.stopping:
            _record(path, 130, "SIGINT", None)
            raise
        stopped = True
        exit_code, reason = 0, watcher.reason
    except Exception as e:
        exit_code = 1
        reason = f"{type(e).__name__}: {e}"
        agent.say("".join(traceback.format_exception(type(e), e, e.__traceback__)).rstrip())
    finally:
        _leave(saved)
    if agent.spec.metric and not stopped:
        follower = watcher.follower if watcher is not None else MetricFollower(
            path, agent.spec.metric)
        for value in follower.new_values():
            agent.search.report(claim, value)
    status = _record(path, exit_code, None, reason)
    return status, reason


def _record(path: Any, exit_code: int, signal_name: Optional[str],
            error: Optional[str]) -> str:
    try:
        user = documents.read_json(path / SUMMARY_USER_JSON, {}) or {}
        meta = documents.read_json(path / RUN_JSON, {}) or {}
        documents.write_json(path / SUMMARY_JSON,
                             summarize_streams(path).result(user, meta.get("metrics")))
    except OSError:
        pass
    return finish_run(path, exit_code, signal_name, error=error)


def _enter(path: Any, run_id: str, project: str, sweep_id: str) -> Dict[str, Optional[str]]:
    values = {envnames.RUN_ID: run_id, envnames.RUN_DIR: str(path),
              envnames.PROJECT: project, envnames.GROUP: sweep_id,
              envnames.CONFIG_FILE: str(path / CONFIG_YAML), envnames.MODE: "offline",
              envnames.WRAPPER_PID: str(os.getpid()), envnames.WANDB_SWEEP_ID: sweep_id}
    saved = {name: os.environ.get(name) for name in set(values) | set(envnames.RUN_VARIABLES)}
    for name in envnames.RUN_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(values)
    return saved


def _leave(saved: Dict[str, Optional[str]]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _finish_open_runs() -> None:
    """train() may return without run.finish(): the next trial's init() must start afresh."""
    from runwrap.sdk.run import state  # start-up: loaded only on the path that needs it

    for run in state.open_runs():
        try:
            run.finish()
        except Exception:
            pass


def _heartbeat(agent: "Agent", claim: Claim, run_id: str, done: threading.Event) -> None:
    """Agents on other machines tell a live trial from a lost one by its heartbeat."""
    while not done.wait(HEARTBEAT):
        agent._heartbeat(claim, run_id)


class _Watcher:
    """Follows the metric while train() runs; on an early stop, interrupts the main thread."""

    def __init__(self, agent: "Agent", claim: Claim, path: Any):
        self.agent, self.claim, self.path = agent, claim, path
        self.follower = MetricFollower(path, agent.spec.metric or "")
        self.done = threading.Event()
        self.stopping = False
        self.reason: Optional[str] = None
        threading.Thread(target=self._watch, name="runwrap-sweep-watch", daemon=True).start()

    def _watch(self) -> None:
        while not self.done.wait(0.2):
            for value in self.follower.new_values():
                if self.agent.search.report(self.claim, value):
                    self.reason = self.agent._stop_reason(self.claim)
                    request_stop(self.path, {"by": f"sweep {self.agent.doc['id']}",
                                             "reason": self.reason})
                    self.stopping = True
                    _thread.interrupt_main()
                    return
