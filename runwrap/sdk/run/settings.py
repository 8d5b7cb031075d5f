"""`run.settings`: what init() decided, under wandb's Settings attribute names.

Read-only, like wandb's run settings. Identity (`run_name`, `run_tags`, ...) is read from the run
each time, so a rename shows; the rest is what init() resolved (run.json `options` says from
where). A name wandb knows but runwrap has no value for reads as None; cloud credentials
(`api_key`) always read as None: runwrap never keeps them.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, Mapping

from runwrap.errors import UsageError
from runwrap.sdk.start.settings import KNOWN, check_keys

NEVER_KEPT = frozenset(("api_key",))

# wandb name -> how to read it from the run.
_FROM_RUN: Dict[str, Callable[[Any], Any]] = {
    "run_id": lambda run: run.id,
    "project": lambda run: run.project,
    "entity": lambda run: run.entity,
    "run_name": lambda run: run.name,
    "run_notes": lambda run: run.notes,
    "run_tags": lambda run: tuple(run.tags),
    "run_group": lambda run: run.group,
    "run_job_type": lambda run: run.job_type,
    "files_dir": lambda run: run.dir,
    "sync_dir": lambda run: str(run.run_dir),
    "log_dir": lambda run: str(run.run_dir),
    "root_dir": lambda run: os.path.dirname(os.path.dirname(str(run.run_dir))),
    "offline": lambda run: run.offline,
    "_offline": lambda run: run.offline,
    "resumed": lambda run: run.resumed,
}
# wandb setting -> init() option (resolver.SPEC) where the names differ; others are the same.
_RENAMED = {"x_label": "label", "silent": "quiet"}


class RunSettings:
    def __init__(self, run: Any, options: Mapping[str, Mapping[str, Any]],
                 explicit: Mapping[str, Any]):
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_explicit", explicit)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in NEVER_KEPT:
            return None
        if name in _FROM_RUN:
            return _FROM_RUN[name](self._run)
        option = _RENAMED.get(name, name)
        if name in KNOWN and option in self._options:
            return self._options[option].get("value")
        if name in self._explicit:
            return self._explicit[name]
        if name in KNOWN:
            return None
        check_keys([name])  # names the closest valid setting
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise UsageError(f"run.settings is read-only (setting {name!r}); pass "
                         f"settings={{{name!r}: ...}} to init() instead")

    def to_dict(self) -> Dict[str, Any]:
        names = set(_FROM_RUN) | set(self._explicit) | {
            n for n in KNOWN if _RENAMED.get(n, n) in self._options}
        return {n: getattr(self, n) for n in sorted(names - NEVER_KEPT)
                if not n.startswith("_")}

    def __repr__(self) -> str:
        return f"RunSettings({self.to_dict()!r})"
