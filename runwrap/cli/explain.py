"""`runwrap explain FILE|RUN`: each console line beside the records the grammar made of it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Tuple

import click

from runwrap.cli.selection import complete_project, complete_run, dir_option


@click.command()
@click.argument("target", metavar="FILE|RUN", default="latest", shell_complete=complete_run)
@click.option("--scalars", "patterns", multiple=True, metavar="PATTERN",
              help="Read with these patterns instead (as `runwrap --scalars`), to try one.")
@click.option("--values-only", is_flag=True, help="Only the lines that gave values.")
@click.option("--project", help="Look for RUN in this project only.",
              shell_complete=complete_project)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, for scripts.")
@dir_option
def explain(target: str, patterns: Tuple[str, ...], values_only: bool, project: Optional[str],
            as_json: bool, store_dir: Optional[str]) -> None:
    """Show what the console grammar records from each line of a console: FILE is a saved
    console (a log, a transcript), RUN a run's output.log (an id, a prefix, a name, or
    `latest`), read with the patterns the run used unless --scalars is given."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.layout import OUTPUT_LOG, store_root
    from runwrap.store.runs import find_run
    from runwrap.wrap.explain import explain_file

    path = Path(target)
    chosen = list(patterns)
    if not path.is_file():
        run = find_run(store_root(store_dir), target, project)
        path = run.dir / OUTPUT_LOG
        if not patterns:
            chosen = _run_patterns(run.meta)
    lines = explain_file(path, chosen)
    width = len(str(len(lines)))
    for line in lines:
        if values_only and not line.records:
            continue
        if as_json:
            click.echo(json.dumps({"line": line.number, "text": line.text, "records": [
                {"step": step, "values": values} for values, step in line.records]}))
            continue
        click.echo(f"{line.number:>{width}}  {line.text.expandtabs(4)}")
        for values, step in line.records:
            shown = "  ".join(f"{k}={v!r}" for k, v in values.items())
            click.echo(f"{'':>{width}}  -> {'' if step is None else f'step {step}: '}{shown}")
    if not as_json:
        given = [line for line in lines if line.records]
        keys = sorted({k for line in given for values, _ in line.records for k in values})
        click.echo(f"{len(lines)} lines, {len(given)} gave values; keys: "
                   f"{', '.join(keys) or 'none'}")


def _run_patterns(meta: dict) -> list:
    """The `--scalars` patterns a run was recorded with (run.json's options), if any."""
    options = meta.get("options") if isinstance(meta.get("options"), dict) else {}
    entry = options.get("scalars") if isinstance(options, dict) else None
    value = entry.get("value") if isinstance(entry, dict) else None
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []
