"""Which runs a command acts on: the shared `--dir` and `--project` options, the RUN... argument,
resolving run references, and their dynamic shell completion straight from the store's folders.

Completion runs on every <TAB>, so it reads only what it must: folder names for ids and
projects, and run.json (a small file) for names. No status checks, no summaries."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, List, Optional, Sequence

import click
from click.shell_completion import CompletionItem

from runwrap import env
from runwrap.store.layout import LATEST, RUN_JSON, store_root


def _param(ctx: Optional[click.Context], name: str) -> Any:
    while ctx is not None:
        value = (ctx.params or {}).get(name)
        if value:
            return value
        ctx = ctx.parent
    return None


def _root(ctx: click.Context) -> Path:
    return store_root(_param(ctx, "store_dir") or _param(ctx, "dir"))


def _projects(root: Path) -> List[str]:
    try:
        return sorted(p for p in os.listdir(root) if not p.startswith(".") and p != LATEST
                      and os.path.isdir(root / p))
    except OSError:
        return []


def _name_of(run_path: Path) -> str:
    try:
        with open(run_path / RUN_JSON, "rb") as f:
            name = json.loads(f.read()).get("name")
    except (OSError, ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) else ""


def complete_run(ctx: click.Context, param: click.Parameter, incomplete: str) -> List[CompletionItem]:
    """Ids (with the run's name as help), names and `latest` that start with `incomplete`."""
    root = _root(ctx)
    project = _param(ctx, "project")
    ids: List[CompletionItem] = []
    names: List[CompletionItem] = []
    seen_names = set()
    for proj in [project] if project else _projects(root):
        try:
            entries = sorted(os.listdir(root / proj))
        except OSError:
            continue
        for run_id in entries:
            if run_id.startswith("."):
                continue
            name = _name_of(root / proj / run_id)
            if run_id.startswith(incomplete):
                ids.append(CompletionItem(run_id, help=f"{name or '-'} ({proj})"))
            if name and name.startswith(incomplete) and name not in seen_names:
                seen_names.add(name)
                names.append(CompletionItem(name, help=f"{run_id} ({proj})"))
    extra = [CompletionItem(LATEST, help="the newest run")] if LATEST.startswith(incomplete) else []
    return extra + ids + names


def complete_project(ctx: click.Context, param: click.Parameter, incomplete: str) -> List[CompletionItem]:
    return [CompletionItem(p) for p in _projects(_root(ctx)) if p.startswith(incomplete)]


def dir_option(f):
    """`--dir DIR`: the store root (default $RUNWRAP_DIR, else ./runwrap-runs); every command
    that reads or writes the store takes it from here."""
    return click.option("--dir", "store_dir", envvar=env.DIR, metavar="DIR",
                        type=click.Path(file_okay=False),
                        help=f"Run store (default ${env.DIR}, else ./runwrap-runs).")(f)


def project_option(f):
    return click.option("--project", "-p", metavar="PROJECT", shell_complete=complete_project,
                        help="Only runs of this project.")(f)


def runs_argument(name: str = "runs", required: bool = True, nargs: int = -1):
    """A RUN... argument whose words complete to run ids and names."""
    return click.argument(name, nargs=nargs, required=required, metavar="RUN..." if nargs == -1 else "RUN",
                          shell_complete=complete_run)


def resolve_runs(store_dir: Optional[str], refs: List[str], project: Optional[str] = None) -> List[Any]:
    """The runs that `refs` name (ids, unique id prefixes, names, `latest`), each once, in order.
    An unknown or ambiguous reference raises UsageError naming the candidates."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.runs import find_run

    root = store_root(store_dir)
    runs, seen = [], set()
    for ref in refs:
        run = find_run(root, ref, project)
        if run.dir not in seen:
            seen.add(run.dir)
            runs.append(run)
    return runs


def part_streams(run: Any, parts: Sequence[str]) -> Optional[set]:
    """The stream parts `--part` keeps: the parts named and their hosts (system.<host>)."""
    if not parts:
        return None
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.wrap.launcher import safe_host

    known = {str(p.get("part")): p for p in run.meta.get("parts") or []}
    for part in parts:
        if part not in known:
            names = ", ".join(sorted(known)) or "none: it is not a cluster job's run"
            raise UsageError(f"--part {part!r}: run {run.id} has no such part (its parts: "
                             f"{names})")
    return set(parts) | {safe_host(str(known[p].get("host"))) for p in parts}
