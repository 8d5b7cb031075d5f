"""A chart page that needs nothing but a browser: one inline SVG per metric, no scripts, no CDN.

Each run is one `<polyline class="line">` (hover shows its label), so the page works offline,
in an email attachment, or archived next to the runs."""
from __future__ import annotations

from html import escape
from typing import List, Sequence

from runwrap.cli.charts import PALETTE, Chart, axis_number, bounds, finite_points, thin

W, H = 900, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 45
TICKS = 5


def _svg(chart: Chart) -> str:
    x0, x1, y0, y1 = bounds(chart.lines)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return TOP + (y1 - y) / (y1 - y0) * ph

    parts: List[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" role="img" aria-label="{escape(chart.title)}">',
        f'<text x="{LEFT}" y="{TOP - 10}" class="title">{escape(chart.title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" class="frame"/>',
    ]
    for i in range(TICKS + 1):
        yv = y0 + (y1 - y0) * i / TICKS
        xv = x0 + (x1 - x0) * i / TICKS
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{sy(yv):.1f}" y2="{sy(yv):.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{sy(yv) + 4:.1f}" class="ytick">{axis_number(yv)}</text>')
        parts.append(f'<text x="{sx(xv):.1f}" y="{TOP + ph + 18}" class="xtick">{axis_number(xv)}</text>')
    parts.append(f'<text x="{LEFT + pw / 2:.1f}" y="{H - 6}" class="xlabel">{escape(chart.xlabel)}</text>')
    for k, line in enumerate(chart.lines):
        points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in thin(finite_points(line), pw))
        color = PALETTE[k % len(PALETTE)]
        parts.append(f'<polyline class="line" data-label="{escape(line.label)}" stroke="{color}" '
                     f'points="{points}"><title>{escape(line.label)}</title></polyline>')
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(labels: Sequence[str]) -> str:
    items = "".join(f'<li><span class="swatch" style="background:{PALETTE[k % len(PALETTE)]}"></span>'
                    f"{escape(label)}</li>" for k, label in enumerate(labels))
    return f'<ul class="legend">{items}</ul>'


STYLE = """
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
svg { display: block; margin-bottom: 12px; }
.frame { fill: none; stroke: #999; }
.grid { stroke: #eee; }
.line { fill: none; stroke-width: 2; }
.title { font-weight: 600; font-size: 15px; }
.ytick { text-anchor: end; font-size: 11px; fill: #555; }
.xtick, .xlabel { text-anchor: middle; font-size: 11px; fill: #555; }
.legend { list-style: none; padding: 0; }
.legend li { display: inline-block; margin-right: 18px; }
.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 6px; vertical-align: middle; }
"""


def render_html(charts: Sequence[Chart], title: str = "runwrap plot") -> str:
    labels: List[str] = []
    for chart in charts:
        for line in chart.lines:
            if line.label not in labels:
                labels.append(line.label)
    body = "\n".join(_svg(c) for c in charts)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head>\n<body>\n<h1>{escape(title)}</h1>\n"
            f"{_legend(labels)}\n{body}\n</body></html>\n")
