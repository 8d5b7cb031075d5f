"""`runwrap sync`: upload offline runs, and what online runs left behind, to the MLflow server."""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional

import click

from runwrap import env
from runwrap.cli.selection import dir_option

DEFAULT_TIMEOUT = 10.0  # seconds per try: MLflow answers a batch in milliseconds
ATTEMPTS = 4  # tries per request; each retry is said on stderr
CLEAR_LINE = "\r\033[K"  # the progress line, erased


def _pick_runs(root: Any, refs: tuple, all_runs: bool, project: Optional[str]) -> List[Any]:
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.store.runs import find_run, list_runs

    if refs and all_runs:
        raise UsageError("give RUN names or --all, not both")
    if refs:
        picked = []
        for ref in refs:
            run = find_run(root, ref, project)
            if all(r.dir != run.dir for r in picked):
                picked.append(run)
        return picked
    if all_runs or project:
        return sorted(list_runs(root, project), key=lambda r: r.start_time)
    raise UsageError("name the runs to upload (ids, names or `latest`), or pass --all "
                     "(every run in the store) or --project P")


@click.command()
@click.argument("refs", nargs=-1, metavar="[RUN]...")
@click.option("--all", "all_runs", is_flag=True, help="Every run in the store (or in --project).")
@click.option("--project", help="Only runs of this project (alone: all of them).")
@click.option("--dry-run", is_flag=True, help="Show what would be uploaded; send nothing.")
@click.option("--tracking-uri", metavar="URI",
              help=f"MLflow tracking server (default: ${env.TRACKING_URI}, "
                   f"${env.MLFLOW_TRACKING_URI}).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="How long each try waits for the server to connect and to answer; "
                   f"a request is tried {ATTEMPTS} times.")
@click.option("--wait", is_flag=True,
              help="When another runwrap process is uploading a run, wait for it to finish "
                   "instead of leaving the run out (and exiting 1).")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def sync(refs: tuple, all_runs: bool, project: Optional[str], dry_run: bool,
         tracking_uri: Optional[str], timeout: float, wait: bool, as_json: bool,
         store_dir: Optional[str]) -> int:
    """Upload runs to the MLflow tracking server: offline runs, and the points online runs
    could not send. Safe to repeat: nothing the server already holds is sent again.

    Exits 1 when a run could not be uploaded in full: the server refused it or did not answer
    (the runs after it are then left for the next sync), or another process was uploading it."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.output import echo_styled, printable
    from runwrap.errors import UsageError
    from runwrap.notices import WarnOnce, say
    from runwrap.store.layout import store_root
    from runwrap.sync import pending_points, resolve_config, sync_run

    config = resolve_config(tracking_uri=tracking_uri)
    if config is None and not dry_run:
        raise UsageError(f"no tracking server: pass --tracking-uri URI or set "
                         f"{env.TRACKING_URI} (or {env.MLFLOW_TRACKING_URI})")
    runs = _pick_runs(store_root(store_dir), refs, all_runs, project)
    live = sys.stderr.isatty() and not as_json
    rows: List[Dict[str, Any]] = []
    total = 0
    if runs and not dry_run:
        # Said before the first request: a server that never answers is not a silent hang.
        say(f"uploading {_count(len(runs), 'run')} to {config.uri} "
            f"(each try waits up to {timeout:g} s)")
    for i, run in enumerate(runs, 1):
        label = f"[{i}/{len(runs)}] {run.project}/{run.id}"
        if dry_run:
            n = pending_points(run.dir, config.uri if config else None)
            rows.append({"id": run.id, "project": run.project, "dir": str(run.dir),
                         "pending_points": n})
            if not as_json:
                click.echo(f"{label} ({run.name}): {n:,} points to upload")
            total += n
            continue

        def progress(points: int, label: str = label) -> None:
            if live:
                echo_styled(f"\r{printable(label)}: {points:,} points", err=True, nl=False)

        def on_retry(problem: str, attempt: int, attempts: Optional[int], delay: float,
                     label: str = label) -> None:
            if live:
                echo_styled(CLEAR_LINE, err=True, nl=False)
            say(f"{label}: {problem}; trying again in {delay:.1f} s "
                f"(try {attempt + 1} of {attempts})")

        def on_wait(label: str = label) -> None:
            say(f"{label}: another runwrap process is uploading this run; waiting for it")

        # Once per kind and run: a refused run says so once.
        result = sync_run(run.dir, config, attempts=ATTEMPTS, progress=progress,
                          warn=WarnOnce(), timeout=timeout, on_retry=on_retry,
                          on_wait=on_wait if wait else None)
        if live and result.points:
            echo_styled(CLEAR_LINE, err=True, nl=False)
        total += result.points
        if result.state == "busy":
            result.error = ("another runwrap process is uploading this run; nothing uploaded "
                            "(run sync again later, or pass --wait to wait for it)")
        rows.append({"id": run.id, "project": run.project, "dir": str(run.dir),
                     "state": result.state, "points": result.points, "params": result.params,
                     "tags": result.tags, "files": result.files, "url": result.url,
                     "error": result.error})
        if not as_json:
            line = f"{label} ({run.name}): {result.state}, {result.points:,} points uploaded"
            if result.files:
                line += f", {result.files:,} files"
            if result.url:
                line += f"  {result.url}"
            click.echo(line)
            if result.error:
                click.echo(f"  {result.error}", err=True)
        if result.unreachable and i < len(runs):
            left = len(runs) - i
            say(f"{config.uri} does not answer: {_count(left, 'run')} left for the next sync")
            for skipped in runs[i:]:
                rows.append({"id": skipped.id, "project": skipped.project,
                             "dir": str(skipped.dir), "state": "not tried", "points": 0,
                             "error": "the server did not answer for an earlier run"})
            break
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif runs:
        verb = "to upload" if dry_run else "uploaded"
        click.echo(f"{_count(len(runs), 'run')}, {total:,} points {verb}")
    else:
        click.echo("no runs to upload", err=True)
    return 1 if any(r.get("error") for r in rows) else 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"
