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


# name -> (settings key, environment variables, conversion of an environment string)
SPEC: Dict[str, Tuple[str, Tuple[str, ...], Optional[Callable[[str], Any]]]] = {
    "entity": ("entity", (env.ENTITY,), None),
    "project": ("project", (env.PROJECT,), None),
    "dir": ("root_dir", (env.DIR,), None),
    "id": ("run_id", (), None),
    "name": ("run_name", (env.NAME,), None),
    "notes": ("run_notes", (env.NOTES,), None),
    "tags": ("run_tags", (env.TAGS,), env_tags),
    "group": ("run_group", (env.GROUP,), None),
    "job_type": ("run_job_type", (env.JOB_TYPE,), None),
    "mode": ("mode", (env.MODE,), None),
    "force": ("force", (), None),
    "anonymous": ("anonymous", (), None),
    "reinit": ("reinit", (), None),
    "resume": ("resume", (), None),
    "resume_from": ("resume_from", (), None),
    "fork_from": ("fork_from", (), None),
    "save_code": ("save_code", (env.SAVE_CODE,), env_bool),
    "sync_tensorboard": ("sync_tensorboard", (), None),
    "monitor_gym": ("monitor_gym", (), None),
    "allow_val_change": ("allow_val_change", (), None),
    "tracking_uri": ("tracking_uri", (env.TRACKING_URI, env.MLFLOW_TRACKING_URI), None),
    "label": ("x_label", (), None),
    "quiet": ("quiet", (), None),
}


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

    def get(self, name: str, argument: Any, default: Any = None) -> Any:
        """The value of init() parameter `name` by the precedence rule; `default` may be a
        zero-argument callable, called only when every other layer is empty."""
        key, variables, convert = SPEC[name]
        if argument is not None:
            value, source = argument, ARGUMENT
        elif self.settings.get(key) is not None:
            value, source = self.settings[key], SETTINGS
        else:
            found = next((v for v in variables if self.environ.get(v)), None)
            if found is not None:
                text = self.environ[found]
                value, source = (convert(text) if convert else text), f"{ENVIRONMENT}:{found}"
            else:
                value = default() if callable(default) else default
                source = DEFAULT
        self.options[name] = {"value": _recordable(value), "source": source}
        return value

    def fix(self, name: str, value: Any, source: str) -> Any:
        """Record a value decided outside the rule (attached mode: the wrapper's run)."""
        self.options[name] = {"value": _recordable(value), "source": source}
        return value

    def source(self, name: str) -> Optional[str]:
        entry = self.options.get(name)
        return entry["source"] if entry else None
