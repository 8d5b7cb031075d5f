"""The click command group: the wrapping form (`runwrap [OPTIONS] [--] COMMAND ...`) and the
subcommands, each imported only when used."""
from __future__ import annotations

from typing import List, Optional

import click

from runwrap.cli.commands import COMMANDS, HIDDEN

WRAP_HELP = """Run COMMAND and record it: console, metrics, TensorBoard events, system load,
config, code, git state and exit status.

\b
  runwrap [OPTIONS] [--] COMMAND [ARGS]...     wrap a program (same as `runwrap run ...`)
  runwrap SUBCOMMAND ...                       look at runs (ls, show, tail, ...)

runwrap's long options may also follow the command (`runwrap python train.py --project x`);
put the command after -- to pass such an option to the program instead.
"""


class WrapGroup(click.Group):
    """A group whose first word is a subcommand, or else the start of a command to wrap."""

    def list_commands(self, ctx: click.Context) -> List[str]:
        return sorted(name for name in COMMANDS if name not in HIDDEN)

    def get_command(self, ctx: click.Context, name: str) -> Optional[click.Command]:
        if name not in COMMANDS:
            return None
        import importlib  # start-up: loaded only on the path that needs it

        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(f"runwrap.cli.{module}"), attr)

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        # start-up: the layer below loads only when this command runs
        from runwrap.cli.argv import subcommand_first
        from runwrap.cli.run_options import option_arity

        reordered = subcommand_first(list(args), option_arity(), COMMANDS)
        if reordered is not None:
            args = reordered  # `runwrap --project p show` is `runwrap show --project p`
            ctx.meta["runwrap.moved_before"] = reordered[0]
        elif args and args[0] not in COMMANDS and args[0] not in ("--help", "-h", "--version"):
            args = ["run"] + list(args)
            ctx.meta["runwrap.implicit_run"] = True  # `run` was not typed (completion asks)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as e:
            name = ctx.meta.get("runwrap.moved_before")
            if name:  # `runwrap --tags x ls -la` meant the program ls: say how to get it
                e.message = (f"{e.message.rstrip('.')} for `runwrap {name}`; to wrap the "
                             f"program {name}, put it after --: runwrap [OPTIONS] -- {name} ...")
            raise

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("runwrap", "[OPTIONS] [--] COMMAND [ARGS]... | SUBCOMMAND ...")


@click.group(cls=WrapGroup, help=WRAP_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="runwrap", prog_name="runwrap")
def cli() -> None:
    pass
