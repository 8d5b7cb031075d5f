"""Resolving init()'s values: ONE precedence rule, and a record of where each value came from.

    explicit argument  >  settings  >  environment variable  >  default

`Resolver.get(name, argument)` is the only place that rule is applied; every value it returns
is also written into `options` as `{"value": ..., "source": ...}` for run.json, so a user who
wonders why a run landed in project X can read which layer decided it.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from runwrap import env

ARGUMENT = "argument"
SETTINGS = "settings"
ENVIRONMENT = "environment"
DEFAULT = "default"
WRAPPER = "wrapper"  # attached mode: fixed by the wrapper's run


def env_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def env_tags(text: str) -> Tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


def env_disabled(text: str) -> Optional[str]:
    """WANDB_DISABLED=true means mode="disabled"; any other value says nothing about the mode."""
    return "disabled" if env_bool(text) else None


def env_list(text: str) -> Tuple[str, ...]:
    return env_tags(text)


# name -> (settings key, environment variables, conversion of an environment string).
# The RUNWRAP_* variable comes first, wandb's variable of the same meaning after it.
SPEC: Dict[str, Tuple[str, Tuple[str, ...], Optional[Callable[[str], Any]]]] = {
    "entity": ("entity", (env.ENTITY, env.WANDB_ENTITY), None),
    "project": ("project", (env.PROJECT, env.WANDB_PROJECT), None),
    "dir": ("root_dir", (env.DIR, env.WANDB_DIR), None),
    "id": ("run_id", (env.WANDB_RUN_ID,), None),
    "name": ("run_name", (env.NAME, env.WANDB_NAME), None),
    "notes": ("run_notes", (env.NOTES, env.WANDB_NOTES), None),
    "tags": ("run_tags", (env.TAGS, env.WANDB_TAGS), env_tags),
    "group": ("run_group", (env.GROUP, env.WANDB_RUN_GROUP), None),
    "job_type": ("run_job_type", (env.JOB_TYPE, env.WANDB_JOB_TYPE), None),
    "mode": ("mode", (env.MODE, env.WANDB_MODE, env.WANDB_DISABLED), None),
    "force": ("force", (), None),
    "anonymous": ("anonymous", (env.WANDB_ANONYMOUS,), None),
    "reinit": ("reinit", (), None),
    "resume": ("resume", (env.WANDB_RESUME,), None),
    "resume_from": ("resume_from", (), None),
    "fork_from": ("fork_from", (), None),
    "save_code": ("save_code", (env.SAVE_CODE, env.WANDB_SAVE_CODE), env_bool),
    "sync_tensorboard": ("sync_tensorboard", (), None),
    "monitor_gym": ("monitor_gym", (), None),
    "allow_val_change": ("allow_val_change", (), None),
    "tracking_uri": ("tracking_uri", (env.TRACKING_URI, env.MLFLOW_TRACKING_URI), None),
    "label": ("x_label", (), None),
    "quiet": ("quiet", (env.WANDB_SILENT, env.WANDB_QUIET), env_bool),
    "config_paths": ("config_paths", (env.WANDB_CONFIG_PATHS,), env_list),
    "console": ("console", (env.WANDB_CONSOLE,), None),
    "disable_code": ("disable_code", (env.WANDB_DISABLE_CODE,), env_bool),
    "disable_git": ("disable_git", (env.WANDB_DISABLE_GIT,), env_bool),
    "sweep_id": ("sweep_id", (env.WANDB_SWEEP_ID,), None),
    "ignore_globs": ("ignore_globs", (env.WANDB_IGNORE_GLOBS,), env_list),
}
# A variable whose own reading differs from its name's conversion; None means "not set".
VARIABLE_CONVERT: Dict[str, Callable[[str], Any]] = {env.WANDB_DISABLED: env_disabled}


def _recordable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_recordable(v) for v in value]
    return repr(value)


class Resolver:
    def __init__(self, settings: Mapping[str, Any], environ: Optional[Mapping[str, str]] = None):
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self.options: Dict[str, Dict[str, Any]] = {}
        # WANDB_MODE/WANDB_DIR that the wrapper set for the program's own wandb (never the
        # user's choice): they say nothing about where runwrap.init() records.
        self._wrappers = set((self.environ.get(env.WANDB_SET) or "").split(","))

    def get(self, name: str, argument: Any, default: Any = None) -> Any:
        """The value of init() parameter `name` by the precedence rule; `default` may be a
        zero-argument callable, called only when every other layer is empty."""
        key, variables, convert = SPEC[name]
        if argument is not None:
            value, source = argument, ARGUMENT
        elif self.settings.get(key) is not None:
            value, source = self.settings[key], SETTINGS
        else:
            found = self._from_environment(variables, convert)
            if found is not None:
                variable, value = found
                source = f"{ENVIRONMENT}:{variable}"
            else:
                value = default() if callable(default) else default
                source = DEFAULT
        self.options[name] = {"value": _recordable(value), "source": source}
        return value

    def _from_environment(self, variables: Tuple[str, ...],
                          convert: Optional[Callable[[str], Any]]) -> Optional[Tuple[str, Any]]:
        """(variable, converted value) of the first variable set, in SPEC's order."""
        for variable in variables:
            text = self.environ.get(variable)
            if not text or variable in self._wrappers:
                continue
            own = VARIABLE_CONVERT.get(variable, convert)
            value = own(text) if own else text
            if value is not None:
                return variable, value
        return None

    def fix(self, name: str, value: Any, source: str) -> Any:
        """Record a value decided outside the rule (attached mode: the wrapper's run)."""
        self.options[name] = {"value": _recordable(value), "source": source}
        return value

    def label(self, name: str, value: Any) -> str:
        """`name=value` as the user wrote it, for messages: the variable's name when the value
        came from the environment, `settings.<key>` when from settings."""
        source = self.source(name) or ARGUMENT
        if source.startswith(f"{ENVIRONMENT}:"):
            return f"{source.split(':', 1)[1]}={value!r}"
        if source == SETTINGS:
            return f"settings {SPEC[name][0]}={value!r}"
        return f"{name}={value!r}"

    def source(self, name: str) -> Optional[str]:
        entry = self.options.get(name)
        return entry["source"] if entry else None
