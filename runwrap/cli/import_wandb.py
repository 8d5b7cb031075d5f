"""`runwrap import-wandb PATH...`: wandb run folders on disk become runwrap runs."""
from __future__ import annotations

import json
from typing import Optional

import click

from runwrap.cli.selection import dir_option


@click.command("import-wandb")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--project", help="Put the runs in this project (default: each wandb run's own).")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def import_wandb(paths: tuple, project: Optional[str], as_json: bool,
                 store_dir: Optional[str]) -> int:
    """Import wandb runs from their folders (wandb/offline-run-*, wandb/run-*, or the wandb/
    folder holding them) as runwrap runs: history, config, summary, status. Runs already
    imported are left as they are. Then `runwrap sync` sends them to MLflow."""
    # start-up: the layer below loads only when this command runs
    from runwrap.collectors.wandb.importer import find_logs, import_run
    from runwrap.store.layout import store_root

    root = store_root(store_dir)
    found = find_logs(list(paths))
    results = [import_run(root, run_id, logs, project) for run_id, logs in found.items()]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
        return 0
    for r in results:
        if r.already:
            click.echo(f"{r.project}/{r.run_id}: already imported ({r.dir})")
            continue
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(r.skipped.items()))
        click.echo(f"{r.project}/{r.run_id}: {r.rows} rows, {r.status}"
                   + (f", skipped {skipped}" if skipped else "") + f" ({r.dir})")
    return 0
