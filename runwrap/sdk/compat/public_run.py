"""One run of the store as wandb's public API shows it (`Api().run()`, `artifact.logged_by()`):
read-only, wandb's attribute names, its files read when asked."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence


class PublicRun:
    """One run of the store, read-only (reads its files when asked)."""

    def __init__(self, info: Any, artifacts_of_run: Callable[[Path, str], List[Any]]):
        self._info = info
        # sdk/artifacts.py's reader, given by whoever makes the run (Api, Artifact.logged_by):
        # an artifact's runs and a run's artifacts refer to each other, the modules must not.
        self._artifacts_of_run = artifacts_of_run
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
        # start-up: loaded only on the path that needs it
        from runwrap.store import documents
        from runwrap.store.layout import CONFIG_YAML

        doc = documents.read_yaml(self._info.dir / CONFIG_YAML, {})
        return doc if isinstance(doc, dict) else {}

    @property
    def summary(self) -> Dict[str, Any]:
        # start-up: loaded only on the path that needs it
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
                import pandas as pd  # optional: the user's pandas, if installed
            except ImportError:
                return rows
            return pd.DataFrame(rows)
        return rows

    def logged_artifacts(self) -> List[Any]:
        return self._artifacts_of_run(self._info.dir, "logged")

    def used_artifacts(self) -> List[Any]:
        return self._artifacts_of_run(self._info.dir, "used")

    def __repr__(self) -> str:
        return f"<Run {'/'.join(self.path)} ({self.state})>"


def _rows(run_dir: Path) -> List[Dict[str, Any]]:
    """The sdk streams' records merged into rows by `_step`, in step order."""
    # start-up: loaded only on the path that needs it
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
