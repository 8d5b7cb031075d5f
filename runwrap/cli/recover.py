"""`runwrap recover RUN`: catch a crashed run up with what its program wrote after runwrap died."""
from __future__ import annotations

import json
from typing import Optional

import click

from runwrap.cli.selection import complete_project, complete_run, dir_option


@click.command()
@click.argument("run_ref", metavar="RUN", shell_complete=complete_run)
@click.option("--project", default=None, help="Look for RUN in this project only.",
              shell_complete=complete_project)
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def recover(run_ref: str, project: Optional[str], as_json: bool, store_dir: Optional[str]) -> int:
    """Read RUN's metrics files and TensorBoard event files again and add what its streams
    lack: the values its program wrote after runwrap itself was killed (the run reads
    `crashed`). Safe to repeat; `runwrap sync` then uploads what was added."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.layout import store_root
    from runwrap.store.runs import find_run
    from runwrap.wrap.recover import recover_run

    root = store_root(store_dir)
    run = find_run(root, run_ref, project)
    added = recover_run(run, root)
    if as_json:
        click.echo(json.dumps({"id": run.id, "project": run.project, "added": added}))
    else:
        parts = ", ".join(f"{n:,} {source} records" for source, n in added.items())
        click.echo(f"{run.project}/{run.id} ({run.name}): added {parts}")
    return 0
