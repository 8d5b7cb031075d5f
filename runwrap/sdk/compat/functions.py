"""The module-level functions: runwrap.log/finish act on the current run (wandb's globals)."""
from __future__ import annotations

from typing import Any, Dict, Optional

from runwrap.errors import UsageError
from runwrap.sdk.run import state
from runwrap.sdk.run.config import Config
from runwrap.sdk.run.summary import Summary


def log(data: Dict[str, Any], step: Optional[int] = None, commit: Optional[bool] = None,
        sync: Optional[bool] = None) -> None:
    run = state.current
    if run is None:
        raise UsageError("runwrap.log() called before runwrap.init(); call init() first")
    run.log(data, step=step, commit=commit)


def finish(exit_code: Optional[int] = None, quiet: Optional[bool] = None) -> None:
    """Finish the current run; without one, do nothing (as wandb does)."""
    run = state.current
    if run is not None:
        run.finish(exit_code=exit_code, quiet=quiet)


def current_run(what: str) -> Any:
    """The current run, or a UsageError saying `runwrap.<what>()` needs init() first."""
    run = state.current
    if run is None:
        raise UsageError(f"runwrap.{what}() called before runwrap.init(); call init() first")
    return run


def define_metric(*args: Any, **kwargs: Any) -> Any:
    return current_run("define_metric").define_metric(*args, **kwargs)


def save(*args: Any, **kwargs: Any) -> Any:
    return current_run("save").save(*args, **kwargs)


def alert(*args: Any, **kwargs: Any) -> None:
    current_run("alert").alert(*args, **kwargs)


def log_artifact(*args: Any, **kwargs: Any) -> Any:
    return current_run("log_artifact").log_artifact(*args, **kwargs)


def use_artifact(*args: Any, **kwargs: Any) -> Any:
    return current_run("use_artifact").use_artifact(*args, **kwargs)


def log_model(*args: Any, **kwargs: Any) -> None:
    current_run("log_model").log_model(*args, **kwargs)


def use_model(*args: Any, **kwargs: Any) -> str:
    return current_run("use_model").use_model(*args, **kwargs)


def link_model(*args: Any, **kwargs: Any) -> Any:
    return current_run("link_model").link_model(*args, **kwargs)


def watch(*args: Any, **kwargs: Any) -> None:
    """wandb.watch(model): gradients are not recorded; accepted so code runs unchanged."""


def unwatch(*args: Any, **kwargs: Any) -> None:
    pass


_detached_config = Config(allow_val_change=True)
_detached_summary = Summary(dict, dict, dict)


def current_config() -> Config:
    """The current run's config; before init(), an in-memory one (wandb allows that too)."""
    run = state.current
    return run.config if run is not None else _detached_config


def current_summary() -> Summary:
    run = state.current
    return run.summary if run is not None else _detached_summary
