"""A wrapped run from start to end: open the plan's recording, start the child, pump its
console and signals, record its end (what is recorded is the recording's: wrap/recording.py)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable, Dict, Optional

from runwrap import env as envnames
from runwrap.notices import warn_once
from runwrap.store.clock import RunClock
from runwrap.wrap import terminal
from runwrap.wrap.child import Child, hand_off, spawn_pipes, spawn_pty
from runwrap.wrap.console import ConsoleLog
from runwrap.wrap.plan import RunPlan
from runwrap.wrap.pump import Pump
from runwrap.wrap.recording import NotRecorded, signal_name_of
from runwrap.wrap.signals import FORWARDED, SignalRelay


def exit_code_of(status: int) -> int:
    """The shell's convention: the exit code, or 128+N when killed by signal N."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


def child_env(plan: RunPlan, recording: NotRecorded, clock: RunClock) -> Dict[str, str]:
    """The child's environment: the user's, plus the run's RUNWRAP_* contract."""
    env = dict(os.environ)
    for name in envnames.RUN_VARIABLES:
        env.pop(name, None)
    values = recording.child_variables(plan, clock)
    env.update({k: v for k, v in values.items() if v is not None})
    if not plan.use_pty and envnames.PYTHONUNBUFFERED not in os.environ:
        env[envnames.PYTHONUNBUFFERED] = "1"
    if recording.run_dir is not None:
        _route_wandb(env, recording.run_dir)
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



class WrappedRun:
    """One execution of `runwrap run`: the plan's recording opened, the child run to its end,
    the end recorded. `execute(on_start)` lets the CLI print."""

    def __init__(self, plan: RunPlan):
        self.plan = plan
        self.recording: NotRecorded = plan.recording
        self.exit_code: Optional[int] = None
        self.status: Optional[str] = None
        self.error: Optional[str] = None  # why the program did not start
        self.duration: float = 0.0

    @property
    def run_dir(self) -> Optional[Path]:
        return self.recording.run_dir

    @property
    def unrecorded_end(self) -> Optional[str]:
        """Why the end of the run is not recorded (a full disk), or None."""
        return self.recording.unrecorded_end

    def execute(self, on_start: Optional[Callable[[Path], None]] = None) -> int:
        """Run the child to its end and record it; `on_start(run_dir)` is called once the run
        directory exists, before the child starts. Returns the exit status to exit with."""
        # Held from before the run directory is made until the end is recorded: a signal in
        # between reaches the program, or ends the run before it starts; never runwrap alone.
        relay = SignalRelay()
        relay.install()
        try:
            return self._execute(relay, on_start)
        finally:
            relay.restore()

    def _execute(self, relay: SignalRelay, on_start: Optional[Callable[[Path], None]]) -> int:
        plan = self.plan
        recording = self.recording = self.recording.open(plan)
        if recording.run_dir is not None and on_start is not None:
            on_start(recording.run_dir)
        if plan.start_failure is not None:
            return self._not_started(plan.start_failure.exit_code, plan.start_failure.reason)
        if relay.pending:
            return self._killed_before_start(relay.pending[0])
        clock = RunClock(time.time(), time.monotonic())
        console = ConsoleLog(recording.output_log(),
                             on_error=lambda e: warn_once(
                                 "output.log", f"cannot write output.log: {e.strerror}", e))
        stdin_tty = os.isatty(0)
        interactive = stdin_tty and terminal.is_foreground(0)
        raw = terminal.RawInput(0) if plan.use_pty and interactive else None

        # The child starts before runwrap has any thread (fork safety).
        try:
            child = self._spawn(child_env(plan, recording, clock), interactive)
        except OSError as e:  # exec failed after the lookup (a bad interpreter line, ENOMEM)
            return self._not_started(127 if isinstance(e, FileNotFoundError) else 126,
                                     f"{plan.options.command[0]}: {e.strerror or e}")
        forwarded = FORWARDED
        if child.pgid == os.getpgrp():
            # The terminal sends ^C, ^\ and hangups to the child itself (same group).
            forwarded = (signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2)
        stdin_fd = 0 if child.takes_input and interactive else None
        # From here every signal (and any that came while it was starting) reaches the child.
        pump = Pump(child, console, relay, forwarded, raw, stdin_fd)
        if raw is not None:
            raw.enter()
        try:
            recording.start(plan, child, clock, console)
            status = pump.run()
            hand_off(pump.left_open())
        finally:
            if raw is not None:
                raw.leave()
            child.close()
        self.exit_code = exit_code_of(status)
        self.duration = clock.runtime()  # monotonic: a clock stepped back moves it not
        console.close()
        self.status = recording.finish(status, self.exit_code,
                                       signal_name_of(status, pump.escalation), self.duration)
        return self.exit_code

    def _spawn(self, env: Dict[str, str], interactive: bool) -> Child:
        plan = self.plan
        if plan.use_pty:
            size_from = 1 if os.isatty(1) else (0 if os.isatty(0) else None)
            # Only a terminal stdin goes through the pty; a pipe, file or /dev/null stays
            # what it is, byte for byte (and isatty() answers as it would without runwrap).
            return spawn_pty(plan.options.command, env, size_from, stdin_on_pty=os.isatty(0))
        return spawn_pipes(plan.options.command, env, own_group=not interactive)

    def _killed_before_start(self, sig: int) -> int:
        """A signal came before the program was started: it is not started, and the run ends
        killed by that signal, as the program would have been."""
        name = signal.Signals(sig).name
        self.exit_code = 128 + sig
        self.error = f"the program never started: {name} came before runwrap started it"
        self.status = self.recording.not_started(self.exit_code, self.error, self.duration,
                                                 signal_name=name)
        return self.exit_code

    def _not_started(self, exit_code: int, reason: str) -> int:
        """The program could not be started: the run ends `failed` with the shell's exit
        status and the reason, as a run of its own (a cron job's missing program shows)."""
        self.exit_code, self.error = exit_code, reason
        self.status = self.recording.not_started(exit_code, reason, self.duration)
        return exit_code
