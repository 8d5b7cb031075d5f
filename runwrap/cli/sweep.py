"""`runwrap sweep` and `runwrap agent`: wandb's sweep commands over the local store."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import click

from runwrap.cli.selection import dir_option

SUBCOMMANDS = ("create", "show", "ls", "stop", "resume")


class SweepGroup(click.Group):
    """`runwrap sweep CONFIG.yaml` and `runwrap sweep -p ... -- CMD` mean `sweep create ...`."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if args and args[0] not in SUBCOMMANDS and args[0] not in ("--help", "-h"):
            args = ["create"] + list(args)
        return super().parse_args(ctx, args)


@click.group(cls=SweepGroup, context_settings={"help_option_names": ["-h", "--help"]})
def sweep() -> None:
    """Create and look at sweeps (wandb's sweep files; trials run with `runwrap agent`).

    \b
      runwrap sweep sweep.yaml                           create a sweep from a wandb config
      runwrap sweep -p lr=0.1,0.01 -p depth=2,4 -- python train.py
                                                         a quick grid, run right here
      runwrap agent SWEEP [--count N] [--parallel P]    run its trials (any machine)
      runwrap sweep show SWEEP                           trials ranked, the best config
      runwrap sweep ls                                   the sweeps in the store
      runwrap sweep stop SWEEP / resume SWEEP            no new trials / again

    SWEEP is a sweep's id (or ENTITY/PROJECT/ID, or `latest`).
    """


@sweep.command("create", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
@click.option("--project", help="Project of the sweep's runs (default: the config's, else "
                                "the folder's name).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUES",
              help="Search NAME over VALUES: a,b,c (a grid) or LOW..HIGH (a range; "
                   "LOW..HIGH:log for a log scale). Repeatable. The command follows --.")
@click.option("--method", type=click.Choice(["grid", "random", "bayes"]),
              help="With -p: how to search (default grid, or random with a range).")
@click.option("--minimize", metavar="METRIC", help="With -p: the metric to minimize.")
@click.option("--maximize", metavar="METRIC", help="With -p: the metric to maximize.")
@click.option("--count", type=click.IntRange(min=1), help="With -p: run at most this many "
                                                          "trials.")
@click.option("--parallel", type=click.IntRange(min=1), default=1, show_default=True,
              help="With -p: trials at once.")
@click.option("--seed", type=int, help="Seed of random and Bayesian search: the same seed "
                                       "draws the same points.")
@click.option("--storage", metavar="URL", help="Keep the search in this database "
                                               "(postgresql://...) instead of the store.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the sweep's id.")
@dir_option
def create(words: tuple, project: Optional[str], params: tuple, method: Optional[str],
           minimize: Optional[str], maximize: Optional[str], count: Optional[int],
           parallel: int, seed: Optional[int], storage: Optional[str], quiet: bool,
           store_dir: Optional[str]) -> int:
    """Create a sweep from CONFIG.yaml (wandb's format), or from -p options and a command."""
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.sweeps import create_sweep
    from runwrap.sweeps.shell import config_from_options, read_config_file

    words = list(words)
    if params:
        if words and words[0] == "--":
            words = words[1:]
        config = config_from_options(list(params), words, method, minimize, maximize)
    else:
        for flag, value in (("--method", method), ("--minimize", minimize),
                            ("--maximize", maximize), ("--count", count)):
            if value:
                raise UsageError(f"{flag} goes with -p NAME=VALUES; in a config file write "
                                 f"it as a key")
        if len(words) != 1 or words[0].startswith("-"):
            raise UsageError("give one sweep config file (runwrap sweep sweep.yaml), or "
                             "parameters and a command (runwrap sweep -p lr=0.1,0.01 -- "
                             "python train.py)")
        config = read_config_file(words[0])
    doc = create_sweep(config, project=project, root=store_dir, storage=storage, seed=seed)
    agent_cmd = _agent_command(doc, store_dir, storage)
    if quiet:
        click.echo(doc["id"])
    else:
        click.echo(f"Created sweep {doc['id']} in project {doc['project']} "
                   f"({_describe(doc)})")
    if not params:
        if not quiet:
            click.echo(f"Run trials with: {agent_cmd}")
        return 0
    if not quiet:
        click.echo(f"More agents can join with: {agent_cmd}")
    return _run_agent(doc["id"], store_dir, count, parallel, storage)


def _describe(doc: Dict[str, Any]) -> str:
    config = doc["config"]
    parts = [config["method"]]
    if doc.get("grid_size"):
        parts[0] += f", {_count(doc['grid_size'], 'point')}"
    metric = config.get("metric")
    if metric:
        parts.append(f"{metric['goal']} {metric['name']}")
    return "; ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _agent_command(doc: Dict[str, Any], store_dir: Optional[str],
                   storage: Optional[str]) -> str:
    import shlex  # start-up: loaded only on the path that needs it

    words = ["runwrap", "agent", doc["id"]]
    if store_dir:
        words += ["--dir", store_dir]
    if storage:
        words += ["--storage", doc.get("storage") or storage]
    return " ".join(shlex.quote(w) for w in words)


def _run_agent(ref: str, store_dir: Optional[str], count: Optional[int], parallel: int,
               storage: Optional[str], wrap_options: Optional[List[str]] = None) -> int:
    # start-up: the layer below loads only when this command runs
    from runwrap.notices import say
    from runwrap.sweeps import run_agent

    results = run_agent(ref, root=store_dir, count=count, parallel=parallel, storage=storage,
                        wrap_options=wrap_options or [], on_event=say)
    ref = _sweep_id(ref, store_dir)  # `latest` said as the sweep it was
    if not results:
        say(f"sweep {ref} has no trial left to run")
        return 0
    states: Dict[str, int] = {}
    for r in results:
        states[r.state] = states.get(r.state, 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    say(f"this agent ran {_count(len(results), 'trial')} ({tally}); ranked: "
        f"runwrap sweep show {ref}")
    return 0


@sweep.command("show")
@click.argument("sweep_ref", metavar="SWEEP")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Trials to list.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def show(sweep_ref: str, limit: int, as_json: bool, store_dir: Optional[str]) -> None:
    """The trials ranked by the metric, the best configuration, and how each parameter
    relates to the metric."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.layout import store_root
    from runwrap.sweeps.report import build_report, flat_params

    report = build_report(store_root(store_dir), sweep_ref)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, default=str))
        return
    doc = report.doc
    metric = report.metric or {}
    counts: Dict[str, int] = {}
    for t in report.trials:
        counts[t.get("state", "?")] = counts.get(t.get("state", "?"), 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    click.echo(f"sweep {doc['id']} ({doc.get('name')}) · project {doc['project']} · "
               f"{_describe(doc)} · {report.state} · {_count(len(report.trials), 'trial')}"
               + (f" ({tally})" if tally else ""))
    if doc.get("description"):
        click.echo(doc["description"])
    if not report.trials:
        click.echo(f"no trials yet; run them with: runwrap agent {doc['id']}")
        return
    names: List[str] = []
    for t in report.trials:
        for n in flat_params(t.get("params")):
            if n not in names:
                names.append(n)
    header = ["#", "state", metric.get("name", "value")] + names + ["run"]
    rows = []
    for t in report.trials[:limit]:
        flat = flat_params(t.get("params"))
        value = t.get("value")
        rows.append([str(t["number"]), t.get("state", "?"),
                     "-" if value is None else f"{value:.6g}"]
                    + [_cell(flat.get(n)) for n in names]
                    + [f"{t.get('project')}/{t.get('run_id')}"])
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if len(report.trials) > limit:
        click.echo(f"... {len(report.trials) - limit} more (--limit)")
    best = report.best
    if best is not None:
        click.echo(f"\nbest: {metric.get('name')}={best['value']:.6g} (trial {best['number']}, "
                   f"run {best.get('project')}/{best.get('run_id')})")
        for name, value in flat_params(best.get("params")).items():
            click.echo(f"  {name}: {json.dumps(value)}")
    if report.relations and metric:
        click.echo(f"\nparameters and {metric['name']} (Spearman rank correlation over the "
                   f"trials with a value; + means {metric['name']} rises with the parameter):")
        width = max(len(r["name"]) for r in report.relations)
        for r in report.relations:
            if "correlation" in r:
                c = r["correlation"]
                text = "-" if c is None else f"{c:+.2f}"
            else:
                text = " · ".join(f"{k}: {v:.4g}" for k, v in r["mean_by_value"].items())
                text = f"mean {metric['name']} by value: {text}"
            click.echo(f"  {r['name'].ljust(width)}  {text}")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return value if isinstance(value, str) else json.dumps(value)


@sweep.command("ls")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def ls(as_json: bool, store_dir: Optional[str]) -> None:
    """The sweeps in the store, newest first."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store import sweeps as store
    from runwrap.store.layout import store_root
    from runwrap.sweeps.report import build_report

    root = store_root(store_dir)
    docs = store.list_sweeps(root)
    if as_json:
        click.echo(json.dumps(docs, indent=2, default=str))
        return
    if not docs:
        click.echo(f"no sweeps under {root}; create one with `runwrap sweep CONFIG.yaml`")
        return
    rows = [["ID", "PROJECT", "NAME", "SEARCH", "STATE", "TRIALS"]]
    for doc in docs:
        report = build_report(root, doc["id"])
        rows.append([doc["id"], doc["project"], str(doc.get("name")), _describe(doc),
                     report.state, str(len(report.trials))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def _sweep_id(ref: str, store_dir: Optional[str]) -> str:
    """The id `ref` names (`latest`, a path), or `ref` itself when the store has no such sweep."""
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.store import sweeps as store
    from runwrap.store.layout import store_root

    try:
        return str(store.read_sweep(store.find_sweep(store_root(store_dir), ref))["id"])
    except UsageError:
        return ref


def _set_state(ref: str, store_dir: Optional[str], state: str) -> None:
    # start-up: the layer below loads only when this command runs
    from runwrap.store import sweeps as store
    from runwrap.store.layout import store_root

    path = store.find_sweep(store_root(store_dir), ref)
    store.set_sweep_state(path, state)
    doc = store.read_sweep(path)
    click.echo(f"sweep {doc['id']} {state}" + (
        ": agents start no new trial; running trials finish" if state == "stopped"
        else f": agents may run trials again (runwrap agent {doc['id']})"))


@sweep.command("stop")
@click.argument("sweep_ref", metavar="SWEEP")
@dir_option
def stop(sweep_ref: str, store_dir: Optional[str]) -> None:
    """Start no new trials (running ones finish)."""
    _set_state(sweep_ref, store_dir, "stopped")


@sweep.command("resume")
@click.argument("sweep_ref", metavar="SWEEP")
@dir_option
def resume(sweep_ref: str, store_dir: Optional[str]) -> None:
    """Let agents start trials again."""
    _set_state(sweep_ref, store_dir, "running")


@click.command("agent", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sweep_ref", metavar="SWEEP")
@click.argument("wrap_options", nargs=-1, type=click.UNPROCESSED, metavar="[-- RUN_OPTIONS]")
@click.option("--count", type=click.IntRange(min=1), help="Run at most this many trials.")
@click.option("--parallel", type=click.IntRange(min=1), default=1, show_default=True,
              help="Trials at once on this machine.")
@click.option("--storage", metavar="URL", help="The database the sweep was created in "
                                               "(postgresql://...).")
@dir_option
def agent(sweep_ref: str, wrap_options: tuple, count: Optional[int], parallel: int,
          storage: Optional[str], store_dir: Optional[str]) -> int:
    """Run trials of SWEEP (its id, or ENTITY/PROJECT/ID, or latest) until it has none left,
    each as a runwrap run grouped under the sweep. Options of `runwrap run` after -- go to
    every trial's wrapper: runwrap agent SWEEP -- --metrics-file metrics.jsonl"""
    return _run_agent(sweep_ref, store_dir, count, parallel, storage, list(wrap_options))
