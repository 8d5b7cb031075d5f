"""`runwrap plot RUN... --metric M`: line charts, one line per run, in the terminal or to a file."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, List, Optional, Tuple

import click

from runwrap.cli.selection import dir_option, project_option, runs_argument

SOURCE_ORDER = ("sdk", "tensorboard", "files", "stdout", "system")


def _size(text: str) -> Tuple[int, int]:
    from runwrap.errors import UsageError

    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text or "")
    if not match or not (50 <= int(match.group(1)) <= 10000 and 50 <= int(match.group(2)) <= 10000):
        raise UsageError(f"--size {text!r}: write WIDTHxHEIGHT in pixels, like 1000x600")
    return int(match.group(1)), int(match.group(2))


def build_charts(runs: List[Any], metrics: List[str], x: str, sources: Optional[List[str]]) -> List[Any]:
    """One chart per metric with one line per run that has it; warns about runs that do not."""
    from runwrap.cli.charts import Chart, Line
    from runwrap.errors import UsageError
    from runwrap.store.readback import metric_names, metric_series

    order = [s for s in SOURCE_ORDER if not sources or s in sources]
    order += [s for s in (sources or []) if s not in order]
    charts = []
    for metric in metrics:
        chart = Chart(metric, "step" if x == "step" else "seconds since start")
        for run in runs:
            series = metric_series(run.dir, metric, order, x=x, start_time=run.start_time)
            if series is None:
                click.echo(f"runwrap: warning: run {run.id} has no metric {metric!r}", err=True)
                continue
            label = f"{run.name} ({run.id})" if run.name else run.id
            chart.lines.append(Line(label, series.xs, series.ys))
        if chart.lines:
            charts.append(chart)
    if not charts:
        known = sorted({m for r in runs for ms in metric_names(r.dir, sources).values() for m in ms})
        raise UsageError(f"no run has metric {', '.join(metrics)}; metrics there: "
                         f"{', '.join(known[:20]) or 'none'}")
    return charts


@click.command()
@runs_argument()
@click.option("--metric", "-m", "metrics", multiple=True, required=True, metavar="METRIC",
              help="Metric to chart; repeatable (one chart each).")
@click.option("--output", "-o", metavar="FILE",
              help="Write FILE.png, FILE.svg (needs matplotlib) or FILE.html instead of drawing "
                   "in the terminal.")
@click.option("--x", "x", type=click.Choice(["step", "time"]), default="step", show_default=True,
              help="Horizontal axis: step, or seconds since the run started.")
@click.option("--source", "sources", multiple=True,
              help="Take metrics only from this source (sdk, tensorboard, files, stdout, system).")
@click.option("--size", "size", default="1000x600", show_default=True, metavar="WxH",
              help="Image size in pixels for PNG/SVG.")
@project_option
@dir_option
def plot(runs: Tuple[str, ...], metrics: Tuple[str, ...], output: Optional[str], x: str,
         sources: Tuple[str, ...], size: str, project: Optional[str], store_dir: Optional[str]) -> None:
    """Plot metrics of runs over step or time, one line per run."""
    from runwrap.cli.selection import resolve_runs
    from runwrap.errors import UsageError

    pixels = _size(size)
    suffix = Path(output).suffix.lower() if output else ""
    if output and suffix not in (".png", ".svg", ".html", ".htm"):
        raise UsageError(f"-o {output}: the file name must end in .png, .svg or .html")
    chosen = resolve_runs(store_dir, list(runs), project)
    charts = build_charts(chosen, list(metrics), x, list(sources) or None)
    if not output:
        from runwrap.cli.charts.terminal import render_charts
        from runwrap.cli.table import terminal_width

        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(render_charts(charts, width=min(terminal_width(), 120), height=15, color=color))
        return
    if suffix in (".html", ".htm"):
        from runwrap.cli.charts.html import render_html

        title = " vs ".join(metrics)
        Path(output).write_text(render_html(charts, title=f"runwrap: {title}"), encoding="utf-8")
    else:
        from runwrap.cli.charts.image import write_image

        write_image(charts, Path(output), pixels)
    click.echo(f"wrote {output}", err=True)
