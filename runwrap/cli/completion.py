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
import click.shell_completion

from runwrap import env

PROG = "runwrap"
COMPLETE_VAR = env.COMPLETE
SHELLS = ("bash", "zsh", "fish")
# File name of each shell's script, as the shell looks for it.
FILES = {"bash": "runwrap.bash", "zsh": "_runwrap", "fish": "runwrap.fish"}


# click 8.4.0's own fish script is broken (pallets/click#3502: an unquoted \n splits a command
# in two). This one reads what `runwrap` prints for fish with any click: `type,value<TAB>help`
# per candidate (click 8.1, 8.4.1+), or type, value and help on three lines (click 8.4.0).
FISH_SOURCE = r"""function %(complete_func)s;
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) \
COMP_CWORD=(commandline -t) %(prog_name)s);
    set -l i 1;
    while test $i -le (count $response);
        set -l type $response[$i];
        set -l value "";
        set -l help "";
        if contains -- $type plain dir file;
            set value $response[(math $i + 1)];
            set help $response[(math $i + 2)];
            set i (math $i + 3);
        else;
            set -l parts (string split -m 1 "," -- $response[$i]);
            set type $parts[1];
            set value $parts[2];
            set i (math $i + 1);
        end;
        if test "$type" = "dir";
            __fish_complete_directories $value;
        else if test "$type" = "file";
            __fish_complete_path $value;
        else if test "$type" = "plain";
            if test -n "$help" -a "$help" != "_";
                printf '%%s\t%%s\n' $value $help;
            else;
                echo $value;
            end;
        end;
    end;
end;

complete --no-files --command %(prog_name)s --arguments \
"(%(complete_func)s)";
"""


class FishSource(click.shell_completion.FishComplete):
    """click's fish support with the script above."""

    source_template = FISH_SOURCE


def completion_source(shell: str) -> str:
    """The script click generates for `shell` (what `_RUNWRAP_COMPLETE=<shell>_source` prints)."""
    # start-up: click is imported only where it is used
    from click.shell_completion import get_completion_class

    from runwrap.cli.group import cli  # start-up: the layer below loads only when this command runs

    cls = FishSource if shell == "fish" else get_completion_class(shell)
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
