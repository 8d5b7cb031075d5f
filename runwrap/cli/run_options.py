"""The options of `runwrap run`, declared once.

cli/run.py builds the click command from this table (help, completion, errors), and
cli/fastpath.py parses the common wrapping form from it without importing click: click's import
alone is about half of runwrap's start-up.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from runwrap import env
from runwrap.errors import UsageError
from runwrap.store.lifecycle import MODES, RESUME_VALUES


class Opt:
    """One option. `kind`: text, float, choice, flag (on when given) or switch (--x/--no-x)."""

    __slots__ = ("dest", "flag", "off_flag", "kind", "default", "envvar", "multiple",
                 "choices", "metavar", "help")

    def __init__(self, dest: str, flag: str, help: str, kind: str = "text", default: Any = None,
                 envvar: Optional[str] = None, multiple: bool = False,
                 choices: Sequence[str] = (), metavar: Optional[str] = None,
                 off_flag: Optional[str] = None):
        self.dest, self.flag, self.help, self.kind = dest, flag, help, kind
        self.default = () if multiple else default
        self.envvar, self.multiple, self.choices = envvar, multiple, tuple(choices)
        self.metavar, self.off_flag = metavar, off_flag

    @property
    def takes_value(self) -> bool:
        return self.kind not in ("flag", "switch")

    @property
    def source_name(self) -> str:
        """The name run.json records the option under."""
        return {"run_id": "id", "store_dir": "dir"}.get(self.dest, self.dest)


RUN_OPTIONS: Tuple[Opt, ...] = (
    Opt("project", "--project", "Project the run belongs to (default: the git repository's "
        "folder name, else the program's name).", envvar=env.PROJECT),
    Opt("entity", "--entity", "Team or user that owns the project.", envvar=env.ENTITY),
    Opt("name", "--name", "Display name (default: generated, like brisk-river-42)."),
    Opt("notes", "--notes", "Free-text description of the run."),
    Opt("tags", "--tags", "Comma-separated tags; repeatable.", multiple=True),
    Opt("group", "--group", "Group of related runs (e.g. one sweep)."),
    Opt("job_type", "--job-type", "Kind of job: train, eval, ..."),
    Opt("run_id", "--id", "Run id (default: the launcher job's, else 8 random characters).",
        envvar="RUNWRAP_RUN_ID"),
    Opt("no_job", "--no-job", "Under a launcher (srun, mpirun, torchrun): record this task as "
        "a run of its own instead of a part of the job's run.", kind="flag", default=False),
    Opt("store_dir", "--dir", "Root of the run store (default ./runwrap-runs).",
        envvar=env.DIR, metavar="DIR"),
    Opt("mode", "--mode", "online: also stream to MLflow; offline: local only; disabled: "
        "record nothing.", kind="choice", choices=MODES,
        envvar=env.MODE),
    Opt("resume", "--resume", "Continue an existing run (with --id, or auto: this machine's "
        "last run of the same program, if it did not finish).", kind="choice",
        choices=RESUME_VALUES),
    Opt("config", "--config", "YAML config file, or KEY=VALUE (value read as YAML); repeatable.",
        multiple=True, metavar="FILE|KEY=VALUE"),
    Opt("quiet", "--quiet", "Print nothing of runwrap's own.", kind="flag", default=False),
    Opt("pty", "--pty", "Run the program on a pseudo-terminal (default: when stdout is a "
        "terminal).", kind="switch", off_flag="--no-pty"),
    Opt("scalars", "--scalars", "Regex with named groups key and value, or NAME:=REGEX with a "
        "value group (other named groups are metrics of that name; `step` sets the step), "
        "replacing the default `key: number` / `key=number` patterns; repeatable.",
        multiple=True, metavar="REGEX"),
    Opt("no_scalars", "--no-scalars", "Do not parse metrics from the console.", kind="flag",
        default=False),
    Opt("metrics_files", "--metrics-file", "JSON Lines or CSV metrics file the program writes "
        "(globs allowed); repeatable.", multiple=True, metavar="PATH"),
    Opt("tensorboard", "--tensorboard", "Directory of TensorBoard event files to import; "
        "repeatable.", multiple=True, metavar="DIR"),
    Opt("tensorboard_discovery", "--tensorboard-discovery", "Find event files anywhere under "
        "the working directory (default on).", kind="switch", default=True,
        off_flag="--no-tensorboard-discovery"),
    Opt("stats_interval", "--stats-interval", "System and GPU sampling interval; 0 turns it "
        "off.", kind="float", default=2.0, metavar="SECONDS"),
    Opt("tracking_uri", "--tracking-uri", "MLflow tracking server (also MLFLOW_TRACKING_URI).",
        envvar=env.TRACKING_URI, metavar="URI"),
    Opt("sync_timeout", "--sync-timeout", "At exit, wait at most this long for uploads; the "
        "rest waits for `runwrap sync`.", kind="float", default=10.0, metavar="SECONDS"),
)


def option_arity() -> Dict[str, bool]:
    """Every option string mapped to whether it takes a value."""
    arity: Dict[str, bool] = {}
    for o in RUN_OPTIONS:
        arity[o.flag] = o.takes_value
        if o.off_flag:
            arity[o.off_flag] = False
    return arity


class NotFast(Exception):
    """The words need click (help, an unknown option, a bad value): let click parse them, so
    that its messages and behaviour stay the only ones."""


def parse_fast(own: List[str], environ: Dict[str, str]) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """(values by dest, where each came from) for runwrap's own words, as click would give
    them; raises NotFast for anything this simple parser does not take on."""
    by_flag = {o.flag: o for o in RUN_OPTIONS}
    by_off = {o.off_flag: o for o in RUN_OPTIONS if o.off_flag}
    values: Dict[str, Any] = {}
    sources: Dict[str, str] = {}
    i = 0
    while i < len(own):
        word = own[i]
        name, eq, attached = word.partition("=")
        o = by_flag.get(name)
        if o is None:
            off = by_off.get(word)
            if off is None:
                raise NotFast(word)
            values[off.dest], sources[off.dest] = False, "flag"
            i += 1
            continue
        if not o.takes_value:
            if eq:
                raise NotFast(word)
            values[o.dest], sources[o.dest] = True, "flag"
            i += 1
            continue
        if eq:
            raw = attached
        elif i + 1 < len(own):
            raw = own[i + 1]
            i += 1
        else:
            raise NotFast(word)
        value = _convert(o, raw)
        if o.multiple:
            values[o.dest] = values.get(o.dest, ()) + (value,)
        else:
            values[o.dest] = value
        sources[o.dest] = "flag"
        i += 1
    fill_from_environment(values, sources, environ)
    return values, sources


def fill_from_environment(values: Dict[str, Any], sources: Dict[str, str],
                          environ: Dict[str, str]) -> None:
    """Options not given on the command line from their variables (RUNWRAP_MODE, ...), else
    their defaults. A bad value is a UsageError that names the variable, not the flag."""
    for o in RUN_OPTIONS:
        if sources.get(o.dest) == "flag":
            continue
        env_value = environ.get(o.envvar) if o.envvar else None
        if o.dest == "run_id" and environ.get("RUNWRAP_WRAPPER_PID"):
            # Inside another runwrap's program, RUNWRAP_RUN_ID names that wrapper's run (the
            # contract of env.py), not a choice for this one.
            env_value = None
        if env_value:  # an empty variable counts as unset (click's rule too)
            try:
                values[o.dest] = _convert(o, env_value)
            except NotFast:
                raise UsageError(f"{o.envvar}={env_value!r} is not valid: {o.flag} takes "
                                 f"{_expected(o)}; fix or unset the variable") from None
            sources[o.dest] = "environment"
        else:
            values[o.dest], sources[o.dest] = o.default, "default"


def _expected(o: Opt) -> str:
    if o.kind == "choice":
        return "one of " + ", ".join(o.choices)
    return "a number" if o.kind == "float" else "a value"


def _convert(o: Opt, raw: str) -> Any:
    if o.kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise NotFast(raw) from None
    if o.kind == "choice" and raw not in o.choices:
        raise NotFast(raw)
    return raw
