"""Summaries: each metric's last, min, max, mean and count, grouped by the source it came from.

summary.json holds `{source: {metric: {"last", "first", "min", "max", "mean", "count",
"step"}}}` with a `user` source for explicit `run.summary[key] = value` assignments (those hold
only "last"). A metric given a summary by `define_metric(name, summary=..., goal=...)` (run.json
`metrics`) also holds `"summary"`: wandb's nested shape, e.g. `{"max": 0.9, "mean": 0.5}`.
`flat()` gives wandb's view of a summary: each key's last value or defined summary, user
assignments winning.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from runwrap.store.documents import read_json
from runwrap.store.layout import RUN_JSON, SUMMARY_JSON, SUMMARY_USER_JSON
from runwrap.store.streams import MAX_KEYS, StreamReader, source_of, stream_files
from runwrap.store.values import decode_value

USER = "user"
# When two sources hold the same metric name, the flat view takes the first in this order.
PRIORITY = (USER, "sdk", "tensorboard", "files", "stdout", "system")


class SummaryBuilder:
    """Accumulates statistics record by record, in memory that grows with metric names only,
    and at most MAX_KEYS of them per source (a stream written with more, by an older runwrap
    or a program's own log() calls, is summarized for its first MAX_KEYS names)."""

    def __init__(self, initial: Dict[str, Dict[str, Dict[str, Any]]] | None = None):
        """`initial` is an earlier summary to continue (a resumed run)."""
        self.stats: Dict[str, Dict[str, Dict[str, Any]]] = {}
        self._finite: Dict[str, Dict[str, int]] = {}  # values averaged into each mean
        for source, metrics in (initial or {}).items():
            if source != USER and isinstance(metrics, dict):
                self.stats[source] = {k: dict(v) for k, v in metrics.items() if isinstance(v, dict)}
                self._finite[source] = {k: v.get("count", 0) for k, v in self.stats[source].items()}

    def add(self, source: str, record: Dict[str, Any]) -> None:
        table = self.stats.setdefault(source, {})
        finite = self._finite.setdefault(source, {})
        step = record.get("_step")
        for key, raw in record.items():
            if key.startswith("_"):
                continue
            value = decode_value(raw)
            entry = table.get(key)
            if entry is None:
                if len(table) >= MAX_KEYS:
                    continue  # memory bounded whatever a stream holds (streams.MAX_KEYS)
                entry = table[key] = {"last": value, "first": value, "count": 0}
            entry["last"] = value
            if step is not None:
                entry["step"] = step
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            entry["count"] += 1
            if math.isnan(value):
                continue
            if "min" not in entry or value < entry["min"]:
                entry["min"] = value
            if "max" not in entry or value > entry["max"]:
                entry["max"] = value
            # A running mean keeps memory flat; NaN is counted but not averaged.
            if math.isfinite(value):
                n = finite[key] = finite.get(key, 0) + 1
                entry["mean"] = entry.get("mean", 0.0) + (value - entry.get("mean", 0.0)) / n

    def add_many(self, source: str, records: Iterable[Dict[str, Any]]) -> None:
        for record in records:
            self.add(source, record)

    def add_columns(self, source: str, keys: Tuple[str, ...], rows: List[tuple],
                    last_step: int) -> None:
        """Fold a block of rows (all finite plain numbers, same keys, the last at `last_step`)
        in with the result `add` gives row by row (means agree up to float rounding), with
        C-level sum/min/max per column: run.log()'s fast path."""
        table = self.stats.setdefault(source, {})
        finite = self._finite.setdefault(source, {})
        n = len(rows)
        for key, col in zip(keys, zip(*rows)):
            total = sum(col)
            if total - total != 0:  # overflow to inf: take the exact slow path for this column
                for value in col:
                    self.add(source, {key: value, "_step": last_step})
                continue
            entry = table.get(key)
            if entry is None and len(table) >= MAX_KEYS:
                continue
            lo, hi = min(col), max(col)
            if entry is None:
                entry = table[key] = {"last": col[-1], "first": col[0], "count": 0}
            entry["last"] = col[-1]
            entry["step"] = last_step
            entry["count"] = entry["count"] + n
            if "min" not in entry or lo < entry["min"]:
                entry["min"] = lo
            if "max" not in entry or hi > entry["max"]:
                entry["max"] = hi
            before = finite.get(key, 0)
            mean = entry.get("mean", 0.0)
            finite[key] = before + n
            entry["mean"] = mean + (total - n * mean) / (before + n)

    def result(self, user: Dict[str, Any] | None = None,
               definitions: Optional[Dict[str, Dict[str, Any]]] = None
               ) -> Dict[str, Dict[str, Dict[str, Any]]]:
        """summary.json's content; `definitions` (run.json `metrics`) adds wandb's shape."""
        out: Dict[str, Dict[str, Dict[str, Any]]] = {}
        for source, table in self.stats.items():
            out[source] = {k: dict(e) for k, e in table.items()}
        if user:
            out[USER] = {k: {"last": v} for k, v in user.items()}
        return with_definitions(out, definitions)


# What define_metric(summary=...) accepts; "copy" is the plain last value, "none" no summary.
SUMMARY_KINDS = ("min", "max", "mean", "last", "first", "best", "copy", "none")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # a defined summary with nothing to show (summary="none", no numbers yet)


def definition_of(key: str, definitions: Optional[Dict[str, Dict[str, Any]]]
                  ) -> Optional[Dict[str, Any]]:
    """The define_metric() spec that applies to `key`: its own, else the first glob matching."""
    if not definitions:
        return None
    if key in definitions:
        return definitions[key]
    import fnmatch  # start-up: loaded only on the path that needs it

    for pattern, spec in definitions.items():
        if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
            return spec
    return None


def summary_value(entry: Dict[str, Any], spec: Optional[Dict[str, Any]]) -> Any:
    """A metric's summary as wandb shows it: the last value, or for a metric defined with
    `summary=`, the nested `{kind: value}` (`best` is min or max by `goal`); MISSING for
    `summary="none"` and kinds with no numbers yet. `hidden` only hides a metric from charts,
    as in wandb: its summary stays."""
    kinds = (spec or {}).get("summary")
    if not kinds or kinds == ["copy"]:
        return decode_value(entry.get("last"))
    if "none" in kinds:
        return MISSING
    nested: Dict[str, Any] = {}
    for kind in kinds:
        field = kind
        if kind == "copy":
            field = "last"
        elif kind == "best":
            field = "max" if spec.get("goal") == "maximize" else "min"
        if field in entry:
            nested[kind] = decode_value(entry[field])
    return nested if nested else MISSING


def with_definitions(summary: Dict[str, Dict[str, Dict[str, Any]]],
                     definitions: Optional[Dict[str, Dict[str, Any]]]) -> Dict[str, Any]:
    """`summary` (summary.json's shape) with each defined metric's wandb shape under
    `"summary"` in its entry, so summary.json says what `run.summary[key]` said."""
    if not definitions:
        return summary
    for source, table in summary.items():
        if source == USER or not isinstance(table, dict):
            continue
        for key, entry in table.items():
            spec = definition_of(key, definitions)
            if spec and spec.get("summary") and isinstance(entry, dict):
                value = summary_value(entry, spec)
                entry["summary"] = None if value is MISSING else value
    return summary


def summarize_streams(run_dir: Path) -> SummaryBuilder:
    builder = SummaryBuilder()
    for path in stream_files(run_dir):
        builder.add_many(source_of(path), StreamReader(path).read())
    return builder


def load_summary(run_dir: Path, live: bool = False) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """The run's summary: summary.json, or computed from the streams when `live` or missing."""
    run_dir = Path(run_dir)
    doc = None if live else read_json(run_dir / SUMMARY_JSON)
    if not isinstance(doc, dict):
        user = read_json(run_dir / SUMMARY_USER_JSON, {}) or {}
        meta = read_json(run_dir / RUN_JSON, {}) or {}
        definitions = meta.get("metrics") if isinstance(meta, dict) else None
        doc = summarize_streams(run_dir).result(user if isinstance(user, dict) else {},
                                                definitions)
    return doc


def flat(summary: Dict[str, Dict[str, Dict[str, Any]]],
         definitions: Optional[Dict[str, Dict[str, Any]]] = None) -> Dict[str, Any]:
    """Each key's summary as wandb shows it (the last value, or the nested shape of a metric
    `definitions` gives a summary), taking the source that PRIORITY ranks first."""
    order = list(PRIORITY) + sorted(s for s in summary if s not in PRIORITY)
    out: Dict[str, Any] = {}
    for source in reversed(order):
        for key, entry in (summary.get(source) or {}).items():
            if not isinstance(entry, dict) or "last" not in entry:
                continue
            spec = definition_of(key, definitions) if source != USER else None
            if spec is None and source != USER and "summary" in entry:
                value = entry["summary"]  # written with the definitions; None: not shown
                value = MISSING if value is None else value
            else:
                value = summary_value(entry, spec)
            if value is MISSING:
                out.pop(key, None)
            else:
                out[key] = value
    return out
