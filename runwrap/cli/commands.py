"""The list of subcommands: one module each, registered here and nowhere else."""
from __future__ import annotations

import click


def register(group: click.Group) -> None:
    from runwrap.cli import ls, run, show
    from runwrap.cli import tail

    group.add_command(run.run)
    group.add_command(ls.ls)
    group.add_command(ls.ls, name="runs")
    group.add_command(show.show)
    group.add_command(tail.tail)
    # issue 6: working with runs (compare, diff, export, plot, rm, gc, completion)
    from runwrap.cli import compare, completion, diff, export, plot, remove
    for command in (compare.compare, diff.diff, export.export, plot.plot, remove.rm, remove.gc,
                    completion.completion):
        group.add_command(command)
