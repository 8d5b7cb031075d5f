"""Summaries: each metric's last, min, max, mean and count, grouped by the source it came from.

summary.json holds `{source: {metric: {"last", "min", "max", "mean", "count", "step"}}}` with
a `user` source for explicit `run.summary[key] = value` assignments (those hold only "last").
`flat()` gives wandb's view of a summary: each key's last value, user assignments winning.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, Iterable

from runwrap.store.documents import read_json
from runwrap.store.layout import SUMMARY_JSON, SUMMARY_USER_JSON
from runwrap.store.streams import StreamReader, source_of, stream_files
from runwrap.store.values import decode_value

USER = "user"
# When two sources hold the same metric name, the flat view takes the first in this order.
PRIORITY = (USER, "sdk", "tensorboard", "files", "stdout", "system")


class SummaryBuilder:
    """Accumulates statistics record by record, in memory that grows with metric names only."""

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
                entry = table[key] = {"last": value, "count": 0}
            entry["last"] = value
            if step is not None:
                entry["step"] = step
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            count = entry["count"] = entry["count"] + 1
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

    def result(self, user: Dict[str, Any] | None = None) -> Dict[str, Dict[str, Dict[str, Any]]]:
        out: Dict[str, Dict[str, Dict[str, Any]]] = {}
        for source, table in self.stats.items():
            out[source] = {k: dict(e) for k, e in table.items()}
        if user:
            out[USER] = {k: {"last": v} for k, v in user.items()}
        return out


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
        doc = summarize_streams(run_dir).result(user if isinstance(user, dict) else {})
    return doc


def flat(summary: Dict[str, Dict[str, Dict[str, Any]]]) -> Dict[str, Any]:
    """Each key's last value, taking the source that PRIORITY ranks first."""
    order = list(PRIORITY) + sorted(s for s in summary if s not in PRIORITY)
    out: Dict[str, Any] = {}
    for source in reversed(order):
        for key, entry in (summary.get(source) or {}).items():
            if isinstance(entry, dict) and "last" in entry:
                out[key] = decode_value(entry["last"])
    return out
