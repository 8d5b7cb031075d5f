"""`runwrap run [OPTIONS] [--] COMMAND [ARGS]...` (also `runwrap [OPTIONS] COMMAND ...`), as a
click command built from the option table in cli/run_options.py."""
from __future__ import annotations

import os
from typing import Any, Callable, List

import click

from runwrap.cli.argv import split_args
from runwrap.cli.run_options import RUN_OPTIONS, Opt, fill_from_environment, option_arity
from runwrap.cli.wrapping import run_wrapped


class RunCommand(click.Command):
    """Splits runwrap's words from the program's before click parses runwrap's."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or args in (["--help"], ["-h"]):
            return super().parse_args(ctx, args or ["--help"])
        split = split_args(list(args), option_arity())
        ctx.meta["runwrap.command"] = split.command
        ctx.meta["runwrap.taken"] = split.taken
        return super().parse_args(ctx, split.own)

    def collect_usage_pieces(self, ctx: click.Context) -> List[str]:
        """The usage line names the program's words too (`runwrap run [OPTIONS] [--] COMMAND
        [ARGS]...`): click sees only runwrap's own, so it would stop at [OPTIONS]."""
        return super().collect_usage_pieces(ctx) + ["[--]", "COMMAND", "[ARGS]..."]

    def shell_complete(self, ctx: click.Context, incomplete: str) -> List[Any]:
        """`runwrap --dir X <TAB>`: the next word may still name a subcommand (its options
        written first), unless `run` itself was typed."""
        if (ctx.meta.get("runwrap.implicit_run") and not ctx.meta.get("runwrap.command")
                and not incomplete.startswith("-")):
            # start-up: click is imported only where it is used
            from click.shell_completion import CompletionItem

            # start-up: the layer below loads only when this command runs
            from runwrap.cli.commands import COMMANDS, HIDDEN

            return [CompletionItem(name) for name in sorted(COMMANDS)
                    if name.startswith(incomplete) and name not in HIDDEN]
        return super().shell_complete(ctx, incomplete)


def _source(ctx: click.Context, name: str) -> str:
    source = ctx.get_parameter_source(name)
    if source is None:
        return "default"
    return {"COMMANDLINE": "flag", "ENVIRONMENT": "environment"}.get(source.name, "default")


def _click_option(o: Opt) -> Callable:
    if o.kind == "switch":
        return click.option(f"{o.flag}/{o.off_flag}", o.dest, default=o.default, help=o.help)
    if o.kind == "flag":
        return click.option(o.flag, o.dest, is_flag=True, help=o.help)
    # No click envvar: fill_from_environment reads the variables, so that a bad value is
    # blamed on the variable rather than on the flag.
    kwargs: dict = {"multiple": o.multiple, "metavar": o.metavar, "help": o.help}
    if o.envvar:
        kwargs["help"] = f"{o.help} [env: {o.envvar}]"
    if o.kind == "float":
        kwargs.update(type=float, default=o.default, show_default=True)
    elif o.kind == "choice":
        kwargs["type"] = click.Choice(list(o.choices))
    return click.option(o.flag, o.dest, **kwargs)


def _run(ctx: click.Context, **values: Any) -> int:
    """Run COMMAND and record it (same as `runwrap COMMAND`)."""
    sources = {name: _source(ctx, name) for name in values}
    fill_from_environment(values, sources, dict(os.environ))
    return run_wrapped(values, sources, list(ctx.meta.get("runwrap.command", [])),
                       list(ctx.meta.get("runwrap.taken", [])))


for _o in reversed(RUN_OPTIONS):  # decorators apply bottom-up: keep the table's order in --help
    _run = _click_option(_o)(_run)
run = click.command("run", cls=RunCommand,
                    context_settings={"allow_interspersed_args": False,
                                      "help_option_names": ["-h", "--help"]})(
    click.pass_context(_run))
