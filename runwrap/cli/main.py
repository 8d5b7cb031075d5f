"""`runwrap`: the entry point. The wrapping form takes the click-free fast path when its words
are plain (cli/fastpath.py); everything else goes through the click group (cli/group.py)."""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, List, Optional

from runwrap import env  # names only: costs nothing at start-up

if TYPE_CHECKING:
    import click


def main(argv: Optional[List[str]] = None) -> None:
    """Run runwrap with `argv` (default: the process's); exit with its status. Errors are one
    line on stderr and exit status 2."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.output import install
    from runwrap.errors import Error

    _open_closed_standard_fds()
    if env.AGENT_PID in os.environ:  # a sweep trial's wrapper
        from runwrap.wrap.orphan import die_with_agent  # start-up: only for a sweep's trial

        die_with_agent()
    install()  # every command: stored text printed with its control characters escaped
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        # start-up: the layer below loads only when this command runs
        from runwrap.cli.fastpath import try_run

        code = try_run(args)
    except Error as e:
        sys.stderr.write(f"runwrap: {one_line(str(e))}\n")
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    if code is not None:
        sys.exit(code)
    _click_main(args)


def _open_closed_standard_fds() -> None:
    """Put /dev/null on fd 0, 1 or 2 where it is closed (`runwrap ... >&-`, `2>&-`, as cron
    jobs and daemons start programs). Left closed, the next file or pipe runwrap opens would
    take its number: the program's own output pipe would become runwrap's stdout (and be
    logged twice), a lock file its stderr. Python then has no sys.stdout/stderr either: give
    it one on /dev/null, so messages are dropped instead of failing the run."""
    import os  # start-up: loaded only on the path that needs it

    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        try:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        except OSError:
            return  # no /dev/null (a bare chroot): go on as before
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))


def _click_main(args: List[str]) -> None:
    import click  # start-up: click is imported only where it is used

    # start-up: the layer below loads only when this command runs
    from runwrap.cli.group import cli
    from runwrap.errors import Error

    try:
        rv = cli.main(args=args, prog_name="runwrap", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("runwrap: aborted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as e:
        # `runwrap` or `runwrap sweep` alone: the usage line, not the whole help in one line.
        click.echo(f"runwrap: {one_line(e.ctx.get_usage())} (see `{e.ctx.command_path} "
                   f"--help`)", err=True)
        sys.exit(e.exit_code)
    except click.UsageError as e:
        click.echo(f"runwrap: {usage_message(e)}", err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:
        click.echo(f"runwrap: {one_line(e.format_message())}", err=True)
        sys.exit(e.exit_code)
    except Error as e:
        click.echo(f"runwrap: {one_line(str(e))}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)  # `runwrap ls | head`
    sys.exit(rv if isinstance(rv, int) else 0)


def one_line(message: str) -> str:
    return " ".join(message.split())


def usage_message(error: click.UsageError) -> str:
    """click's word on bad command-line words (`Missing argument 'RUN'.`), with where to look
    for the right ones: the command's --help."""
    message = one_line(error.format_message())
    if error.ctx is None:
        return message
    return f"{message.rstrip('.')} (see `{error.ctx.command_path} --help`)"
