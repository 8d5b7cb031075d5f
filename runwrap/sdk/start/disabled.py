"""mode="disabled": a Run whose every method and property works, does nothing and writes nothing.

Config and summary still hold values in memory, so code that reads back what it set works.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from runwrap.sdk.run import state
from runwrap.sdk.run.config import Config
from runwrap.sdk.run.run import Metric, RunStatus, check_tags
from runwrap.sdk.run.summary import Summary


class DisabledRun:
    def __init__(self, ident: Dict[str, Any], config: Dict[str, Any]):
        self._ident = ident
        self.config = Config(config, allow_val_change=True)
        self.summary = Summary(dict, dict, dict)
        self._step = 0
        self._settings: Any = None  # RunSettings, set by init()

    settings = property(lambda self: self._settings)

    id = property(lambda self: self._ident["id"])
    project = property(lambda self: self._ident["project"])
    entity = property(lambda self: self._ident.get("entity"))
    group = property(lambda self: self._ident.get("group"))
    job_type = property(lambda self: self._ident.get("job_type"))
    path = property(lambda self: f"{self.project}/{self.id}")
    dir = property(lambda self: tempfile.gettempdir())
    run_dir = property(lambda self: Path(tempfile.gettempdir()))
    resumed = property(lambda self: False)
    step = property(lambda self: self._step)
    start_time = property(lambda self: 0.0)
    offline = property(lambda self: True)
    disabled = property(lambda self: True)
    url = property(lambda self: None)

    project_url = property(lambda self: None)
    sweep_url = property(lambda self: None)

    def get_url(self) -> None:
        return None

    get_project_url = get_sweep_url = get_url

    def status(self) -> RunStatus:
        return RunStatus()

    def project_name(self) -> str:
        return self.project

    @property
    def name(self) -> Optional[str]:
        return self._ident.get("name")

    @name.setter
    def name(self, value: str) -> None:
        self._ident["name"] = value

    @property
    def notes(self) -> Optional[str]:
        return self._ident.get("notes")

    @notes.setter
    def notes(self, value: str) -> None:
        self._ident["notes"] = value

    @property
    def tags(self) -> Tuple[str, ...]:
        return tuple(self._ident.get("tags") or ())

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        self._ident["tags"] = list(check_tags(value))

    def log(self, data: Any = None, step: Optional[int] = None, commit: Optional[bool] = None,
            sync: Optional[bool] = None) -> None:
        pass

    def define_metric(self, name: str, *args: Any, **kwargs: Any) -> Metric:
        return Metric(str(name), {})

    def save(self, *args: Any, **kwargs: Any) -> List[str]:
        return []

    def alert(self, *args: Any, **kwargs: Any) -> None:
        pass

    def mark_preempting(self) -> None:
        pass

    def log_artifact(self, artifact_or_path: Any, *args: Any, **kwargs: Any) -> Any:
        """Nothing is stored; the artifact is handed back so code that chains on it runs."""
        return artifact_or_path

    def use_artifact(self, artifact_or_name: Any, *args: Any, **kwargs: Any) -> Any:
        from runwrap.errors import UsageError  # start-up: loaded only on the path that needs it

        if isinstance(artifact_or_name, str):
            raise UsageError(f"use_artifact({artifact_or_name!r}) in mode='disabled': nothing "
                             f"is recorded, so there is no artifact to read")
        return artifact_or_name

    def link_artifact(self, artifact: Any, *args: Any, **kwargs: Any) -> Any:
        return artifact

    def log_code(self, *args: Any, **kwargs: Any) -> None:
        return None

    def log_model(self, *args: Any, **kwargs: Any) -> None:
        pass

    def link_model(self, *args: Any, **kwargs: Any) -> None:
        return None

    def use_model(self, name: str) -> str:
        return self.use_artifact(str(name))

    def watch(self, *args: Any, **kwargs: Any) -> None:
        pass

    def unwatch(self, *args: Any, **kwargs: Any) -> None:
        pass

    def finish(self, exit_code: Optional[int] = None, quiet: Optional[bool] = None) -> None:
        state.forget(self)

    def _finish_at_exit(self, code: int, signal_name: Optional[str]) -> None:
        state.forget(self)

    def _close_quietly(self) -> None:
        state.forget(self)

    def __enter__(self) -> "DisabledRun":
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.finish()
        return False

    def __repr__(self) -> str:
        return f"<runwrap.Run {self.path} (disabled)>"
