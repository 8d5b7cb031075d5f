"""How values that JSON cannot hold are stored: NaN and ±Infinity as the strings
"NaN", "Infinity" and "-Infinity", so every file stays strict JSON that `jq` reads."""
from __future__ import annotations

import math
from typing import Any

NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


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
