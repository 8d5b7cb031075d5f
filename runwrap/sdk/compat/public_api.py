"""`runwrap.Api()`: wandb's public API over the local store.

`Api().runs("project")`, `Api().run("project/id")` (an entity prefix and wandb's
`entity/project/runs/id` form are accepted) give read-only runs with wandb's attribute names:
`state`, `config`, `summary`, `history()`, `scan_history()`. Rows are wandb's: everything logged
at one `_step` is one row.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.sdk.artifacts import artifacts_of_run, load_artifact
from runwrap.sdk.compat.public_run import PublicRun


class Api:
    """`runwrap.Api()`: read the local store (`overrides={"dir": ...}`, else RUNWRAP_DIR or
    ./runwrap-runs) the way wandb's Api reads the cloud."""

    def __init__(self, overrides: Optional[Dict[str, Any]] = None, timeout: Optional[int] = None,
                 api_key: Optional[str] = None):
        # start-up: loaded only on the path that needs it
        from runwrap.store.layout import store_root

        overrides = dict(overrides or {})
        self.root = store_root(overrides.get("dir"))
        self.default_project = overrides.get("project")
        self.default_entity = overrides.get("entity")

    def runs(self, path: Optional[str] = None, filters: Optional[Dict[str, Any]] = None,
             order: str = "-created_at", per_page: int = 50, include_sweeps: bool = True
             ) -> List[PublicRun]:
        """The runs of a project (`"project"` or `"entity/project"`), newest first; all runs
        of the store when no project is given."""
        from runwrap.store.runs import list_runs  # start-up: loaded only on the path that needs it

        parts = [p for p in (path or "").split("/") if p]
        if len(parts) > 2:
            raise UsageError(f"Api().runs({path!r}): give 'project' or 'entity/project'")
        project = parts[-1] if parts else self.default_project
        runs = [PublicRun(info, artifacts_of_run) for info in list_runs(self.root, project)]
        if order in ("+created_at", "created_at"):
            runs.reverse()
        for key, wanted in (filters or {}).items():
            runs = [r for r in runs if _filter_value(r, key) == wanted]
        return runs

    def run(self, path: str) -> PublicRun:
        """One run: `"project/id"`, `"entity/project/id"` or `"entity/project/runs/id"`."""
        from runwrap.store.runs import find_run  # start-up: loaded only on the path that needs it

        parts = [p for p in str(path).split("/") if p]
        if len(parts) >= 2 and parts[-2] == "runs":
            del parts[-2]
        if not parts or len(parts) > 3:
            raise UsageError(f"Api().run({path!r}): give 'project/run_id' or "
                             f"'entity/project/run_id'")
        project = parts[-2] if len(parts) >= 2 else self.default_project
        return PublicRun(find_run(self.root, parts[-1], project), artifacts_of_run)

    def artifact(self, name: str, type: Optional[str] = None) -> Any:  # noqa: A002
        """An artifact version, `"name:v3"`, `"name:latest"` or `"project/name:alias"`."""
        return load_artifact(self.root, name, type, self.default_project)

    def projects(self, entity: Optional[str] = None) -> List[str]:
        from runwrap.store.runs import list_runs  # start-up: loaded only on the path that needs it

        return sorted({info.project for info in list_runs(self.root)})


def _filter_value(run: PublicRun, key: str) -> Any:
    if key.startswith("config."):
        return run.config.get(key[len("config."):])
    if key.startswith("summary_metrics."):
        return run.summary.get(key[len("summary_metrics."):])
    return getattr(run, key, None)
