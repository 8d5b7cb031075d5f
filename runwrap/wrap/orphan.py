"""A trial's wrapper ends with the sweep agent that started it.

`runwrap agent` names itself in RUNWRAP_AGENT_PID. The wrapper asks Linux for SIGTERM when its
parent dies (PR_SET_PDEATHSIG), so a killed agent stops its trial through the wrapper's own
signal path: the program gets SIGTERM and the run is recorded. Set here rather than by the
agent between fork and exec: a preexec function forces a full fork() of the agent, which has
Optuna loaded, and costs tens of milliseconds per trial. A wrapper forked by the agent's
standby (cli/standby.py) asks for the same on the standby, which asks for it on the agent.
"""
from __future__ import annotations

import os

from runwrap import env


def die_with_agent() -> None:
    """Called first thing by `runwrap` when RUNWRAP_AGENT_PID is set; removes it, so that the
    program (and a runwrap it runs) does not inherit it."""
    expected = os.environ.pop(env.AGENT_PID, None)
    if expected and expected.isdigit():
        die_with_parent(int(expected))


def die_with_parent(expected: int) -> None:
    """SIGTERM to this process when its parent dies; at once if the parent is no longer
    `expected` (it died before the request took hold)."""
    try:
        import ctypes  # start-up: only for a sweep's trial (both imports)
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
        if os.getppid() != expected:
            os.kill(os.getpid(), signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: a trial outlives its killed agent and is found crashed later
