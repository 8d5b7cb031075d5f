"""PNG and SVG charts with matplotlib (the optional extra `runwrap[plot]`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence, Tuple

from runwrap.cli.charts import PALETTE, Chart, finite_points
from runwrap.errors import UsageError

DPI = 100


def write_image(charts: Sequence[Chart], path: Path, size: Tuple[int, int]) -> None:
    """One panel per chart, stacked; the file is exactly `size` pixels (PNG) or
    size/DPI inches (SVG)."""
    try:
        import matplotlib  # optional extra (plot)
    except ImportError:
        raise UsageError(f"writing {Path(path).suffix} needs matplotlib: pip install 'runwrap[plot]' "
                         f"(or use -o FILE.html, or no -o for a terminal chart)") from None
    matplotlib.use("Agg")  # no display needed; must precede pyplot
    import matplotlib.pyplot as plt  # optional extra (plot)

    width, height = size
    fig, axes = plt.subplots(len(charts), 1, figsize=(width / DPI, height / DPI), dpi=DPI,
                             squeeze=False)
    try:
        for ax, chart in zip(axes[:, 0], charts):
            for k, line in enumerate(chart.lines):
                points = finite_points(line)
                ax.plot([p[0] for p in points], [p[1] for p in points],
                        color=PALETTE[k % len(PALETTE)], label=line.label, linewidth=1.5)
            ax.set_title(chart.title)
            ax.set_xlabel(chart.xlabel)
            ax.grid(True, alpha=0.3)
            ax.legend(loc="best", fontsize="small")
        fig.tight_layout()
        fig.savefig(path, dpi=DPI)
    finally:
        plt.close(fig)
