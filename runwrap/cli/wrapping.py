"""What `runwrap [run] ... COMMAND` does once its words are parsed, by click or by the fast
path: plan the run, print runwrap's own lines, run the program, return its exit status.

Kept free of click so the fast path stays fast; it prints with plain writes to stderr."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List

from runwrap import env
from runwrap.cli.run_options import RUN_OPTIONS
from runwrap.notices import say, warning


def run_wrapped(values: Dict[str, Any], sources: Dict[str, str], command: List[str],
                taken: List[str]) -> int:
    """`values` by option dest (as RUN_OPTIONS names them) and where each came from."""
    # start-up: the layer below loads only when this command runs
    from runwrap.wrap.request import WrapOptions
    from runwrap.wrap.plan import make_plan
    from runwrap.wrap.runner import WrappedRun

    quiet = bool(values["quiet"])
    if quiet:
        os.environ[env.QUIET] = "1"  # every warning path, the child's runwrap.init() included
    else:
        for word in taken:
            say(f"using {word}; put the command after -- to pass it to the program")
    v = values
    options = WrapOptions(
        command=list(command), project=v["project"], entity=v["entity"], name=v["name"],
        notes=v["notes"], tags=list(v["tags"]), group=v["group"], job_type=v["job_type"],
        id=v["run_id"], no_job=bool(v["no_job"]), dir=v["store_dir"], mode=v["mode"], resume=v["resume"],
        config=list(v["config"]), quiet=quiet, pty=v["pty"], scalars=list(v["scalars"]),
        no_scalars=bool(v["no_scalars"]), metrics_files=list(v["metrics_files"]),
        tensorboard=list(v["tensorboard"]), tensorboard_discovery=bool(v["tensorboard_discovery"]),
        stats_interval=float(v["stats_interval"]),
        # From the flag only: resolve_config reads the variables itself and names the one used.
        tracking_uri=v["tracking_uri"] if sources.get("tracking_uri") == "flag" else None,
        sync_timeout=float(v["sync_timeout"]),
        sources={o.source_name: sources.get(o.dest, "default") for o in RUN_OPTIONS},
    )
    plan = make_plan(options)
    if plan.start_failure is not None and plan.start_failure.exit_code == 127:
        plan.start_failure.reason += _value_taken_hint(values, sources, command)
    if plan.unrecorded is not None:
        warning(plan.unrecorded)
    wrapped = WrappedRun(plan)

    def announce(run_dir: Path) -> None:
        if not quiet:
            verb = "resuming" if plan.resume_from else "recording"
            say(f"{verb} {wrapped.recording.noun} {plan.run_id} ({plan.name}) in {run_dir}")

    code = wrapped.execute(on_start=announce)
    if wrapped.error is not None:
        say(wrapped.error)  # even with --quiet: the program never ran to say anything
    if wrapped.run_dir is not None and (not quiet or wrapped.unrecorded_end):
        which = wrapped.recording.noun
        end = (f"its end is not recorded ({wrapped.unrecorded_end})" if wrapped.unrecorded_end
               else f"see `runwrap show {plan.run_id}`")
        say(f"{which} {plan.run_id} {wrapped.status} (exit {code}) after {wrapped.duration:.1f}s; "
            f"{end}")
    return code


def _value_taken_hint(values: Dict[str, Any], sources: Dict[str, str],
                      command: List[str]) -> str:
    """When the program is not found but an option given a value took a program as it
    (`--metrics-file python train.py`): which option, and the words in the right order."""
    from runwrap.wrap.child import resolve_program  # start-up: only when the program is missing

    for o in RUN_OPTIONS:
        if not o.takes_value or sources.get(o.dest) != "flag":
            continue
        given = values.get(o.dest)
        for value in (given if o.multiple else [given]):
            if not isinstance(value, str) or not value:
                continue
            try:
                resolve_program(value, dict(os.environ))
            except Exception:
                continue
            fix = " ".join([o.flag, o.metavar or o.flag.lstrip("-").upper(), value, *command])
            return (f"; {o.flag} took '{value}' as its value; put its value after it: {fix}")
    return ""
