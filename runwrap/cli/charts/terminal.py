"""Line charts in the terminal with Unicode braille: each character is a 2x4 grid of dots, so a
chart 60 characters wide has 120 x-positions. Works over ssh, needs nothing but UTF-8."""
from __future__ import annotations

from typing import List, Optional, Sequence

from runwrap.cli.charts import Chart, axis_number, bounds, finite_points, thin
from runwrap.cli.output import printable

# Bit of each dot in a braille character, indexed [x][y] within the 2x4 cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_ANSI = ("34", "33", "32", "31", "35", "36", "94", "93", "92", "91")


def render_chart(chart: Chart, width: int = 80, height: int = 16, color: bool = False) -> str:
    """The chart as text `width` characters wide: title, plot with y labels, x range, legend."""
    x0, x1, y0, y1 = bounds(chart.lines)
    labels = [axis_number(y1), axis_number((y0 + y1) / 2), axis_number(y0)]
    margin = max(len(s) for s in labels) + 1
    cols = max(10, width - margin - 1)
    rows = max(3, height)
    px, py = cols * 2, rows * 4
    bits = [[0] * cols for _ in range(rows)]
    owner: List[List[Optional[int]]] = [[None] * cols for _ in range(rows)]

    def plot(x: int, y: int, k: int) -> None:
        if 0 <= x < px and 0 <= y < py:
            r, c = y // 4, x // 2
            bits[r][c] |= _DOTS[x % 2][y % 4]
            owner[r][c] = k

    for k, line in enumerate(chart.lines):
        prev = None
        for x, y in thin(finite_points(line), px):
            gx = int(round((x - x0) / (x1 - x0) * (px - 1)))
            gy = int(round((y1 - y) / (y1 - y0) * (py - 1)))  # row 0 is the top
            if prev is None:
                plot(gx, gy, k)
            else:
                _segment(prev[0], prev[1], gx, gy, lambda a, b: plot(a, b, k))
            prev = (gx, gy)

    out = [printable(chart.title)]  # stored names: escaped here, since colours are not
    for r in range(rows):
        label = labels[0] if r == 0 else labels[1] if r == rows // 2 else labels[2] if r == rows - 1 else ""
        cells = []
        for c in range(cols):
            ch = chr(0x2800 + bits[r][c]) if bits[r][c] else " "
            k = owner[r][c]
            if color and k is not None:
                ch = f"\x1b[{_ANSI[k % len(_ANSI)]}m{ch}\x1b[0m"
            cells.append(ch)
        out.append(label.rjust(margin - 1) + " ┤" + "".join(cells).rstrip())
    out.append(" " * margin + "└" + "─" * cols)
    left, right = axis_number(x0), axis_number(x1)
    name = f"({chart.xlabel})"
    gap = cols - len(left) - len(right)
    if gap >= len(name) + 2:  # the axis name centered between the two ends
        pad = gap - len(name)
        axis = left + " " * (pad // 2) + name + " " * (pad - pad // 2) + right
    else:
        axis = left + " " * max(1, gap) + right
    out.append(" " * (margin + 1) + axis)
    for k, line in enumerate(chart.lines):
        mark = "⣿"
        if color:
            mark = f"\x1b[{_ANSI[k % len(_ANSI)]}m{mark}\x1b[0m"
        out.append(" " * (margin + 1) + f"{mark} {printable(line.label)}")
    return "\n".join(out)


def render_charts(charts: Sequence[Chart], width: int = 80, height: int = 16,
                  color: bool = False) -> str:
    return "\n\n".join(render_chart(c, width, height, color) for c in charts)


def _segment(xa: int, ya: int, xb: int, yb: int, put) -> None:
    """Bresenham's line from (xa, ya) to (xb, yb), both ends included."""
    dx, dy = abs(xb - xa), -abs(yb - ya)
    sx, sy = (1 if xa < xb else -1), (1 if ya < yb else -1)
    err = dx + dy
    while True:
        put(xa, ya)
        if xa == xb and ya == yb:
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            xa += sx
        if e2 <= dx:
            err += dx
            ya += sy
