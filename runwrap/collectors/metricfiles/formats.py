"""Metrics files' formats: one line (or CSV row) in, its metrics and step out.

Formats, by extension, else by the first non-blank line (`{` means JSON Lines, else CSV):
- JSON Lines (.jsonl .ndjson .json): one object per line. Numbers are metrics (booleans,
  strings, null and lists are not: they are counted as `not_a_number`), nested objects are
  flattened with `/` (`{"val": {"loss": 1}}` -> `val/loss`).
- CSV (.csv; .tsv is tab-separated; a header with tabs and no commas is too): the first row
  is the header, each later row a record; cells that are not numbers are skipped (counted),
  a repeated header row is ignored, a column name given twice is kept as NAME.1 (pandas'
  rule; counted as `duplicate_column`).
- In both, `_step`, or else an integer `step`, is the record's `_step` (a `step` used so is not
  a metric as well); other names starting with `_` are left out, they would clash with the
  reserved keys. A step that does not fit in int64 (1e300) is counted as `bad_step`.
- Each kind of skipped input is warned about once and counted in run.json `skipped`.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from runwrap.collectors.console.scalars import as_step
from runwrap.store.values import within_float

MAX_DEPTH = 8  # nesting flattened in JSON objects

# Kinds of skipped input counted in run.json (besides bad_line, long_line, write_error).
NOT_A_NUMBER = "not_a_number"  # true/false, strings, null, lists, non-numeric CSV cells
BAD_STEP = "bad_step"  # a step that is not an int64
DUPLICATE_COLUMN = "duplicate_column"  # a CSV header naming a column twice (kept as NAME.1)
# What each kind is, in the one warning the collector gives about it.
WHAT = {NOT_A_NUMBER: "values that are not numbers (true/false, strings, null, lists)",
         BAD_STEP: "steps that are not integers below 2**63 (kept as metrics)",
         DUPLICATE_COLUMN: "repeated CSV column names (later ones renamed NAME.1, NAME.2, ...)"}

JSONL_EXT = (".jsonl", ".ndjson", ".json")
CSV_EXT = (".csv", ".tsv")


def _flatten(obj: Dict[str, Any], prefix: str, out: Dict[str, Any], depth: int,
             dropped: Dict[str, int]) -> None:
    for key, value in obj.items():
        name = prefix + str(key)
        kind = type(value)
        if kind is float:  # bool is neither
            out[name] = value
        elif kind is int:
            out[name] = within_float(value)  # a 400-digit int: ±Infinity
        elif kind is dict and depth < MAX_DEPTH:
            _flatten(value, name + "/", out, depth + 1, dropped)
        else:  # true/false, "0.5", null, a list: not a metric, and said so
            dropped[NOT_A_NUMBER] = dropped.get(NOT_A_NUMBER, 0) + 1


def parse_json_line(line: bytes, dropped: Optional[Dict[str, int]] = None
                    ) -> Optional[Tuple[Dict[str, Any], Optional[int]]]:
    """(metrics, step) of one JSON Lines line; None when it is not a JSON object. Values left
    out are counted by kind into `dropped`."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    dropped = {} if dropped is None else dropped
    metrics: Dict[str, Any] = {}
    _flatten(obj, "", metrics, 0, dropped)
    return split_step(metrics, dropped)


def split_step(values: Dict[str, Any], dropped: Dict[str, int]
                ) -> Tuple[Dict[str, Any], Optional[int]]:
    """(metrics, step): `_step`, or else an integer `step`, is the step; a `step` used so is
    no metric as well. Keys starting with `_` are reserved, never metrics. A step that is no
    int64 (1e300, 2.5) is counted as BAD_STEP; a `step` so stays a metric."""
    step = None
    for key in ("_step", "step"):
        if key not in values:
            continue
        step = as_step(values[key])
        if step is None:
            dropped[BAD_STEP] = dropped.get(BAD_STEP, 0) + 1
            continue
        if key == "step":
            del values["step"]
        break
    for key in [k for k in values if k.startswith("_")]:
        del values[key]
    return values, step


def unique_names(names: List[str], dropped: Dict[str, int]) -> List[str]:
    """A CSV header's names, a repeated one renamed NAME.1, NAME.2 (pandas' rule) so that no
    column overwrites another; each renaming counted as DUPLICATE_COLUMN."""
    seen = set(names)
    out: List[str] = []
    used: set = set()
    for name in names:
        unique, n = name, 0
        while name and (unique in used or (n and unique in seen)):
            n += 1
            unique = f"{name}.{n}"
        if unique != name:
            dropped[DUPLICATE_COLUMN] = dropped.get(DUPLICATE_COLUMN, 0) + 1
        used.add(unique)
        out.append(unique)
    return out
