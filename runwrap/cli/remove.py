"""`runwrap rm RUN...` and `runwrap gc`: remove runs (never a running one) and say what was freed."""
from __future__ import annotations

import sys
from typing import Any, List, Optional, Tuple

import click

from runwrap.cli.selection import dir_option, project_option, runs_argument


def _describe(runs: List[Any], sizes: List[int]) -> str:
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_size, render_table

    rows = [[r.id, r.name, r.project, r.status, human_size(s)] for r, s in zip(runs, sizes)]
    return render_table(["id", "name", "project", "status", "size"], rows)


def _confirm(question: str) -> bool:
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort:  # end of input: treat as "no"
        click.echo("", err=True)
        return False


def _remove(store_dir: Optional[str], runs: List[Any], yes: bool, dry_run: bool,
            as_json: bool) -> None:
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_size, render_json
    from runwrap.store.cleanup import remove_run, run_size
    from runwrap.store.layout import store_root

    sizes = [run_size(r.dir) for r in runs]
    total = sum(sizes)
    listing = [{"id": r.id, "name": r.name, "project": r.project, "status": r.status,
                "dir": str(r.dir), "bytes": s} for r, s in zip(runs, sizes)]
    if dry_run:
        if as_json:
            click.echo(render_json({"removed": [], "would_remove": listing, "bytes": total}))
        else:
            if runs:
                click.echo(_describe(runs, sizes))
            click.echo(f"would remove {len(runs)} run(s), freeing {human_size(total)} (dry run)")
        return
    if not runs:
        click.echo(render_json({"removed": [], "bytes": 0}) if as_json else "nothing to remove")
        return
    if not yes:
        click.echo(_describe(runs, sizes), err=True)
        if not _confirm(f"remove {len(runs)} run(s), {human_size(total)}?"):
            click.echo("nothing removed", err=True)
            sys.exit(1)
    root = store_root(store_dir)
    freed = sum(remove_run(root, r) for r in runs)
    if as_json:
        click.echo(render_json({"removed": listing, "bytes": freed}))
    else:
        click.echo(f"removed {len(runs)} run(s), freed {human_size(freed)}")


@click.command("rm")
@runs_argument()
@project_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def rm(runs: Tuple[str, ...], project: Optional[str], yes: bool, as_json: bool,
       store_dir: Optional[str]) -> None:
    """Remove runs (ids, unique id prefixes, names or `latest`). Asks first unless --yes; refuses
    a running run and then removes nothing."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.selection import resolve_runs
    from runwrap.store.cleanup import check_removable

    chosen = resolve_runs(store_dir, list(runs), project)
    for run in chosen:
        check_removable(run)
    _remove(store_dir, chosen, yes, False, as_json)


@click.command()
@click.option("--older-than", metavar="AGE",
              help="Runs that ended more than AGE ago: 30d, 12h, 90m, 2w.")
@click.option("--status", "statuses", metavar="LIST",
              help="Runs with one of these statuses, comma-separated: failed,crashed,killed,finished.")
@click.option("--keep-tagged", is_flag=True, help="Keep runs that have tags.")
@click.option("--dry-run", "-n", is_flag=True, help="List what would be removed; remove nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@project_option
@dir_option
def gc(older_than: Optional[str], statuses: Optional[str], keep_tagged: bool, dry_run: bool,
       yes: bool, as_json: bool, project: Optional[str], store_dir: Optional[str]) -> None:
    """Remove old or failed runs: those matching every criterion given. Running runs are never
    removed. Reports the disk space freed."""
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.store.cleanup import parse_age, parse_statuses, select_for_gc
    from runwrap.store.layout import store_root
    from runwrap.store.runs import list_runs

    if older_than is None and statuses is None:
        raise UsageError("gc needs a criterion: --older-than AGE (like 30d) and/or --status LIST "
                         "(like failed,crashed)")
    age = parse_age(older_than) if older_than is not None else None
    wanted = parse_statuses(statuses) if statuses is not None else None
    runs = select_for_gc(list_runs(store_root(store_dir), project), age, wanted, keep_tagged)
    _remove(store_dir, runs, yes, dry_run, as_json)
