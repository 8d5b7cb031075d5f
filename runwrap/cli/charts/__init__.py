"""Charts of metric series: sparklines, terminal line charts (braille), images (matplotlib) and
self-contained HTML (inline SVG). Presentation only: the points come from store.readback."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List, Sequence, Tuple

SPARK = "▁▂▃▄▅▆▇█"
# One color per line, in order (matplotlib's tab10), so a run has the same color everywhere.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


@dataclass
class Line:
    label: str
    xs: List[float] = field(default_factory=list)
    ys: List[float] = field(default_factory=list)


@dataclass
class Chart:
    title: str  # the metric
    xlabel: str  # "step" or "seconds"
    lines: List[Line] = field(default_factory=list)


def sparkline(values: Sequence[float], width: int = 20) -> str:
    """`values` as at most `width` block characters, low to high; several values per character
    are averaged, and a character whose values are all NaN/Inf is a space."""
    values = list(values)
    if not values or width <= 0:
        return ""
    buckets: List[float] = []
    n = len(values)
    count = min(width, n)
    for i in range(count):
        chunk = values[i * n // count:(i + 1) * n // count]
        finite = [float(v) for v in chunk if _finite(v)]
        buckets.append(sum(finite) / len(finite) if finite else math.nan)
    finite = [b for b in buckets if b == b]
    if not finite:
        return " " * len(buckets)
    lo, hi = min(finite), max(finite)
    top = len(SPARK) - 1
    out = []
    for b in buckets:
        if b != b:
            out.append(" ")
        elif hi == lo:
            out.append(SPARK[top // 2])
        else:
            out.append(SPARK[min(top, int((b - lo) / (hi - lo) * top + 0.5))])
    return "".join(out)


def _finite(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def finite_points(line: Line) -> List[Tuple[float, float]]:
    return [(x, y) for x, y in zip(line.xs, line.ys) if math.isfinite(x) and math.isfinite(y)]


def bounds(lines: Sequence[Line]) -> Tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) over every finite point, widened when a range is empty."""
    xs = [x for ln in lines for x, _ in finite_points(ln)]
    ys = [y for ln in lines for _, y in finite_points(ln)]
    if not xs:
        return 0.0, 1.0, 0.0, 1.0
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 == y0:
        pad = abs(y0) * 0.1 or 1.0
        y0, y1 = y0 - pad, y1 + pad
    return x0, x1, y0, y1


def thin(points: List[Tuple[float, float]], buckets: int) -> List[Tuple[float, float]]:
    """At most ~2*buckets points that keep the shape: each bucket's min and max, in x order."""
    if len(points) <= 2 * buckets:
        return points
    out: List[Tuple[float, float]] = []
    n = len(points)
    for i in range(buckets):
        chunk = points[i * n // buckets:(i + 1) * n // buckets]
        if not chunk:
            continue
        lo = min(chunk, key=lambda p: p[1])
        hi = max(chunk, key=lambda p: p[1])
        out.extend(sorted({lo, hi}, key=lambda p: p[0]))
    return out


def axis_number(v: float) -> str:
    return format(v, ".4g")
