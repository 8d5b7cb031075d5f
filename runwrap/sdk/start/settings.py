"""`runwrap.Settings`: the advanced options of `init()`, as a dict or an object.

Only known keys are accepted (a typo is a UsageError that names the closest valid key). Many of
wandb's settings are accepted for compatibility and ignored; they are still recorded.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, Mapping, Optional

from runwrap.errors import UsageError

# Settings that change what init() does (each also an init() argument or a runwrap extension).
ACTIVE = (
    "entity", "project", "root_dir", "run_id", "run_name", "run_notes", "run_tags", "run_group",
    "run_job_type", "mode", "force", "anonymous", "reinit", "resume", "resume_from", "fork_from",
    "save_code", "sync_tensorboard", "monitor_gym", "allow_val_change", "tracking_uri",
    "x_label", "program", "quiet", "silent", "config_paths", "console", "disable_code",
    "disable_git", "sweep_id", "ignore_globs",
)
# wandb settings accepted so existing code runs; they change nothing here.
ACCEPTED = (
    "api_key", "base_url", "code_dir",
    "disable_job_creation", "init_timeout", "job_name", "notebook_name", "show_errors",
    "show_info", "show_warnings", "start_method", "x_disable_meta", "x_disable_stats",
    "x_disable_machine_info", "_disable_meta", "_disable_stats", "heartbeat_seconds",
    "login_timeout", "x_primary", "x_stats_sampling_interval",
)
KNOWN = frozenset(ACTIVE + ACCEPTED)


def check_keys(keys: Any) -> None:
    for key in keys:
        if key not in KNOWN:
            import difflib  # start-up: loaded only on the path that needs it

            close = difflib.get_close_matches(str(key), sorted(KNOWN), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(ACTIVE)}"
            raise UsageError(f"unknown setting {key!r}{hint}")


class Settings(Mapping[str, Any]):
    """`runwrap.Settings(mode="offline", run_name="x")`: keyword arguments become settings."""

    def __init__(self, **kwargs: Any):
        check_keys(kwargs)
        self._values: Dict[str, Any] = dict(kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_values":
            raise AttributeError(name)
        if name in self._values:
            return self._values[name]
        if name in KNOWN:
            return None
        check_keys([name])
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_values":
            object.__setattr__(self, name, value)
            return
        check_keys([name])
        self._values[name] = value

    def update(self, other: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> None:
        merged = dict(other or {}, **kwargs)
        check_keys(merged)
        self._values.update(merged)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"


def settings_dict(settings: Any) -> Dict[str, Any]:
    """The explicitly set settings of a `settings=` argument, validated."""
    if settings is None:
        return {}
    if isinstance(settings, Settings):
        return dict(settings._values)
    if isinstance(settings, Mapping):
        check_keys(settings)
        return dict(settings)
    raise UsageError(f"settings must be a dict or runwrap.Settings, got {type(settings).__name__}")
