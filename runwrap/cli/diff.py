"""`runwrap diff RUN_A RUN_B`: what differs between two runs, as unified diffs: config, command,
git commit, the uncommitted changes (diff.patch) and the saved code."""
from __future__ import annotations

import difflib
import os
import shlex
import sys
from pathlib import Path
from typing import Any, Iterator, List, Optional

import click

from runwrap.cli.output import echo_styled, printable
from runwrap.cli.selection import dir_option, project_option, runs_argument
from runwrap.store.secrets import mask_argv


def _config_text(run: Any) -> List[str]:
    import yaml  # start-up: yaml is imported only where it is used

    # start-up: the layer below loads only when this command runs
    from runwrap.store.comparison import read_config
    from runwrap.store.layout import CONFIG_YAML

    config = read_config(run.dir / CONFIG_YAML)
    if not config:
        return []
    return yaml.safe_dump(config, sort_keys=True, default_flow_style=False).splitlines()


def _meta_text(run: Any) -> List[str]:
    meta = run.meta
    git = meta.get("git") if isinstance(meta.get("git"), dict) else {}
    command = meta.get("command") or []
    if isinstance(command, list):  # again: an older runwrap stored it unmasked
        command = mask_argv(command)
    return [
        f"command: {shlex.join(str(w) for w in command) if isinstance(command, list) else command}",
        f"cwd: {meta.get('cwd', '')}",
        f"git commit: {git.get('commit') or '-'}",
        f"git branch: {git.get('branch') or '-'}",
        f"git dirty: {str(bool(git.get('dirty'))).lower()}",
    ]


def _file_lines(path: Path) -> Optional[List[str]]:
    """The file's lines, [] when it does not exist, None when it is not text."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace").splitlines()


def _bytes(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _code_files(run: Any) -> List[str]:
    # start-up: the layer below loads only when this command runs
    from runwrap.store.layout import CODE_DIR

    base = run.dir / CODE_DIR
    out = []
    for folder, _dirs, files in os.walk(base):
        for name in files:
            out.append(os.path.relpath(os.path.join(folder, name), base))
    return out


def diff_runs(a: Any, b: Any) -> Iterator[str]:
    """Unified diff lines, section by section; nothing for a section that is the same."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.layout import CODE_DIR, DIFF_PATCH

    def unified(old: List[str], new: List[str], name: str) -> Iterator[str]:
        yield from difflib.unified_diff(old, new, f"a/{a.id}/{name}", f"b/{b.id}/{name}", lineterm="")

    yield from unified(_meta_text(a), _meta_text(b), "run.json")
    yield from unified(_config_text(a), _config_text(b), "config.yaml")
    yield from unified(_file_lines(a.dir / DIFF_PATCH) or [], _file_lines(b.dir / DIFF_PATCH) or [],
                       DIFF_PATCH)
    for rel in sorted(set(_code_files(a)) | set(_code_files(b))):
        old, new = _file_lines(a.dir / CODE_DIR / rel), _file_lines(b.dir / CODE_DIR / rel)
        if old is None or new is None:
            if _bytes(a.dir / CODE_DIR / rel) != _bytes(b.dir / CODE_DIR / rel):
                yield f"Binary files a/{a.id}/{CODE_DIR}/{rel} and b/{b.id}/{CODE_DIR}/{rel} differ"
            continue
        yield from unified(old, new, f"{CODE_DIR}/{rel}")


def _colored(line: str) -> str:
    if line.startswith(("+++", "---")):
        return click.style(line, bold=True)
    if line.startswith("+"):
        return click.style(line, fg="green")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    return line


@click.command()
@runs_argument("run_a", nargs=1)
@runs_argument("run_b", nargs=1)
@project_option
@dir_option
def diff(run_a: str, run_b: str, project: Optional[str], store_dir: Optional[str]) -> None:
    """Show how two runs differ: command and git state, config, diff.patch and saved code, as
    unified diffs (a/ is RUN_A, b/ is RUN_B)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.selection import resolve_runs

    a = resolve_runs(store_dir, [run_a], project)[0]
    b = resolve_runs(store_dir, [run_b], project)[0]
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    same = True
    for line in diff_runs(a, b):
        same = False
        if color:
            echo_styled(_colored(printable(line)))
        else:
            click.echo(line)
    if same:
        click.echo(f"runs {a.id} and {b.id} have the same command, git state, config and code",
                   err=True)
