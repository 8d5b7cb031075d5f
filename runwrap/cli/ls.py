"""`runwrap ls`: the runs in the store, newest first."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional

import click

from runwrap.cli.selection import complete_project, dir_option


def run_row(run: Any) -> Dict[str, Any]:
    """What ls shows of a run, as plain data (also the --json form)."""
    meta = run.meta
    status = run.status
    duration = meta.get("duration")
    if status == "running" and run.start_time:
        duration = time.time() - run.start_time
    sync = meta.get("sync") or {}
    return {"id": run.id, "name": run.name, "project": run.project, "status": status,
            "start_time": meta.get("start_time"), "duration": duration,
            "exit_code": meta.get("exit_code"), "tags": run.tags, "group": meta.get("group"),
            "sync": sync.get("state", "local") if isinstance(sync, dict) else "local",
            "parts": len(meta["parts"]) if run.is_job else None, "dir": run.path}


@click.command()
@click.option("--project", help="Only runs of this project.", shell_complete=complete_project)
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              help="Only runs with this status (running, finished, failed, killed, stopped, crashed); "
                   "repeatable or comma-separated.")
@click.option("--tag", "tags", multiple=True, help="Only runs with this tag; repeatable.")
@click.option("--group", help="Only runs of this group.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many runs.")
@click.option("--size", "with_size", is_flag=True, help="Also show each run's size on disk.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def ls(project: Optional[str], statuses: tuple, tags: tuple, group: Optional[str],
       limit: Optional[int], with_size: bool, as_json: bool, store_dir: Optional[str]) -> None:
    """List runs, newest first (alias: runs)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.store.index import IndexEntry, newest_runs
    from runwrap.store.layout import store_root
    from runwrap.store.lifecycle import STATUSES

    wanted = {s.strip() for v in statuses for s in v.split(",") if s.strip()}
    for s in wanted - set(STATUSES):
        raise UsageError(f"--status {s!r} is not one of {', '.join(STATUSES)}")

    def worth_reading(entry: IndexEntry) -> bool:
        # What the index knows rules a run out without reading it; what it lets through is
        # checked again below against run.json. A recorded `running` may be `crashed` now.
        if not entry.known:
            return True
        return ((not group or entry.group == group) and set(tags) <= set(entry.tags)
                and (not wanted or entry.status == "running" or entry.status in wanted))

    rows = []
    for run in newest_runs(str(store_root(store_dir)), project, worth_reading):
        if group and run.meta.get("group") != group:
            continue
        if tags and not set(tags) <= set(run.tags):
            continue
        row = run_row(run)
        if wanted and row["status"] not in wanted:
            continue
        if with_size:
            # start-up: the layer below loads only when this command runs
            from runwrap.store.cleanup import run_size

            row["size"] = run_size(run.dir)
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no runs", err=True)
        return
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_duration, human_size, human_time, render_table

    headers = ["ID", "NAME", "PROJECT", "STATUS", "STARTED", "DURATION", "EXIT", "SYNC"]
    if any(r["parts"] is not None for r in rows):  # a launcher job's run: one row, N parts
        headers.insert(4, "PARTS")
    table = [[r["id"], r["name"], r["project"], r["status"]]
             + (["-" if r["parts"] is None else str(r["parts"])] if "PARTS" in headers else [])
             + [human_time(r["start_time"]),
              human_duration(r["duration"]) or "-",
              "-" if r["exit_code"] is None else str(r["exit_code"]), r["sync"]] for r in rows]
    if with_size:
        headers.append("SIZE")
        for line, r in zip(table, rows):
            line.append(human_size(r["size"]))
    click.echo(render_table(headers, table))
