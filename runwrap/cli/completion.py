"""`runwrap completion bash|zsh|fish`: the shell completion script, generated from the click
command tree (the same text as the committed files in completions/).

Regenerate the committed files after changing commands or options:

    python -m runwrap.cli.completion --write completions/
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import click

PROG = "runwrap"
COMPLETE_VAR = "_RUNWRAP_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
# File name of each shell's script, as the shell looks for it.
FILES = {"bash": "runwrap.bash", "zsh": "_runwrap", "fish": "runwrap.fish"}
WHERE = {
    "bash": "~/.local/share/bash-completion/completions/runwrap (or source it from ~/.bashrc)",
    "zsh": "a directory on $fpath, as _runwrap (then run compinit)",
    "fish": "~/.config/fish/completions/runwrap.fish",
}


def completion_source(shell: str) -> str:
    """The script click generates for `shell` (what `_RUNWRAP_COMPLETE=<shell>_source` prints)."""
    from click.shell_completion import get_completion_class

    from runwrap.cli.main import cli

    cls = get_completion_class(shell)
    if cls is None:
        raise click.BadParameter(f"unsupported shell {shell!r}; choose bash, zsh or fish")
    return cls(cli, {}, PROG, COMPLETE_VAR).source().rstrip("\n") + "\n"


def write_all(directory: Path) -> List[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for shell in SHELLS:
        path = directory / FILES[shell]
        path.write_text(completion_source(shell), encoding="utf-8")
        written.append(path)
    return written


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL. Install it once:

    \b
      bash:  runwrap completion bash > ~/.local/share/bash-completion/completions/runwrap
      zsh:   runwrap completion zsh > "${fpath[1]}/_runwrap"
      fish:  runwrap completion fish > ~/.config/fish/completions/runwrap.fish
    """
    click.echo(completion_source(shell), nl=False)


def main(argv: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "--write":
        sys.exit("usage: python -m runwrap.cli.completion --write DIRECTORY")
    for path in write_all(Path(args[1])):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
