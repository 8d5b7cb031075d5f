"""How values that JSON cannot hold are stored: NaN and ±Infinity as the strings
"NaN", "Infinity" and "-Infinity", so every file stays strict JSON that `jq` reads."""
from __future__ import annotations

import math
import sys
from typing import Any, Callable, Dict, Mapping, Optional, Union

from runwrap.errors import UsageError

NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# The largest int a float64 holds (about 1.8e308): past it an int has no float form.
FLOAT_MAX_INT = int(sys.float_info.max)


def within_float(value: int) -> Union[int, float]:
    """An int as stored: itself while float64 can hold it, else ±Infinity, as wandb shows it
    (readers, the summary and MLflow all compute in float64; a 400-digit int would break them).
    """
    if -FLOAT_MAX_INT <= value <= FLOAT_MAX_INT:
        return value
    return math.inf if value > 0 else -math.inf


def to_json_safe(value: Any) -> Any:
    """`value` with every non-finite float (at any depth) replaced by its string form."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: to_json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_safe(v) for v in value]
    return value


def decode_value(value: Any) -> Any:
    """A stored value as it was logged: the non-finite strings become floats again."""
    if isinstance(value, str):
        return NONFINITE.get(value, value)
    return value


class NotPlain(UsageError, TypeError):
    """A value with no JSON form (an arbitrary object) where a plain one is required: log()
    refuses it, as wandb does with a TypeError."""


# How deeply dicts and lists may nest in a logged value, a config or a summary: far more than
# any real config, far less than Python's recursion limit (which readers and json share).
MAX_DEPTH = 100


class TooDeep(UsageError, ValueError):
    """A value nested deeper than MAX_DEPTH (or one that contains itself)."""

    def __init__(self, what: str = "a value"):
        super().__init__(f"{what} is nested more than {MAX_DEPTH} levels deep (or contains "
                         f"itself); runwrap records at most {MAX_DEPTH} levels: flatten it, or "
                         f"store it as a file with run.save()")


def plain_value(value: Any, keep: Optional[Callable[[Any], bool]] = None,
                strict: bool = False, depth: int = 0) -> Any:
    """`value` as JSON and YAML hold it: None, bool, int, float and str as themselves
    (subclasses as the base type; an int past float64 as ±Infinity), mappings as dicts with
    string keys, lists, tuples and sets as lists, numpy/torch scalars through .item() and arrays
    through .tolist() (duck-typed, neither is imported), anything else as its str() (or,
    `strict`, NotPlain). A value for which `keep` says true stays as it is (the SDK's media
    objects, stored as files later). Nesting past MAX_DEPTH raises TooDeep."""
    t = type(value)
    if t is float or t is str or t is bool or value is None:
        return value
    if t is int:
        return within_float(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return within_float(int(value))
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        if depth >= MAX_DEPTH:
            raise TooDeep()
        if isinstance(value, Mapping):
            return {str(k): plain_value(v, keep, strict, depth + 1) for k, v in value.items()}
        return [plain_value(v, keep, strict, depth + 1) for v in value]
    if keep is not None and keep(value):
        return value
    for convert in ("item", "tolist"):  # a one-element array's item(); else the whole array
        method = getattr(value, convert, None)
        if callable(method):
            try:
                return plain_value(method(), keep, strict, depth)
            except Exception:  # item() of an array with more than one element
                pass
    if strict:
        raise NotPlain(f"cannot record {value!r:.80} (a {type(value).__name__}); pass numbers, "
                       f"strings, lists, dicts or runwrap data types (Image, Table, "
                       f"Histogram, ...), or str() it first")
    return str(value)


def flatten_dotted(value: Any, prefix: str = "", out: Optional[Dict[str, Any]] = None
                   ) -> Dict[str, Any]:
    """Nested config as dotted keys: {"opt": {"lr": 0.1}} -> {"opt.lr": 0.1}; an empty
    mapping is a value of its own."""
    out = {} if out is None else out
    if isinstance(value, dict) and value:
        for k, v in value.items():
            flatten_dotted(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif prefix:
        out[prefix] = value
    return out
