"""Who owns a run, and whether that owner is still alive.

A run's status is what its owner last wrote (`running`, `finished`, `failed`, `killed`), except
that a run still marked `running` whose owner process is gone is `crashed`: a reader works that
out from the recorded host, pid and the pid's start time, so a SIGKILL of the owner is visible
without anybody repairing run.json.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

from runwrap import env


def process_start_ticks(pid: int) -> Optional[int]:
    """The start time of `pid` in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(b")") + 2:].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def process_alive(pid: int, start_ticks: Optional[int] = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    if start_ticks is not None:
        now = process_start_ticks(pid)
        if now is not None and now != start_ticks:
            return False
    return True


def hostname() -> str:
    """This machine's name (gethostname(2), as hostname(), without importing socket), or
    RUNWRAP_HOST: tests simulate the nodes of a cluster job on one machine with it."""
    return os.environ.get(env.HOST) or os.uname().nodename


def owner_identity() -> Dict[str, Any]:
    """What a run records about its owner so readers can later tell whether it is still alive."""
    pid = os.getpid()
    return {"host": hostname(), "pid": pid, "pid_start": process_start_ticks(pid)}


def effective_status(meta: Dict[str, Any]) -> str:
    status = meta.get("status", "crashed")
    if status != "running":
        return status
    owner = meta.get("owner") or {}
    pid = owner.get("pid")
    if not isinstance(pid, int) or owner.get("host") != hostname():
        return status  # another machine's run: we cannot tell, trust the document
    return status if process_alive(pid, owner.get("pid_start")) else "crashed"
