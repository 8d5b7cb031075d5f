"""What the dashboard knows about the store: the runs, their documents and their series.

Read-only over the store, like every consumer. Documents (run.json, config.yaml, summary.json)
are parsed again only when their size or modification time changed; streams are held as
columns (`ui.series`) and read on from where the last read stopped.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Container, Dict, Iterator, List, Optional, Tuple

from runwrap.store.comparison import duration_of, read_config
from runwrap.store.values import flatten_dotted
from runwrap.store.documents import read_json
from runwrap.store.layout import (CODE_DIR, CONFIG_YAML, DIFF_PATCH, FILES_DIR, MEDIA_DIR,
                                  OUTPUT_LOG, SUMMARY_JSON, SUMMARY_USER_JSON)
from runwrap.store import index
from runwrap.store.runs import RunInfo, load_run
from runwrap.store.summary import flat
from runwrap.ui import filters
from runwrap.ui.cache import SeriesCache
from runwrap.ui.series import RunSeries
from runwrap.ui.sweeps import sweep_ids, sweep_metric

# Folders of a run directory whose files the run page lists (saved code, run.save() files,
# media, tables and artifacts where a run has them).
FILE_FOLDERS = (CODE_DIR, FILES_DIR, MEDIA_DIR, "tables", "artifacts")
FILE_LIST_LIMIT = 500
MAX_POINTS = 60_000_000  # points held in memory, all runs together (24 bytes each)
SYSTEM_SOURCE = "system"


class BadRequest(Exception):
    """A request that names something outside the store or malformed; the server answers 400/404."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class _Cached:
    """A parsed file, kept until its size or modification time changes."""

    def __init__(self, parse: Callable[[str], Any]):
        self.parse = parse
        self.entries: Dict[str, Tuple[Tuple[int, int], Any]] = {}
        self.lock = threading.Lock()

    def get(self, path: str, default: Any = None) -> Any:
        try:
            st = os.stat(path)
        except OSError:
            return default
        signature = (st.st_mtime_ns, st.st_size)
        hit = self.entries.get(path)
        if hit is not None and hit[0] == signature:
            return hit[1]
        value = self.parse(path)
        with self.lock:
            self.entries[path] = (signature, value)
        return value


def _flat_summary(path: str) -> Optional[Dict[str, Any]]:
    summary = read_json(Path(path))
    return flat(summary) if isinstance(summary, dict) else None


def _config(path: str) -> Dict[str, Any]:
    return flatten_dotted(read_config(path))


class StoreView:
    """The store root and everything the dashboard has read from it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.real_root = os.path.realpath(self.root)
        self.series: Dict[str, RunSeries] = {}
        self.series_lock = threading.Lock()
        self.cache = SeriesCache(str(self.root))
        self.configs = _Cached(_config)
        self.summaries = _Cached(lambda p: read_json(Path(p)))
        self.last_summaries = _Cached(_flat_summary)  # the table's view: each key's last value

    # -- runs -----------------------------------------------------------------------------

    def run(self, key: str) -> RunInfo:
        """The run `key` (`project/id`) names; BadRequest when it is not a run of this store."""
        project, _, run_id = key.partition("/")
        for part in (project, run_id):
            if not part or part.startswith(".") or "/" in part or "\\" in part or "\0" in part:
                raise BadRequest(f"not a run: {key!r}", 404)
        path = os.path.join(self.root, project, run_id)
        if not self.inside(path):
            raise BadRequest(f"not a run: {key!r}", 404)
        run = load_run(Path(path))
        if run is None:
            raise BadRequest(f"not a run: {key!r}", 404)
        return run

    def inside(self, path: str) -> bool:
        """Whether `path`, links resolved, lies inside the store root."""
        real = os.path.realpath(path)
        return real == self.real_root or real.startswith(self.real_root + os.sep)

    def runs(self, project: Optional[str] = None) -> Iterator[RunInfo]:
        """The runs of the store (or of `project`), newest first, in the listing index's order.
        The index is used as `ls` left it and never written here: a project it cannot vouch for
        is checked run by run in memory (store/index.py), so no request waits on a rebuild."""
        if project is not None and project not in index.projects(str(self.root)):
            raise BadRequest(f"no project {project!r} in this store", 404)
        for entry in index.entries(str(self.root), project, write=False):
            run = load_run(entry.path)
            if run is not None:
                yield run

    def run_series(self, run: RunInfo, exact: bool = False) -> RunSeries:
        """The run's series, read on to the streams' current ends: from the series cache as far
        as it agrees with the streams, then from the streams. `exact`: every point held (a
        zoom), not only the shape the cache keeps of what came before. Runs read longest ago
        are forgotten (and read again when asked for) once all held more than MAX_POINTS."""
        key = key_of(run)
        with self.series_lock:
            series = self.series.pop(key, None)
            fresh = series is None or (exact and not series.exact)
            if fresh:
                series = RunSeries(run.dir, None if exact else self.cache.load(run), job=run.is_job)
            self.series[key] = series  # the most recently used last
        series.refresh()
        if fresh:
            self._forget_old()
        self.cache.offer(key, run, series, running=run.status == "running")
        return series

    def _forget_old(self) -> None:
        with self.series_lock:
            total = sum(s.points_count() for s in self.series.values())
            while total > MAX_POINTS and len(self.series) > 1:
                oldest = next(iter(self.series))
                total -= self.series.pop(oldest).points_count()

    def last_values(self, run: RunInfo, status: str) -> Dict[str, Any]:
        """Each metric's last value: summary.json once the run wrote it, else from the streams."""
        summary = self.last_summaries.get(os.path.join(run.path, SUMMARY_JSON))
        if status != "running" and summary is not None:
            return summary
        values: Dict[str, Any] = dict(self.run_series(run).last_values())
        user = read_json(run.dir / SUMMARY_USER_JSON)
        if isinstance(user, dict):
            values.update(user)
        return values

    def row(self, run: RunInfo, now: float, sweeps: Container[str] = ()) -> Dict[str, Any]:
        """The runs table's row of a run, with its whole config and every metric's last value.
        `sweeps`: the store's sweep ids (a trial's run has its sweep's id as its group)."""
        meta = run.meta
        status = run.status
        sync = meta.get("sync") if isinstance(meta.get("sync"), dict) else {}
        return {
            "key": key_of(run), "id": run.id, "name": run.name, "project": run.project,
            "status": status, "tags": run.tags, "group": meta.get("group") or "",
            "job": job_of(meta), "parts": len(meta.get("parts") or []) if run.is_job else None,
            "sweep": sweep_of(meta, sweeps),
            "start_time": run.start_time or None, "duration": duration_of(run, status, now),
            "exit_code": meta.get("exit_code"), "sync": sync.get("state", "local"),
            "config": self.configs.get(os.path.join(run.path, CONFIG_YAML), {}) or {},
            "metrics": self.last_values(run, status)}

    def table(self, config_keys: Optional[List[str]], metrics: Optional[List[str]],
              project: Optional[str] = None, where: str = "") -> Dict[str, Any]:
        """The runs table: one row per run of `project` (default: all) that the filter `where`
        keeps (ui.filters), with the chosen config keys and metrics' last values; when none are
        chosen, the config keys whose values differ and the first metrics (left to the page
        to change). The choices offered are those of every run listed."""
        keep = filters.parse(where)
        now = time.time()
        sweeps = set(sweep_ids(self.root))
        rows = []
        listed = 0
        all_config: Dict[str, set] = {}
        all_metrics: Dict[str, int] = {}
        for run in self.runs(project):
            row = self.row(run, now, sweeps)
            listed += 1
            for k, v in row["config"].items():
                seen = all_config.setdefault(k, set())
                if len(seen) < 2:
                    seen.add(repr(v))
            for m in row["metrics"]:
                all_metrics[m] = all_metrics.get(m, 0) + 1
            if keep(row):
                rows.append(row)
        if config_keys is None:
            config_keys = [k for k, seen in all_config.items() if len(seen) > 1][:3]
        if metrics is None:
            metrics = _default_metrics(all_metrics, {sweep_metric(self.root, row["sweep"])
                                                     for row in rows if row["sweep"]})
        for row in rows:
            row["config"] = {k: row["config"].get(k) for k in config_keys}
            row["metrics"] = {m: row["metrics"].get(m) for m in metrics}
        return {"runs": rows, "listed": listed, "config_keys": config_keys, "metrics": metrics,
                "all_config_keys": sorted(all_config), "all_metrics": sorted(all_metrics),
                "projects": index.projects(str(self.root))}

    def newest(self, count: int, project: Optional[str] = None, where: str = "") -> List[str]:
        """The keys of the `count` newest runs of `project` (default: all) the filter keeps:
        what the charts show before anybody picks runs. Reads about `count` runs, not the store."""
        keep = filters.parse(where)
        now = time.time()
        sweeps = set(sweep_ids(self.root)) if where else ()
        out: List[str] = []
        for run in self.runs(project):
            if not where or keep(self.row(run, now, sweeps)):
                out.append(key_of(run))
                if len(out) >= count:
                    break
        return out

    def details(self, run: RunInfo) -> Dict[str, Any]:
        """What the run page shows, except the console and file contents (fetched on their own)."""
        status = run.status
        meta = dict(run.meta)
        meta["status"] = status
        summary = self.summaries.get(os.path.join(run.path, SUMMARY_JSON))
        if status == "running" or not isinstance(summary, dict):
            summary = None
        series = self.run_series(run)
        return {
            "key": key_of(run), "meta": meta,
            "duration": duration_of(run, status, time.time()),
            "config": self.configs.get(os.path.join(run.path, CONFIG_YAML), {}) or {},
            "summary": summary if summary is not None else {"live": series.last_values()},
            "media": series.media(),
            "job": run.meta.get("job") if isinstance(run.meta.get("job"), dict) else None,
            "sweep": sweep_of(run.meta, set(sweep_ids(self.root))),
            "user_summary": read_json(run.dir / SUMMARY_USER_JSON),
            "consoles": consoles(run.dir),
            "diff_patch": (run.dir / DIFF_PATCH).is_file(),
            "files": self.files(run),
        }

    def files(self, run: RunInfo) -> Dict[str, List[Dict[str, Any]]]:
        """{folder: [{path, size}]} for the folders of FILE_FOLDERS the run has."""
        out: Dict[str, List[Dict[str, Any]]] = {}
        for folder in FILE_FOLDERS:
            top = os.path.join(run.path, folder)
            if not os.path.isdir(top):
                continue
            listed: List[Dict[str, Any]] = []
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames.sort()
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    try:
                        size = os.path.getsize(full)
                    except OSError:
                        continue
                    listed.append({"path": os.path.relpath(full, run.path), "size": size})
                    if len(listed) >= FILE_LIST_LIMIT:
                        break
                if len(listed) >= FILE_LIST_LIMIT:
                    break
            out[folder] = listed
        return out

    def config_diff(self, a: RunInfo, b: RunInfo) -> List[Dict[str, Any]]:
        """The flattened config keys whose values differ between two runs."""
        ca = self.configs.get(os.path.join(a.path, CONFIG_YAML), {}) or {}
        cb = self.configs.get(os.path.join(b.path, CONFIG_YAML), {}) or {}
        missing = object()
        out = []
        for key in sorted(set(ca) | set(cb)):
            va, vb = ca.get(key, missing), cb.get(key, missing)
            if va != vb:
                out.append({"key": key, "a": None if va is missing else va,
                            "b": None if vb is missing else vb,
                            "only": "b" if va is missing else "a" if vb is missing else None})
        return out

    def metric_names(self, runs: List[RunInfo]) -> Dict[str, List[str]]:
        """{"metrics": [...], "system": [...], "steps": [...]}: every numeric metric of the
        runs, system metrics apart, and apart too the step keys (metrics that are the step of
        their records in every run that has them: a chart of them against the step is a line)."""
        names: Dict[str, bool] = {}
        steps: Dict[str, bool] = {}
        for run in runs:
            series = self.run_series(run)
            step_keys = set(series.step_keys())
            for source, metrics in series.metrics().items():
                for m in metrics:
                    system = source == SYSTEM_SOURCE
                    names[m] = names.get(m, True) and system
                    steps[m] = steps.get(m, True) and m in step_keys
        return {"metrics": sorted(m for m, s in names.items() if not s and not steps[m]),
                "system": sorted(m for m, s in names.items() if s),
                "steps": sorted(m for m, s in names.items() if not s and steps[m])}


def job_of(meta: Dict[str, Any]) -> str:
    """The cluster job a run was launched as (`slurm-4242.0`: launcher, job and step), or ""."""
    job = meta.get("job")
    if not isinstance(job, dict):
        return ""
    return str(job.get("id") or job.get("launcher") or "")


def sweep_of(meta: Dict[str, Any], sweeps: Container[str] = ()) -> str:
    """The sweep a run is a trial of (recorded as such, or its group is one of `sweeps`), or ""."""
    sweep = meta.get("sweep_id") or meta.get("sweep")
    if isinstance(sweep, dict):
        sweep = sweep.get("id")
    if not sweep and meta.get("group") in sweeps:
        sweep = meta["group"]
    return sweep if isinstance(sweep, str) else ""


def key_of(run: RunInfo) -> str:
    return f"{run.project}/{os.path.basename(run.path)}"


def consoles(run_dir: Path) -> List[str]:
    """The run's console files: `output.log`, and `output.<part>.log` of each part."""
    try:
        names = os.listdir(run_dir)
    except OSError:
        return []
    found = [n for n in names if n == OUTPUT_LOG or (n.startswith("output.") and n.endswith(".log"))]
    return sorted(found, key=lambda n: (n != OUTPUT_LOG, n))


def read_console(run_dir: Path, name: str, offset: Optional[int], limit: int) -> Dict[str, Any]:
    """A console file from `offset` (default: its last `limit` bytes), at most `limit` bytes.

    `text` holds the complete lines and `next` is the offset after them; `partial` is a last
    line still without its newline (a line the program is writing, or its final prompt): the
    page shows it and replaces it with what the next read from `next` brings."""
    if name not in consoles(run_dir):
        raise BadRequest(f"no console {name!r}", 404)
    try:
        with open(run_dir / name, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if offset is None or offset < 0 or offset > size:
                offset = max(0, size - limit)
            f.seek(offset)
            data = f.read(limit)
    except OSError:
        return {"text": "", "partial": "", "offset": 0, "next": 0, "size": 0}
    cut = data.rfind(b"\n") + 1
    if cut == 0 and len(data) == limit:
        cut = len(data)  # one line longer than the limit: pass it on in pieces
    return {"text": data[:cut].decode("utf-8", "replace"),
            "partial": data[cut:].decode("utf-8", "replace"),
            "offset": offset, "next": offset + cut, "size": size}


def _default_metrics(counts: Dict[str, int], sweep_metrics: Container[Optional[str]]) -> List[str]:
    """The runs table's metric columns when none are chosen: the metric of the sweeps the rows
    are trials of first, then metrics before step counters (`epoch`, `train/step`), the most
    common first, ties alphabetical; never system load."""
    # start-up: the word list only (no grammar), when a table is first shown
    from runwrap.collectors.console.vocabulary import STEP_KEYS

    def key(m: str) -> tuple:
        is_step = m.startswith("_") or m.rsplit("/", 1)[-1].lower() in STEP_KEYS
        return (m not in sweep_metrics, is_step, -counts[m], m)

    return sorted((m for m in counts if not m.startswith("system/")), key=key)[:2]
