"""`runwrap plot RUN... --metric M`: line charts, one line per run, in the terminal or to a file."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import click

from runwrap.cli.selection import dir_option, project_option, runs_argument

SOURCE_ORDER = ("sdk", "wandb", "tensorboard", "files", "stdout", "system")


def _size(text: str) -> Tuple[int, int]:
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError

    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text or "")
    if not match or not (50 <= int(match.group(1)) <= 10000 and 50 <= int(match.group(2)) <= 10000):
        raise UsageError(f"--size {text!r}: write WIDTHxHEIGHT in pixels, like 1000x600")
    return int(match.group(1)), int(match.group(2))


def build_charts(runs: List[Any], metrics: List[str], x: str, sources: Optional[List[str]]) -> List[Any]:
    """One chart per metric with one line per run that has it; warns about runs that do not."""
    # start-up: the layer below loads only when this command runs
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


def last_histograms(runs: List[Any], metric: str) -> List[Tuple[str, Any, Dict[str, Any]]]:
    """(run label, step, histogram document) of the last `metric` histogram each run logged."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.media import media_index, read_media_json

    found = []
    for run in runs:
        entry = media_index(run.dir).get(metric)
        if entry is None or entry.type != "histogram-file":
            continue
        doc = read_media_json(run.dir, entry.last)
        if isinstance(doc, dict) and doc.get("values") and doc.get("bins"):
            found.append((f"{run.name} ({run.id})" if run.name else run.id, entry.last_step, doc))
    return found


def render_histogram(label: str, step: Any, doc: Dict[str, Any], width: int) -> str:
    """A histogram as one text bar per bin: `[low, high)  count  ####`."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.charts import axis_number

    values, bins = doc["values"], doc["bins"]
    # numpy's bins: each half-open, the last one closed.
    edges = [f"[{axis_number(bins[i])}, {axis_number(bins[i + 1])}" + ("]" if i == len(values) - 1 else ")")
             for i in range(len(values))]
    counts = [str(v) for v in values]
    left = max(len(e) for e in edges) + 2 + max(len(c) for c in counts) + 2
    room = max(width - left, 10)
    top = max(max(values), 1)
    lines = [f"{label}  step {step}"]
    for edge, count, value in zip(edges, counts, values):
        bar = "#" * round(room * value / top) if value > 0 else ""
        lines.append(f"{edge:<{left - len(count) - 4}}  {count:>{len(count)}}  {bar}")
    return "\n".join(lines)


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
              help="Take metrics only from this source (sdk, wandb, tensorboard, files, stdout, system; a program's further wandb runs: wandb-<id>).")
@click.option("--size", "size", default="1000x600", show_default=True, metavar="WxH",
              help="Image size in pixels for PNG/SVG.")
@project_option
@dir_option
def plot(runs: Tuple[str, ...], metrics: Tuple[str, ...], output: Optional[str], x: str,
         sources: Tuple[str, ...], size: str, project: Optional[str], store_dir: Optional[str]) -> None:
    """Plot metrics of runs over step or time, one line per run."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.selection import resolve_runs
    from runwrap.errors import UsageError

    pixels = _size(size)
    suffix = Path(output).suffix.lower() if output else ""
    if output and suffix not in (".png", ".svg", ".html", ".htm"):
        raise UsageError(f"-o {output}: the file name must end in .png, .svg or .html")
    chosen = resolve_runs(store_dir, list(runs), project)
    # A logged Histogram is drawn as its last state (bars), in the terminal.
    histograms = {m: last_histograms(chosen, m) for m in metrics}
    histograms = {m: found for m, found in histograms.items() if found}
    if histograms and output:
        raise UsageError(f"{', '.join(histograms)}: histograms are drawn in the terminal only; "
                         f"drop -o")
    if histograms:
        # start-up: the layer below loads only when this command runs
        from runwrap.cli.table import terminal_width

        width = min(terminal_width(), 120)
        click.echo("\n\n".join(render_histogram(label, step, doc, width)
                                for found in histograms.values() for label, step, doc in found))
        metrics = tuple(m for m in metrics if m not in histograms)
        if not metrics:
            return
    charts = build_charts(chosen, list(metrics), x, list(sources) or None)
    if not output:
        # start-up: the layer below loads only when this command runs
        from runwrap.cli.charts.terminal import render_charts
        from runwrap.cli.table import terminal_width

        # start-up: the layer below loads only when this command runs
        from runwrap.cli.output import echo_styled

        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = render_charts(charts, width=min(terminal_width(), 120), height=15, color=color)
        echo_styled(text) if color else click.echo(text)
        return
    if suffix in (".html", ".htm"):
        # start-up: the layer below loads only when this command runs
        from runwrap.cli.charts.html import render_html

        title = " vs ".join(metrics)
        Path(output).write_text(render_html(charts, title=f"runwrap: {title}"), encoding="utf-8")
    else:
        # start-up: the layer below loads only when this command runs
        from runwrap.cli.charts.image import write_image

        write_image(charts, Path(output), pixels)
    click.echo(f"wrote {output}", err=True)
