"""`runwrap compare RUN...`: runs side by side (config that differs, metrics, status, duration)."""
from __future__ import annotations

from typing import Optional, Tuple

import click

from runwrap.cli.selection import dir_option, project_option, runs_argument


@click.command()
@runs_argument(required=False)
@project_option
@click.option("--metric", "-m", "metrics", multiple=True, metavar="METRIC",
              help="Show this metric's last, min and max; repeatable. Default: the last value of "
                   "every metric all the runs have (system metrics left out).")
@click.option("--sort", "sort_spec", metavar="COLUMN",
              help="Sort by a column, e.g. loss or min(loss); prefix - for descending (-acc).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for spreadsheets.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def compare(runs: Tuple[str, ...], project: Optional[str], metrics: Tuple[str, ...],
            sort_spec: Optional[str], as_csv: bool, as_json: bool, store_dir: Optional[str]) -> None:
    """Compare runs: one row per run with the config keys that differ between them, metrics,
    status and duration. RUN is an id, a unique id prefix, a name or `latest`; without RUN,
    every run of --project (or of the store)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.selection import resolve_runs
    from runwrap.cli.table import human_duration, render_csv, render_json, render_table
    from runwrap.errors import UsageError
    from runwrap.store.comparison import compare_runs, sort_records
    from runwrap.store.layout import store_root
    from runwrap.store.runs import list_runs

    if as_csv and as_json:
        raise UsageError("--csv and --json exclude each other; choose one")
    if runs:
        chosen = resolve_runs(store_dir, list(runs), project)
    else:
        chosen = list_runs(store_root(store_dir), project)
        if not chosen:
            where = f"project {project!r}" if project else f"store {store_root(store_dir)}"
            raise UsageError(f"no runs in {where}; name runs to compare or start one")
    comparison = compare_runs(chosen, metrics)
    if sort_spec:
        sort_records(comparison, sort_spec)
    if as_json:
        click.echo(render_json(comparison.records))
        return
    if as_csv:
        click.echo(render_csv(comparison.columns(), comparison.rows()), nl=False)
        return
    rows = comparison.rows()
    for row in rows:
        row[-1] = human_duration(row[-1])
    click.echo(render_table(comparison.columns(), rows))
