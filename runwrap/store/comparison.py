"""Several runs side by side: the config keys that differ, chosen metrics' statistics, status and
duration. Plain data; the CLI turns it into a table, CSV or JSON."""
from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from runwrap.errors import UsageError
from runwrap.store.documents import YamlTooLarge, load_yaml, read_json, write_bytes_atomic
from runwrap.store.layout import CONFIG_YAML
from runwrap.store.run_info import RunInfo
from runwrap.store.media import is_reference
from runwrap.store.summary import PRIORITY, load_summary
from runwrap.store.values import decode_value, flatten_dotted, to_json_safe

SYSTEM = "system"


def read_config(path: Any) -> Dict[str, Any]:
    """config.yaml with libyaml's parser when available (much faster over thousands of runs)."""
    import yaml  # start-up: yaml is imported only where it is used

    try:
        with open(path, "rb") as f:
            data = load_yaml(f, fast=True)
    except (OSError, yaml.YAMLError, YamlTooLarge):
        return {}
    return data if isinstance(data, dict) else {}


CONFIG_CACHE = ".cache/configs.json"  # under the store root: parsed configs by file signature
_CACHE_VERSION = 1
_CACHE_LIMIT = 100_000


def read_configs(run_dirs: Sequence[Path]) -> List[Dict[str, Any]]:
    """Each run's flattened config. Parsing YAML is slow next to reading JSON, so parsed
    configs are kept in `<store>/.cache/configs.json`, keyed by path, mtime and size: a second compare of
    1,000 runs reads one JSON file and stats the configs. The cache is only ever an
    optimisation: unreadable or unwritable, it is ignored."""
    if not run_dirs:
        return []
    root = Path(run_dirs[0]).parent.parent
    cache = read_json(root / CONFIG_CACHE, {}) or {}
    entries = cache.get("configs") if cache.get("version") == _CACHE_VERSION else None
    entries = entries if isinstance(entries, dict) else {}
    changed = False
    out = []
    for run_dir in run_dirs:
        folder = str(run_dir)  # plain strings: pathlib costs more than the stat here
        path = os.path.join(folder, CONFIG_YAML)
        try:
            st = os.stat(path)
        except OSError:
            out.append({})
            continue
        key = folder[len(str(root)) + 1:]
        signature = [st.st_mtime_ns, st.st_size]
        hit = entries.get(key)
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == signature and isinstance(hit[1], dict):
            out.append({k: decode_value(v) for k, v in hit[1].items()})
            continue
        flat = flatten_dotted(read_config(path))
        entries[key] = [signature, to_json_safe(flat)]
        changed = True
        out.append(flat)
    if changed:
        if len(entries) > _CACHE_LIMIT:
            entries = {}
        try:
            (root / CONFIG_CACHE).parent.mkdir(exist_ok=True)
            write_bytes_atomic(root / CONFIG_CACHE, json.dumps(
                {"version": _CACHE_VERSION, "configs": entries}, default=str).encode())
        except OSError:
            pass  # a read-only store still compares, just slower
    return out


def metric_stats(summary: Dict[str, Dict[str, Dict[str, Any]]], metric: str) -> Optional[Dict[str, Any]]:
    """The metric's entry from the first source (in summary priority order) that has it."""
    order = list(PRIORITY) + sorted(s for s in summary if s not in PRIORITY)
    for source in order:
        entry = (summary.get(source) or {}).get(metric)
        if isinstance(entry, dict):
            return {k: decode_value(entry.get(k)) for k in ("last", "min", "max")}
    return None


def duration_of(run: RunInfo, status: str, now: float) -> Optional[float]:
    d = run.meta.get("duration")
    if isinstance(d, (int, float)):
        return float(d)
    end = run.meta.get("end_time")
    if isinstance(end, (int, float)) and run.start_time:
        return end - run.start_time
    if status == "running" and run.start_time:
        return now - run.start_time
    return None


@dataclass
class Comparison:
    config_keys: List[str]
    metrics: List[str]
    stats: List[str]  # which statistics per metric: ["last"] or ["last", "min", "max"]
    records: List[Dict[str, Any]] = field(default_factory=list)  # one per run

    def columns(self) -> List[str]:
        cols = ["id", "name"] + self.config_keys
        for m in self.metrics:
            cols += [m if s == "last" else f"{s}({m})" for s in self.stats]
        return cols + ["status", "duration"]

    def row(self, record: Dict[str, Any]) -> List[Any]:
        values = [record["id"], record["name"]] + [record["config"].get(k) for k in self.config_keys]
        for m in self.metrics:
            entry = record["metrics"].get(m) or {}
            values += [entry.get(s) for s in self.stats]
        return values + [record["status"], record["duration"]]

    def rows(self) -> List[List[Any]]:
        return [self.row(r) for r in self.records]


def _same(values: List[Any]) -> bool:
    first = values[0]
    if all(v.__class__ is first.__class__ and v == first for v in values):
        return True  # the common case, decided without serialising
    if first.__class__ in (dict, list):
        dumped = json.dumps(first, sort_keys=True, default=str)
        return all(json.dumps(v, sort_keys=True, default=str) == dumped for v in values)
    return False


def compare_runs(runs: Sequence[RunInfo], metrics: Sequence[str] = ()) -> Comparison:
    """Read each run's config and summary once. With no `metrics`, the non-system metrics every
    run has are shown by their last value; chosen metrics also get min and max."""
    now = time.time()
    records = []
    summaries = []
    configs = read_configs([run.dir for run in runs])
    for run, config in zip(runs, configs):
        status = run.status
        summary = load_summary(run.dir)
        summaries.append(summary)
        records.append({"id": run.id, "name": run.name, "project": run.project, "status": status,
                        "duration": duration_of(run, status, now), "config": config,
                        "metrics": {}})
    keys: List[str] = []
    for r in records:
        keys += [k for k in r["config"] if k not in keys]
    if len(records) > 1:
        _missing = object()
        keys = [k for k in keys if not _same([r["config"].get(k, _missing) for r in records])]
    if metrics:
        chosen, stats = list(metrics), ["last", "min", "max"]
    else:
        common: Optional[List[str]] = None
        for s in summaries:
            # Media keys (images, tables...) have a file reference as their last value: no column.
            names = [m for src, table in s.items() if src != SYSTEM
                     for m, e in (table or {}).items()
                     if not (isinstance(e, dict) and is_reference(e.get("last")))]
            common = names if common is None else [m for m in common if m in names]
        chosen, stats = sorted(set(common or [])), ["last"]
    for record, summary in zip(records, summaries):
        for m in chosen:
            entry = metric_stats(summary, m)
            if entry is not None:
                record["metrics"][m] = entry
    return Comparison(keys, chosen, stats, records)


def sort_records(comparison: Comparison, spec: str) -> None:
    """Sort by a column (`loss`, `min(loss)`, `lr`, `duration`...); a leading `-` sorts
    descending. Runs without a value come last either way."""
    descending = spec.startswith("-")
    name = spec[1:] if descending else spec
    columns = comparison.columns()
    if name not in columns:
        raise UsageError(f"--sort {spec!r}: no such column; choose one of {', '.join(columns)} "
                         f"(add --metric {name} to compare a metric not shown)")
    index = columns.index(name)

    def key(record: Dict[str, Any]) -> Any:
        v = comparison.row(record)[index]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)):
            return (1, 0.0, "" if v is None else str(v))
        return (0, -v if descending else v, "")

    present = [r for r in comparison.records if key(r)[0] == 0]
    absent = [r for r in comparison.records if key(r)[0] == 1]
    present.sort(key=key)
    absent.sort(key=lambda r: key(r)[2], reverse=descending)
    comparison.records = present + [r for r in absent if comparison.row(r)[index] is not None] + \
        [r for r in absent if comparison.row(r)[index] is None]
