"""`Histogram`: bin edges and counts, stored as `media/histogram/<key>_<step>_<digest>.histogram.json`
(`{"bins": [...], "values": [...]}`, wandb's histogram fields); `runwrap plot` draws the last."""
from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional, Sequence

from runwrap.errors import UsageError
from runwrap.sdk.media.base import Media, MediaSink

MAX_LENGTH = 512  # wandb's limit on bins


class Histogram(Media):
    """wandb.Histogram(sequence=None, np_histogram=None, num_bins=64)."""

    MAX_LENGTH = MAX_LENGTH

    def __init__(self, sequence: Optional[Sequence[Any]] = None, np_histogram: Any = None,
                 num_bins: int = 64):
        if np_histogram is not None:
            if sequence is not None:
                raise UsageError("Histogram: pass sequence or np_histogram, not both")
            if not isinstance(np_histogram, (tuple, list)) or len(np_histogram) != 2:
                raise UsageError("Histogram: np_histogram must be (counts, bin_edges), as "
                                 "numpy.histogram returns")
            values, bins = (_numbers(np_histogram[0], "counts"), _numbers(np_histogram[1], "bin edges"))
            if len(bins) != len(values) + 1:
                raise UsageError(f"Histogram: {len(bins)} bin edges for {len(values)} counts; "
                                 f"there must be one edge more than counts")
        elif sequence is not None:
            if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1:
                raise UsageError(f"Histogram: num_bins={num_bins!r} must be a positive integer")
            values, bins = _histogram(_numbers(sequence, "sequence"), num_bins)
        else:
            raise UsageError("Histogram needs a sequence of numbers or np_histogram=(counts, edges)")
        if len(values) > MAX_LENGTH:
            raise UsageError(f"Histogram: {len(values)} bins; the most is {MAX_LENGTH}")
        self.histogram = values
        self.bins = bins

    def to_document(self) -> Dict[str, Any]:
        return {"_type": "histogram", "values": self.histogram, "bins": self.bins}

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        data = json.dumps(self.to_document(), separators=(",", ":")).encode()
        stored = sink.write("histogram", key, step, data, "histogram.json")
        return stored.reference("histogram-file", num_bins=len(self.histogram))

    def __repr__(self) -> str:
        return f"<Histogram {len(self.histogram)} bins>"


def _numbers(values: Any, what: str) -> List[float]:
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    if hasattr(values, "ravel"):
        values = values.ravel().tolist()
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        raise UsageError(f"Histogram: the {what} must be numbers, got {list(values)[:5]!r}...") from None
    bad = next((v for v in out if not math.isfinite(v)), None)
    if bad is not None:
        raise UsageError(f"Histogram: the {what} hold {bad}; drop NaN and infinite values first")
    return [int(v) if what == "counts" and v.is_integer() else v for v in out]


def _histogram(values: List[float], num_bins: int) -> tuple:
    """(counts, edges): numpy's rule (equal-width bins, the last one closed) when numpy is
    there, the same rule in Python otherwise."""
    try:
        import numpy as np  # optional extra (media)
    except ImportError:
        np = None
    if np is not None:
        counts, edges = np.histogram(np.asarray(values, dtype=float), bins=num_bins)
        return counts.tolist(), edges.tolist()
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if low == high:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / num_bins
    counts = [0] * num_bins
    for v in values:
        counts[min(int((v - low) / width), num_bins - 1)] += 1
    return counts, [low + i * width for i in range(num_bins + 1)]
