"""`runwrap.Api()`: wandb's public API over the local store.

`Api().runs("project")`, `Api().run("project/id")` (an entity prefix and wandb's
`entity/project/runs/id` form are accepted) give read-only runs with wandb's attribute names:
`state`, `config`, `summary`, `history()`, `scan_history()`. Rows are wandb's: everything logged
at one `_step` is one row.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

from runwrap.errors import UsageError


class PublicRun:
    """One run of the store, read-only (reads its files when asked)."""

    def __init__(self, info: Any):
        self._info = info
        self._meta: Dict[str, Any] = info.meta

    id = property(lambda self: self._info.id)
    name = property(lambda self: self._info.name)
    display_name = property(lambda self: self._info.name)
    project = property(lambda self: self._info.project)
    entity = property(lambda self: self._meta.get("entity"))
    tags = property(lambda self: list(self._info.tags))
    notes = property(lambda self: self._meta.get("notes"))
    group = property(lambda self: self._meta.get("group"))
    job_type = property(lambda self: self._meta.get("job_type"))
    state = property(lambda self: self._info.status)
    created_at = property(lambda self: self._meta.get("start_time"))
    url = property(lambda self: None)
    dir = property(lambda self: str(self._info.dir))

    @property
    def path(self) -> List[str]:
        return [p for p in (self.entity, self.project, self.id) if p]

    @property
    def config(self) -> Dict[str, Any]:
        from runwrap.store import documents
        from runwrap.store.layout import CONFIG_YAML

        doc = documents.read_yaml(self._info.dir / CONFIG_YAML, {})
        return doc if isinstance(doc, dict) else {}

    @property
    def summary(self) -> Dict[str, Any]:
        from runwrap.store.summary import flat, load_summary

        live = self.state == "running" or not (self._info.dir / "summary.json").exists()
        return flat(load_summary(self._info.dir, live=live), self._meta.get("metrics"))

    def scan_history(self, keys: Optional[Sequence[str]] = None, page_size: int = 1000,
                     min_step: Optional[int] = None, max_step: Optional[int] = None
                     ) -> Iterator[Dict[str, Any]]:
        """Every row in step order; with `keys`, only rows holding all of them (and only
        those keys plus `_step`)."""
        for row in _rows(self._info.dir):
            step = row.get("_step")
            if min_step is not None and (step is None or step < min_step):
                continue
            if max_step is not None and (step is None or step >= max_step):
                continue
            if keys:
                if not all(k in row for k in keys):
                    continue
                row = {k: row[k] for k in ("_step", *keys) if k in row}
            yield row

    def history(self, samples: int = 500, keys: Optional[Sequence[str]] = None,
                x_axis: str = "_step", pandas: bool = True, stream: str = "default") -> Any:
        """Up to `samples` rows, evenly spaced; a pandas DataFrame when pandas is installed
        and `pandas=True`, else a list of dicts."""
        rows = list(self.scan_history(keys=keys))
        if samples and len(rows) > samples:
            stride = len(rows) / samples
            rows = [rows[int(i * stride)] for i in range(samples)]
        if pandas:
            try:
                import pandas as pd
            except ImportError:
                return rows
            return pd.DataFrame(rows)
        return rows

    def logged_artifacts(self) -> List[Any]:
        from runwrap.sdk.artifacts import artifacts_of_run

        return artifacts_of_run(self._info.dir, "logged")

    def used_artifacts(self) -> List[Any]:
        from runwrap.sdk.artifacts import artifacts_of_run

        return artifacts_of_run(self._info.dir, "used")

    def __repr__(self) -> str:
        return f"<Run {'/'.join(self.path)} ({self.state})>"


def _rows(run_dir: Path) -> List[Dict[str, Any]]:
    """The sdk streams' records merged into rows by `_step`, in step order."""
    from runwrap.store.streams import StreamReader, stream_files
    from runwrap.store.values import decode_value

    by_step: Dict[Any, Dict[str, Any]] = {}
    for path in stream_files(run_dir):
        if not path.name.startswith("sdk"):
            continue
        for record in StreamReader(path).read():
            row = by_step.setdefault(record.get("_step"), {})
            row.update({k: decode_value(v) for k, v in record.items()})
    return [by_step[k] for k in sorted(by_step, key=lambda s: (s is None, s or 0))]


class Api:
    """`runwrap.Api()`: read the local store (`overrides={"dir": ...}`, else RUNWRAP_DIR or
    ./runwrap-runs) the way wandb's Api reads the cloud."""

    def __init__(self, overrides: Optional[Dict[str, Any]] = None, timeout: Optional[int] = None,
                 api_key: Optional[str] = None):
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
        from runwrap.store.runs import list_runs

        parts = [p for p in (path or "").split("/") if p]
        if len(parts) > 2:
            raise UsageError(f"Api().runs({path!r}): give 'project' or 'entity/project'")
        project = parts[-1] if parts else self.default_project
        runs = [PublicRun(info) for info in list_runs(self.root, project)]
        if order in ("+created_at", "created_at"):
            runs.reverse()
        for key, wanted in (filters or {}).items():
            runs = [r for r in runs if _filter_value(r, key) == wanted]
        return runs

    def run(self, path: str) -> PublicRun:
        """One run: `"project/id"`, `"entity/project/id"` or `"entity/project/runs/id"`."""
        from runwrap.store.runs import find_run

        parts = [p for p in str(path).split("/") if p]
        if len(parts) >= 2 and parts[-2] == "runs":
            del parts[-2]
        if not parts or len(parts) > 3:
            raise UsageError(f"Api().run({path!r}): give 'project/run_id' or "
                             f"'entity/project/run_id'")
        project = parts[-2] if len(parts) >= 2 else self.default_project
        return PublicRun(find_run(self.root, parts[-1], project))

    def artifact(self, name: str, type: Optional[str] = None) -> Any:  # noqa: A002
        """An artifact version, `"name:v3"`, `"name:latest"` or `"project/name:alias"`."""
        from runwrap.sdk.artifacts import load_artifact

        return load_artifact(self.root, name, type, self.default_project)

    def projects(self, entity: Optional[str] = None) -> List[str]:
        from runwrap.store.runs import list_runs

        return sorted({info.project for info in list_runs(self.root)})


def _filter_value(run: PublicRun, key: str) -> Any:
    if key.startswith("config."):
        return run.config.get(key[len("config."):])
    if key.startswith("summary_metrics."):
        return run.summary.get(key[len("summary_metrics."):])
    return getattr(run, key, None)
