"""wandb's process-level calls: login(), setup(), teardown(), mark_preempting(), AlertLevel.

Offline there is nobody to log in to: `login()` checks its arguments, keeps no key (nothing
is written to disk) and returns False, as wandb does when it cannot verify a login offline.
"""
from __future__ import annotations

import enum
from typing import Any, Optional

from runwrap.errors import UsageError
from runwrap.sdk.run import state
from runwrap.store.lifecycle import ANONYMOUS_VALUES


class AlertLevel(str, enum.Enum):
    """`wandb.AlertLevel`: the levels `run.alert(level=...)` takes."""

    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


def login(anonymous: Optional[str] = None, key: Optional[str] = None,
          relogin: Optional[bool] = None, host: Optional[str] = None,
          force: Optional[bool] = None, timeout: Optional[int] = None, verify: bool = False,
          referrer: Optional[str] = None, **_: Any) -> bool:
    """Accepted so wandb code runs; runwrap records locally and keeps no credentials."""
    if anonymous is not None and anonymous not in ANONYMOUS_VALUES:
        raise UsageError(f"login(anonymous={anonymous!r}) is not one of "
                         f"{', '.join(ANONYMOUS_VALUES)}")
    if key is not None and not isinstance(key, str):
        raise UsageError(f"login(key=...) must be a string, got {type(key).__name__}")
    from runwrap.notices import warn_once  # start-up: loaded only on the path that needs it

    if key is not None or host is not None or verify:
        warn_once("login", "wandb.login() ignored: runwrap records locally (and to MLflow "
                           "with RUNWRAP_TRACKING_URI); the key is not kept")
    return False


class Setup:
    """What `setup()` returns: the process's settings (wandb's _WandbSetup)."""

    def __init__(self, settings: Any):
        self.settings = settings

    def __repr__(self) -> str:
        return f"<runwrap setup {self.settings!r}>"


_setup: Optional[Setup] = None


def setup(settings: Any = None) -> Setup:
    """Check `settings` once for the process (the run's own come from init())."""
    global _setup
    # start-up: loaded only on the path that needs it
    from runwrap.sdk.start.settings import Settings, settings_dict

    values = settings_dict(settings)
    if _setup is None:
        _setup = Setup(Settings(**values))
    elif values:
        _setup.settings.update(values)
    return _setup


def teardown(exit_code: Optional[int] = None) -> None:
    """Finish every open run of this process (with `exit_code`, default 0) and forget setup()."""
    global _setup
    for run in state.open_runs():
        run.finish(exit_code=exit_code)
    _setup = None


def mark_preempting() -> None:
    # start-up: loaded only on the path that needs it
    from runwrap.sdk.compat.functions import current_run

    current_run("mark_preempting").mark_preempting()
