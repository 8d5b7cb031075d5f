"""`runwrap [OPTIONS] COMMAND ...` without importing click.

The wrapping form is the hot path: a user waits for it before every run. When the words are
plain (runwrap's known long options with good values, then the command), they are parsed here
from the same option table click is built from; anything else (a subcommand, help, an unknown
option, a bad value, shell completion) goes to click, which stays the only source of messages.
"""
from __future__ import annotations

import os
from typing import List, Optional

from runwrap import env
from runwrap.cli.argv import split_args, subcommand_first
from runwrap.cli.commands import COMMANDS
from runwrap.cli.run_options import NotFast, option_arity, parse_fast
from runwrap.errors import UsageError


def try_run(args: List[str]) -> Optional[int]:
    """The exit status of the wrapped run, or None when click must handle `args`."""
    if args[:1] == ["run"]:
        # `runwrap run WORDS` is `runwrap WORDS` except that no subcommand can follow: the
        # form a sweep's agent starts every trial with, so it is as fast as the short one.
        args = args[1:]
    elif not args or args[0] in COMMANDS or args[0] in ("-h", "--help", "--version"):
        return None
    elif subcommand_first(args, option_arity(), COMMANDS) is not None:
        return None  # `runwrap --dir X ls`: the subcommand, with those options
    if not args or env.COMPLETE in os.environ:
        return None
    try:
        split = split_args(list(args), option_arity())
        values, sources = parse_fast(split.own, dict(os.environ))
    except (NotFast, UsageError):
        return None
    if not split.command:
        return None
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.wrapping import run_wrapped

    return run_wrapped(values, sources, split.command, split.taken)
