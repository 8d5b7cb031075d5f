"""Downsampling a series for a chart: of each run of consecutive points, the lowest and the
highest, so a chart of a million points draws a few hundred and never loses a spike.

A long column keeps `Blocks`, the min and max of each BLOCK values, so that a bucket of many
points costs a scan of its blocks' extremes instead of every value.
"""
from __future__ import annotations

import bisect
from array import array
from typing import List, Optional, Sequence, Tuple

# Values per block of the min/max summary a column keeps for downsampling: a bucket of a
# thousand points then costs a scan of ~60 block extremes instead of the thousand values.
BLOCK = 16


class Blocks:
    """The min and max of each complete block of BLOCK consecutive values of a series."""

    __slots__ = ("mins", "maxs")

    def __init__(self) -> None:
        self.mins = array("d")
        self.maxs = array("d")

    def extend(self, values: Sequence[float]) -> "Blocks":
        """Add the blocks `values` completed since the last call (values only ever grow)."""
        mins, maxs = self.mins, self.maxs
        for i in range(len(mins) * BLOCK, len(values) - BLOCK + 1, BLOCK):
            block = values[i:i + BLOCK]
            mins.append(min(block))
            maxs.append(max(block))
        return self


class Points:
    """x and y of one series, sorted by x, ready to downsample. The x shown is `xs - offset`:
    relative time is wall time less the run's start, subtracted only from the points sent."""

    __slots__ = ("xs", "ys", "offset", "blocks")

    def __init__(self, xs: Sequence[float], ys: Sequence[float], offset: float = 0.0,
                 blocks: Optional[Blocks] = None) -> None:
        self.xs = xs
        self.ys = ys
        self.offset = offset
        self.blocks = blocks  # of ys, when they are a column's values as they stand

    def lists(self) -> Tuple[List[float], List[float]]:
        """Every point as (shown xs, ys)."""
        offset = self.offset
        xs = [x - offset for x in self.xs] if offset else list(self.xs)
        return xs, list(self.ys)


def downsample(points: Points, buckets: int, lo: Optional[float] = None,
               hi: Optional[float] = None) -> Tuple[List[float], List[float]]:
    """At most 2*`buckets`+1 points that keep the shape: the points with x in [lo, hi] (default:
    all) cut into `buckets` runs of consecutive points, and of each run the point with the
    lowest and the one with the highest y, in x order, and the last point. Every point returned
    is a real point, so hover shows exact values, and no spike is ever averaged away."""
    xs, ys, offset = points.xs, points.ys, points.offset
    start = 0 if lo is None else bisect.bisect_left(xs, lo + offset)
    end = len(xs) if hi is None else bisect.bisect_right(xs, hi + offset)
    # One point either side of a zoomed range, so the line reaches the edges of the plot.
    if lo is not None and start > 0:
        start -= 1
    if hi is not None and end < len(xs):
        end += 1
    if end - start <= 2 * buckets:
        return Points(xs[start:end], ys[start:end], offset).lists()
    kept = shape_indices(ys, points.blocks, start, end, buckets)
    out_x = [xs[i] - offset for i in kept] if offset else [xs[i] for i in kept]
    return out_x, [ys[i] for i in kept]


def shape_indices(ys: Sequence[float], blocks: Optional[Blocks], start: int, end: int,
                  buckets: int) -> List[int]:
    """The indices, ascending, of the points of ys[start:end] that keep its shape: cut into
    `buckets` runs of consecutive points, each run's lowest and highest point, and the last
    point. `blocks`, when given, are ys's block extremes (they spare scanning long runs)."""
    n = end - start
    if n <= 2 * buckets:
        return list(range(start, end))
    out: List[int] = []
    for b in range(buckets):
        a = start + b * n // buckets
        z = start + (b + 1) * n // buckets
        if a >= z:
            continue
        if blocks is not None and z - a >= 4 * BLOCK:
            i, j = _extremes_by_blocks(ys, blocks, a, z)
        else:
            chunk = ys[a:z]
            i = a + chunk.index(min(chunk))
            j = a + chunk.index(max(chunk))
        if i > j:
            i, j = j, i
        out.append(i)
        if j != i:
            out.append(j)
    if out[-1] != end - 1:  # the line always reaches the last point
        out.append(end - 1)
    return out


def _extremes_by_blocks(ys: Sequence[float], blocks: Blocks, a: int, z: int) -> Tuple[int, int]:
    """Indices of the lowest and the highest of ys[a:z], from the block extremes of the whole
    blocks inside [a, z) and a scan of the partial blocks at either end."""
    first = -(-a // BLOCK)  # the first whole block
    last = z // BLOCK  # one past the last whole block
    head = ys[a:first * BLOCK]
    tail = ys[last * BLOCK:z]
    mins = blocks.mins[first:last]
    maxs = blocks.maxs[first:last]
    low = min(mins)
    high = max(maxs)
    if head:
        low = min(low, min(head))
        high = max(high, max(head))
    if tail:
        low = min(low, min(tail))
        high = max(high, max(tail))
    return (_locate(ys, head, mins, tail, a, first, last, low),
            _locate(ys, head, maxs, tail, a, first, last, high))


def _locate(ys: Sequence[float], head: Sequence[float], extremes: Sequence[float],
            tail: Sequence[float], a: int, first: int, last: int, value: float) -> int:
    """The index of the first point equal to `value` (which the head, a block or the tail holds)."""
    if value in head:
        return a + head.index(value)
    if value in extremes:
        block = first + extremes.index(value)
        start = block * BLOCK
        return start + ys[start:start + BLOCK].index(value)
    return last * BLOCK + tail.index(value)
