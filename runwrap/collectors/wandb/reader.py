"""What a wandb transaction log holds, recorded into a runwrap run directory: the part shared by
the live collector (collector.py) and `runwrap import-wandb` (importer.py).

- History rows -> `streams/wandb.jsonl`, one record per row: wandb's `_step`, `_time` = wandb's
  `_timestamp`, `_runtime` from the runwrap run's start, and the row's values. A nested dict
  becomes dotted names (`{"a": {"b": 1}}` -> `a.b`, as wandb shows it); media and other
  objects with a `_type` (images, tables, histograms) are counted, not imported.
- Several wandb runs in one program (`wandb.init(reinit=...)`, a loop of trials): each is an
  experiment of its own, so each is a source of its own, never a part (parts are the tasks of
  one job, and readers merge them). The first wandb run id seen writes `wandb.jsonl`; each
  further id its own source, `wandb-<id>.jsonl` (`further_source`). A wandb run that resumes
  (the same id in a new `run-<id>.wandb`) goes on in the stream it had, and since wandb
  continues its own `_step`, the series continues. run.json `wandb_runs` says which wandb run
  is in which stream.
- Config -> config.yaml, merged key by key (wandb's `_wandb` bookkeeping left out; a value
  stored as `{desc, value}`, as wandb's config files hold it, unwrapped). A further wandb
  run's config goes to its own entry, run.json `wandb_runs[<id>]["config"]`, rather than over
  the first run's.
- Summary -> summary-user.json (the run's explicit summary, which `runwrap show` and sync read),
  merged key by key: the values that are not simply a metric's last logged value (those are
  in the stream's statistics already), wandb's `_`-keys left out. A further wandb run's goes to
  `wandb_runs[<id>]["summary"]`.

Counts of what was skipped go to the collector's `skipped` (run.json): `crc` (damaged
stretches), `bad_record` (a valid frame that is not a Record), `unknown_record:<field>` (a
record type newer than this reader), `media:<type>`.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from runwrap.collectors.wandb import decoding
from runwrap.collectors.base import warn_once
from runwrap.collectors.wandb.framing import LogReader
from runwrap.store import documents
from runwrap.store.layout import CONFIG_YAML, RUN_JSON, SUMMARY_USER_JSON
from runwrap.store.streams import (MAX_KEYS, WANDB_RUN_PREFIX, KeyLimit, StreamWriter,
                                   stream_path)

__all__ = ["SOURCE", "LogFile", "WandbRecorder", "further_source", "run_id_of"]

SOURCE = "wandb"
FIRST_STREAM = f"{SOURCE}.jsonl"
RUNS_KEY = "wandb_runs"  # run.json: {wandb run id: {"stream": ..., "files": [...], ...}}
BATCH = 2000  # rows per write
# A source name holds no dot (the first dot starts a part: store/streams.py) and no path
# separator; wandb allows both in a run id (`id="trial.1"`).
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

Counter = Callable[[str, int], None]
Changes = Dict[Tuple[str, ...], Tuple[bool, Any]]  # key path -> (removed?, value)


def further_source(run_id: str, taken: "set[str]") -> str:
    """The source of a wandb run after the program's first: `wandb-<id>`, the id made safe as
    a source name, and numbered on when two ids come out the same."""
    base = f"{WANDB_RUN_PREFIX}{_UNSAFE.sub('_', run_id) or '_'}"
    name, n = base, 1
    while f"{name}.jsonl" in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def run_id_of(path: "str | Path") -> str:
    """The wandb run id a log file is named for."""
    return os.path.basename(str(path))[len("run-"):-len(".wandb")]


class LogFile:
    """One `run-<id>.wandb` being read: where reading is and what was counted from it."""

    __slots__ = ("path", "run_id", "reader", "size", "counted_corrupt", "warned")

    def __init__(self, path: str):
        self.path = path
        self.run_id = run_id_of(path)
        self.reader = LogReader(path)
        self.size = -1  # size at the last read
        self.counted_corrupt = 0
        self.warned = False


def _unwrap(value: Any) -> Any:
    """wandb's config files store each value as `{desc, value}`; the log stores it plain."""
    if isinstance(value, dict) and set(value) == {"desc", "value"}:
        return value["value"]
    return value


def _set_path(doc: Dict[str, Any], path: Tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        inner = doc.get(name)
        if not isinstance(inner, dict):
            inner = doc[name] = {}
        doc = inner
    doc[path[-1]] = value


def _remove_path(doc: Dict[str, Any], path: Tuple[str, ...]) -> None:
    for name in path[:-1]:
        doc = doc.get(name)  # type: ignore[assignment]
        if not isinstance(doc, dict):
            return
    doc.pop(path[-1], None)


def _apply_changes(doc: Dict[str, Any], changes: Changes,
                   convert: Callable[[Any], Any] = lambda v: v) -> bool:
    """Apply `changes` to `doc` (wandb's `_wandb` bookkeeping left out); whether it changed."""
    before = repr(doc)
    for path, (remove, value) in changes.items():
        if path[0] == "_wandb":
            continue
        if remove:
            _remove_path(doc, path)
        else:
            _set_path(doc, path, convert(value))
    return repr(doc) != before


class WandbRecorder:
    """Applies the messages of wandb logs to one run directory."""

    def __init__(self, run_dir: Path, start_time: float, count: Counter,
                 on_rows: Optional[Callable[[List[dict]], None]] = None):
        """`on_rows` sees every batch of rows once written (the importer builds the summary
        from them rather than reading the stream back)."""
        self.run_dir = Path(run_dir)
        self.start_time = start_time
        self._count = count
        self._on_rows = on_rows
        self._writers: Dict[str, StreamWriter] = {}
        self._key_limits: Dict[str, KeyLimit] = {}  # per stream: MAX_KEYS names at most
        self._runs: Optional[Dict[str, Dict[str, Any]]] = None  # run.json wandb_runs, loaded late
        self._runs_changed = False
        self._earlier: set = set()  # log files run.json listed when this recorder started
        # Changes read and not yet written, per wandb run id. Only the last change of a key
        # matters, and wandb rewrites the summary after every history row.
        self._config: Dict[str, Changes] = {}
        self._summary: Dict[str, Changes] = {}
        self.producer = ""  # the wandb version that wrote the last header seen
        self.exit_code: Optional[int] = None
        self.rows = 0  # history rows written
        self.last_time: Optional[float] = None  # the last row's _timestamp
        self._logged: Dict[str, Dict[str, Any]] = {}  # per wandb run: each metric's last value

    # -- reading ---------------------------------------------------------------------------

    def read(self, log: LogFile, final: bool = False,
             should_stop: Callable[[], bool] = lambda: False) -> None:
        """Record whatever `log` holds beyond what was read. With `final`, a message cut off at
        the end of the file (the writer is gone) is counted as damage."""
        try:
            log.size = os.stat(log.path).st_size
        except OSError:
            pass
        rows: List[dict] = []
        stream = self._stream_of(log)
        for message in log.reader.read():
            try:
                item = decoding.decode(message)
            except decoding.DecodeError:
                self._count("bad_record", 1)
                warn_once("wandb-bad-record", f"skipping an undecodable record in {log.path} "
                                              "(its checksum was valid)")
                continue
            if item is None:
                continue
            if isinstance(item, decoding.History):
                row = self._row(log, item)
                if row is not None:
                    rows.append(row)
                    if len(rows) >= BATCH:
                        self._write(stream, rows)
                        rows = []
                        if should_stop():
                            log.size = -1  # read on later, from where this stopped
                            break
            else:
                self._apply(log, item)
        if rows:
            self._write(stream, rows)
        reader = log.reader
        if final and reader.pending:
            reader.corrupt += 1  # the log ends inside a message: it never came whole
        if reader.corrupt > log.counted_corrupt:
            self._count("crc", reader.corrupt - log.counted_corrupt)
            log.counted_corrupt = reader.corrupt
            warn_once("wandb-crc", f"skipped a damaged stretch of {log.path}; "
                                   "reading on from the next valid record")
        if reader.unreadable is not None and not log.warned:
            log.warned = True
            self._count("unreadable_log", 1)
            warn_once("wandb-version", f"cannot read {log.path}: {reader.unreadable} "
                      f"(written by wandb {_installed_wandb()}); its metrics are not recorded")

    def _row(self, log: LogFile, history: decoding.History) -> Optional[dict]:
        values = history.values
        step = values.get("_step", history.step)
        when = values.get("_timestamp")
        if not isinstance(when, (int, float)):
            when = time.time()
        self.last_time = when
        record: Dict[str, Any] = {"_step": step, "_time": when,
                                  "_runtime": when - self.start_time}
        for key, value in values.items():
            if key[:1] == "_":
                continue
            if isinstance(value, dict):
                self._flatten(record, key, value)
            else:
                record[key] = value
        self._logged.setdefault(log.run_id, {}).update(record)
        return record if len(record) > 3 else None

    def _flatten(self, record: dict, prefix: str, value: dict) -> None:
        kind = value.get("_type")
        if kind is not None:
            self._count(f"media:{kind}", 1)
            return
        for key, inner in value.items():
            if isinstance(inner, dict):
                self._flatten(record, f"{prefix}.{key}", inner)
            else:
                record[f"{prefix}.{key}"] = inner

    def _apply(self, log: LogFile, item: Any) -> None:
        if isinstance(item, decoding.Change):
            target = (self._config if item.kind == "config" else self._summary
                      ).setdefault(log.run_id, {})
            for path, value in item.update.items():
                target.pop(path, None)  # re-inserted last: changes stay in order
                target[path] = (False, value)
            for path in item.remove:
                target.pop(path, None)
                target[path] = (True, None)
        elif isinstance(item, decoding.RunStart):
            for change in (item.config, item.summary):
                if change is not None:
                    self._apply(log, change)
            info = self._run_entry(log)
            for key, value in (("project", item.project), ("entity", item.entity),
                               ("name", item.name), ("start_time", item.start_time)):
                if value and info.get(key) != value:
                    info[key] = value
                    self._runs_changed = True
        elif isinstance(item, decoding.RunExit):
            self.exit_code = item.exit_code
        elif isinstance(item, decoding.Header):
            self.producer = item.producer
        elif isinstance(item, decoding.Unknown):
            self._count(f"unknown_record:{item.field}", 1)
            warn_once("wandb-unknown", f"{log.path} holds records of a kind runwrap does not "
                      f"know (written by wandb {self.producer or 'of an unknown version'}); "
                      "they are skipped and counted in run.json")

    # -- where things go -------------------------------------------------------------------

    def _load_runs(self) -> Dict[str, Dict[str, Any]]:
        if self._runs is None:
            doc = documents.read_json(self.run_dir / RUN_JSON, {}) or {}
            runs = doc.get(RUNS_KEY) if isinstance(doc, dict) else None
            self._runs = runs if isinstance(runs, dict) else {}
            self._earlier = {os.path.normpath(os.path.join(self.run_dir, f))
                             for info in self._runs.values() if isinstance(info, dict)
                             for f in info.get("files") or []}
        return self._runs

    def recorded_before(self, path: str) -> bool:
        """Whether an earlier session of this run (before `runwrap --resume`) recorded the log
        at `path` already: its folder may look new enough to be this session's."""
        self._load_runs()
        return os.path.normpath(path) in self._earlier

    def _run_entry(self, log: LogFile) -> Dict[str, Any]:
        runs = self._load_runs()
        info = runs.get(log.run_id)
        if info is None:
            taken = {r.get("stream") for r in runs.values() if isinstance(r, dict)}
            name = FIRST_STREAM if FIRST_STREAM not in taken else \
                f"{further_source(log.run_id, taken)}.jsonl"
            info = runs[log.run_id] = {"stream": name, "files": []}
            self._runs_changed = True
        relative = os.path.relpath(log.path, self.run_dir)
        shown = log.path if relative.startswith("..") else relative
        if shown not in info.setdefault("files", []):
            info["files"].append(shown)
            self._runs_changed = True
        return info

    def _stream_of(self, log: LogFile) -> str:
        return self._run_entry(log)["stream"]

    def _write(self, stream: str, rows: List[dict]) -> None:
        limit = self._key_limits.setdefault(stream, KeyLimit())
        late = sum(limit.admit(row) for row in rows)
        if late:
            self._count("names_past_limit", late)
            warn_once("wandb-names", f"the program's wandb run created more than {MAX_KEYS:,} "
                                     f"distinct metric names; values under further new names "
                                     f"are not recorded (counted in run.json as "
                                     f"names_past_limit)")
            rows = [row for row in rows if any(k[:1] != "_" for k in row)]
            if not rows:
                return
        try:
            writer = self._writers.get(stream)
            if writer is None:
                # By the name run.json holds: `wandb.<id>.jsonl` in a run an older runwrap
                # recorded, resumed now.
                writer = self._writers[stream] = StreamWriter(
                    stream_path(self.run_dir, stream[:-len(".jsonl")]))
            writer.write_many(rows)
            self.rows += len(rows)
            if self._on_rows is not None:
                self._on_rows(rows)
        except OSError as exc:  # disk full...: count, warn once, keep going
            self._count("write_failed", len(rows))
            warn_once("wandb-write", f"cannot write streams/{stream}: {exc}", exc)

    def flush_documents(self) -> None:
        """Write the config, summary and run.json changes read since the last call."""
        try:
            config, self._config = self._config, {}
            summary, self._summary = self._summary, {}
            runs = self._load_runs()
            for run_id, changes in config.items():
                if self._is_first(run_id):
                    self._update_config(changes)
                else:
                    self._runs_changed |= _apply_changes(
                        runs[run_id].setdefault("config", {}), changes, _unwrap)
            for run_id, changes in summary.items():
                wanted = self._summary_changes(run_id, changes)
                if not wanted:
                    continue
                if self._is_first(run_id):
                    self._update_summary(wanted)
                else:
                    self._runs_changed |= _apply_changes(
                        runs[run_id].setdefault("summary", {}), wanted)
            if self._runs_changed:
                self._runs_changed = False
                documents.update_json(self.run_dir / RUN_JSON,
                                      lambda doc: doc.__setitem__(RUNS_KEY, runs))
        except OSError as exc:
            warn_once("wandb-documents", f"cannot record wandb's config or summary: {exc}", exc)

    def _is_first(self, run_id: str) -> bool:
        """Whether `run_id` is the program's first wandb run (the one in wandb.jsonl, whose
        config and summary are the runwrap run's)."""
        info = self._load_runs().get(run_id)
        return info is None or info.get("stream") == FIRST_STREAM

    def _update_config(self, changes: Changes) -> None:
        with documents.locked(self.run_dir):
            config = documents.read_yaml(self.run_dir / CONFIG_YAML, {})
            if not isinstance(config, dict):
                config = {}
            if _apply_changes(config, changes, _unwrap):
                documents.write_yaml(self.run_dir / CONFIG_YAML, config)

    def _update_summary(self, changes: Changes) -> None:
        def mutate(doc: dict) -> None:
            _apply_changes(doc, changes)

        documents.update_json(self.run_dir / SUMMARY_USER_JSON, mutate)

    def _summary_changes(self, run_id: str, changes: Changes) -> Changes:
        """wandb rewrites its summary after every row with the row's values; the stream's
        statistics hold those already, so only what differs (`run.summary[k] = v`, a key never
        logged) is kept."""
        logged = self._logged.get(run_id, {})
        return {path: change for path, change in changes.items() if path[0][:1] != "_"
                and not (len(path) == 1 and not change[0] and path[0] in logged
                         and logged[path[0]] == change[1])}

    def close(self) -> None:
        self.flush_documents()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def _installed_wandb() -> str:
    """The version of wandb installed here (the one the program most likely used)."""
    try:
        from importlib.metadata import version  # start-up: loaded only on the path that needs it

        return version("wandb")
    except Exception:
        return "of an unknown version"
