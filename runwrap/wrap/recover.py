"""Catching a crashed run up with the files its program wrote after runwrap was killed.

When the wrapper dies (SIGKILL, the OOM killer) the program may go on writing its metrics files
and TensorBoard event files; nobody reads them, so the run misses those values. `recover_run`
reads the run's file sources again the way the wrapper did (the same collectors, the same
options from run.json, into a scratch directory), and appends to each stream only what it does
not hold yet:

- metrics files: a record is the same when its file, step and values are (counted, so that a
  file that logs the same line twice keeps both);
- TensorBoard: a point is the same when its name, step, wall time and value are (an event's
  wall time is in the file, so a point read twice is recognisable whatever records it was
  grouped into).

Records are appended, never rewritten, so a sync cursor stays valid and `runwrap sync`
uploads what was recovered. A recovered metrics-file record carries the time it was recovered
(a metrics file holds no times of its own).
"""
from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Hashable, Iterable, List, Tuple

from runwrap.collectors.base import Collector, CollectorContext
from runwrap.errors import UsageError
from runwrap.store import documents
from runwrap.store.layout import PARTS_DIR, RUN_JSON, SUMMARY_JSON
from runwrap.store.run_info import RunInfo
from runwrap.store.streams import StreamReader, StreamWriter, stream_path

FILES, TENSORBOARD = "files", "tensorboard"


def recover_run(run: RunInfo, store_root: Path) -> Dict[str, int]:
    """Append what the run's metrics files and event files hold beyond its streams; the
    records added per source. UsageError for a run that is still being recorded."""
    if run.status == "running":
        raise UsageError(f"run {run.id} is still being recorded (its runwrap is alive); "
                         f"recover it once it has ended")
    if (run.dir / PARTS_DIR).is_dir():
        raise UsageError(f"run {run.id} is a cluster job's run (one part per task): recover "
                         f"reads the sources of a run of one runwrap only")
    meta = run.meta
    options = {k: (v or {}).get("value") for k, v in (meta.get("options") or {}).items()
               if isinstance(v, dict)}
    cwd = Path(str(meta.get("cwd") or "."))
    scratch = Path(tempfile.mkdtemp(prefix="runwrap-recover-"))
    try:
        shutil.copyfile(run.dir / RUN_JSON, scratch / RUN_JSON)  # the folders init() learned
        ctx = CollectorContext(scratch, float(meta.get("start_time") or 0), cwd, store_root)
        for collector in _collectors(options, ctx):
            collector.start()
            collector.stop()
        added = {FILES: _append(run.dir, scratch, FILES, _file_records),
                 TENSORBOARD: _append(run.dir, scratch, TENSORBOARD, _new_points)}
        # (TensorBoard records carry the events' own wall times; a metrics file has none.)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if any(added.values()):
        _after(run.dir, added)
    return added


def _collectors(options: Dict[str, Any], ctx: CollectorContext) -> List[Collector]:
    out: List[Collector] = []
    if options.get("metrics_files"):
        # start-up: each collector's module only when the run used that source
        from runwrap.collectors.metricfiles.collector import MetricsFiles

        out.append(MetricsFiles(ctx, list(options["metrics_files"])))
    if options.get("tensorboard") or options.get("tensorboard_discovery"):
        # start-up: as above
        from runwrap.collectors.tensorboard.collector import TensorBoardCollector

        out.append(TensorBoardCollector(ctx, list(options.get("tensorboard") or []),
                                        bool(options.get("tensorboard_discovery"))))
    return out


def _values(record: Dict[str, Any]) -> Tuple[Tuple[str, Any], ...]:
    return tuple(sorted((k, repr(v)) for k, v in record.items() if not k.startswith("_")))


def _file_records(kept: Iterable[Dict[str, Any]], read: Iterable[Dict[str, Any]]
                  ) -> List[Dict[str, Any]]:
    """The records of `read` beyond those `kept` holds (same file, step and values)."""
    held: Counter = Counter((r.get("_file"), r.get("_step"), _values(r)) for r in kept)
    new = []
    for record in read:
        key: Hashable = (record.get("_file"), record.get("_step"), _values(record))
        if held[key]:
            held[key] -= 1
        else:
            new.append(record)
    return new


def _new_points(kept: Iterable[Dict[str, Any]], read: Iterable[Dict[str, Any]]
                ) -> List[Dict[str, Any]]:
    """The records of `read` with only the points `kept` lacks (name, step, time, value)."""
    def point(record: Dict[str, Any], name: str) -> Hashable:
        return (name, record.get("_step"), record.get("_time"), repr(record[name]))

    held: Counter = Counter(point(r, k) for r in kept for k in r if not k.startswith("_"))
    new = []
    for record in read:
        fresh = {k: v for k, v in record.items() if k.startswith("_")}
        for name in record:
            if name.startswith("_"):
                continue
            key = point(record, name)
            if held[key]:
                held[key] -= 1
            else:
                fresh[name] = record[name]
        if len(fresh) > sum(k.startswith("_") for k in fresh):
            new.append(fresh)
    return new


def _append(run_dir: Path, scratch: Path, source: str, select: Any) -> int:
    read_path = stream_path(scratch, source)
    if not read_path.exists():
        return 0
    path = stream_path(run_dir, source)
    kept = StreamReader(path).read() if path.exists() else iter(())
    new = select(kept, StreamReader(read_path).read())
    if new:
        writer = StreamWriter(path)
        try:
            writer.write_many(new)
        finally:
            writer.close()
    return len(new)


def _after(run_dir: Path, added: Dict[str, int]) -> None:
    """The summary, if the run had one, now with the recovered values; run.json says what was
    recovered."""
    if (run_dir / SUMMARY_JSON).exists():
        # start-up: only a run that had a summary needs it rebuilt
        from runwrap.store.summary import load_summary

        documents.write_json(run_dir / SUMMARY_JSON, load_summary(run_dir, live=True))
    documents.update_json(run_dir / RUN_JSON, lambda doc: doc.setdefault(
        "recovered", []).append({"time": time.time(), "records": dict(added)}))
