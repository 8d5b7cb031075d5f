"""`runwrap run [OPTIONS] [--] COMMAND [ARGS]...` (also `runwrap [OPTIONS] COMMAND ...`)."""
from __future__ import annotations

import sys
from typing import Any, List

import click

from runwrap.cli.argv import option_arity, split_args


class RunCommand(click.Command):
    """Splits runwrap's words from the program's before click parses runwrap's."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or args in (["--help"], ["-h"]):
            return super().parse_args(ctx, args or ["--help"])
        split = split_args(list(args), option_arity(self))
        ctx.meta["runwrap.command"] = split.command
        ctx.meta["runwrap.taken"] = split.taken
        return super().parse_args(ctx, split.own)


def _source(ctx: click.Context, name: str) -> str:
    source = ctx.get_parameter_source(name)
    if source is None:
        return "default"
    return {"COMMANDLINE": "flag", "ENVIRONMENT": "environment"}.get(source.name, "default")


@click.command(cls=RunCommand, context_settings={"allow_interspersed_args": False,
                                                 "help_option_names": ["-h", "--help"]})
@click.option("--project", envvar="RUNWRAP_PROJECT", help="Project the run belongs to.")
@click.option("--entity", envvar="RUNWRAP_ENTITY", help="Team or user that owns the project.")
@click.option("--name", help="Display name (default: generated, like brisk-river-42).")
@click.option("--notes", help="Free-text description of the run.")
@click.option("--tags", multiple=True, help="Comma-separated tags; repeatable.")
@click.option("--group", help="Group of related runs (e.g. one sweep).")
@click.option("--job-type", "job_type", help="Kind of job: train, eval, ...")
@click.option("--id", "run_id", help="Run id (default: 8 random characters).")
@click.option("--dir", "store_dir", envvar="RUNWRAP_DIR", metavar="DIR",
              help="Root of the run store (default ./runwrap).")
@click.option("--mode", type=click.Choice(["online", "offline", "disabled"]), envvar="RUNWRAP_MODE",
              help="online: also stream to MLflow; offline: local only; disabled: record nothing.")
@click.option("--resume", type=click.Choice(["allow", "never", "must", "auto"]),
              help="Continue an existing run (with --id, or auto: this machine's crashed run).")
@click.option("--config", "config", multiple=True, metavar="FILE|KEY=VALUE",
              help="YAML config file, or KEY=VALUE (value read as YAML); repeatable.")
@click.option("--quiet", is_flag=True, help="Print nothing of runwrap's own.")
@click.option("--pty/--no-pty", "pty", default=None,
              help="Run the program on a pseudo-terminal (default: when stdout is a terminal).")
@click.option("--scalars", multiple=True, metavar="REGEX",
              help="Regex with named groups key and value, or NAME:=REGEX with a value group "
                   "(other named groups are metrics of that name; `step` sets the step), "
                   "replacing the default `key: number` / `key=number` patterns; repeatable.")
@click.option("--no-scalars", is_flag=True, help="Do not parse metrics from the console.")
@click.option("--metrics-file", "metrics_files", multiple=True, metavar="PATH",
              help="JSON Lines or CSV metrics file the program writes (globs allowed); repeatable.")
@click.option("--tensorboard", multiple=True, metavar="DIR",
              help="Directory of TensorBoard event files to import; repeatable.")
@click.option("--tensorboard-discovery/--no-tensorboard-discovery", default=True,
              help="Find event files anywhere under the working directory (default on).")
@click.option("--stats-interval", type=float, default=2.0, show_default=True, metavar="SECONDS",
              help="System and GPU sampling interval; 0 turns it off.")
@click.option("--tracking-uri", envvar="RUNWRAP_TRACKING_URI", metavar="URI",
              help="MLflow tracking server (also MLFLOW_TRACKING_URI).")
@click.option("--sync-timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
              help="At exit, wait at most this long for uploads; the rest waits for `runwrap sync`.")
@click.pass_context
def run(ctx: click.Context, **kw: Any) -> int:
    """Run COMMAND and record it (same as `runwrap COMMAND`)."""
    from runwrap.wrap.child import ProgramNotExecutable, ProgramNotFound
    from runwrap.wrap.options import WrapOptions
    from runwrap.wrap.plan import make_plan
    from runwrap.wrap.runner import WrappedRun

    quiet = kw["quiet"]
    if not quiet:
        for word in ctx.meta.get("runwrap.taken", []):
            click.echo(f"runwrap: using {word}; put the command after -- to pass it to the "
                       f"program", err=True)
    names = {"run_id": "id", "store_dir": "dir"}
    options = WrapOptions(
        command=list(ctx.meta.get("runwrap.command", [])),
        project=kw["project"], entity=kw["entity"], name=kw["name"], notes=kw["notes"],
        tags=list(kw["tags"]), group=kw["group"], job_type=kw["job_type"], id=kw["run_id"],
        dir=kw["store_dir"], mode=kw["mode"], resume=kw["resume"], config=list(kw["config"]),
        quiet=quiet, pty=kw["pty"], scalars=list(kw["scalars"]), no_scalars=kw["no_scalars"],
        metrics_files=list(kw["metrics_files"]), tensorboard=list(kw["tensorboard"]),
        tensorboard_discovery=kw["tensorboard_discovery"], stats_interval=kw["stats_interval"],
        tracking_uri=kw["tracking_uri"], sync_timeout=kw["sync_timeout"],
        sources={names.get(k, k): _source(ctx, k) for k in kw},
    )
    try:
        plan = make_plan(options)
    except ProgramNotFound as e:
        click.echo(f"runwrap: command not found: {e}", err=True)
        return 127
    except ProgramNotExecutable as e:
        click.echo(f"runwrap: permission denied: {e} is not executable", err=True)
        return 126
    wrapped = WrappedRun(plan)

    def announce(run_dir: Any) -> None:
        if not quiet:
            verb = "resuming" if plan.resume_from else "recording"
            click.echo(f"runwrap: {verb} run {plan.run_id} ({plan.name}) in {run_dir}", err=True)

    try:
        code = wrapped.execute(on_start=announce)
    except FileNotFoundError:
        click.echo(f"runwrap: command not found: {options.command[0]}", err=True)
        return 127
    except PermissionError:
        click.echo(f"runwrap: permission denied: {options.command[0]}", err=True)
        return 126
    if not quiet and wrapped.run_dir is not None:
        sys.stderr.flush()
        click.echo(f"runwrap: run {plan.run_id} {wrapped.status} (exit {code}) after "
                   f"{wrapped.duration:.1f}s; see `runwrap show {plan.run_id}`", err=True)
    return code
