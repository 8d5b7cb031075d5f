"""Sweeps: wandb's sweep files and calls, searched by Optuna, every trial an ordinary run.

    config.py     wandb's sweep configuration, checked, defaults filled in
    space.py      its parameter distributions in Optuna's terms
    search.py     the study: claiming trials, reporting values, early stops, crashed agents
    command.py    a trial's command line (wandb's ${...} macros)
    follow.py     the metric, read live from the trial's run
    runner.py     the agent: runs trials through the wrapper (or a function: inprocess.py)
    report.py     what `runwrap sweep show` shows

The sweep's documents in the store are described in runwrap/store/sweeps.py. This package sits
above `wrap` and `sdk` (it runs the wrapper as a program and attaches the SDK to trial runs) and
below `cli`; Optuna is imported only when a sweep is created or searched.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap.errors import UsageError


def create_sweep(config: Dict[str, Any], project: Optional[str] = None,
                 root: Optional[Path] = None, storage: Optional[str] = None,
                 seed: Optional[int] = None) -> Dict[str, Any]:
    """Check `config`, make the sweep's directory and its study; returns sweep.json's doc."""
    # start-up: loaded only on the path that needs it
    from runwrap.store import sweeps as store
    from runwrap.store.create import argv0_project, default_project
    from runwrap.store.ids import check_path_name, new_run_id
    from runwrap.store.layout import store_root
    from runwrap.sweeps.config import parse_config
    from runwrap.sweeps.search import Search, masked, optuna_module

    spec = parse_config(config)
    optuna_module()  # before anything is written: the extra may be missing
    root = Path(root) if root else store_root()
    program = argv0_project([spec.program] if spec.program else
                            [w for w in spec.command if "${" not in w])
    project = (project or spec.config.get("project") or os.environ.get("RUNWRAP_PROJECT")
               or os.environ.get("WANDB_PROJECT") or default_project(os.getcwd(), program))
    check_path_name(project, "project")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise UsageError(f"--seed must be a whole number, not {seed!r}")
    sweep_id = new_run_id()
    doc = {"id": sweep_id, "project": project, "name": spec.name or sweep_id,
           "description": spec.description, "created": time.time(), "config": spec.config,
           "storage": masked(storage) if storage else None, "seed": seed,
           "grid_size": len(spec.grid()) if spec.method == "grid" else None}
    path = store.create_sweep_dir(root, sweep_id, doc)
    try:
        Search(path, doc, storage, create=True)
    except BaseException:
        import shutil  # start-up: loaded only on the path that needs it

        shutil.rmtree(path, ignore_errors=True)
        raise
    return doc


def run_agent(ref: str, root: Optional[Path] = None, count: Optional[int] = None,
              parallel: int = 1, storage: Optional[str] = None,
              function: Optional[Callable[[], Any]] = None,
              wrap_options: Optional[List[str]] = None,
              on_event: Callable[[str], None] = lambda line: None) -> List[Any]:
    """Run trials of sweep `ref` until `count` ran or the sweep has none left; returns their
    results (sweeps/runner.py's TrialResult). `wrap_options`: options of `runwrap run` for
    every trial's wrapper (--metrics-file, --tensorboard, ...)."""
    # start-up: loaded only on the path that needs it
    from runwrap.store import sweeps as store
    from runwrap.store.layout import store_root
    from runwrap.sweeps.runner import Agent

    if count is not None and count < 1:
        raise UsageError(f"--count must be at least 1, not {count}")
    if parallel < 1:
        raise UsageError(f"--parallel must be at least 1, not {parallel}")
    root = Path(root) if root else store_root()
    path = store.find_sweep(root, ref)
    options = list(wrap_options or [])
    for word in options:
        if word == "--" or word.split("=")[0] in ("--dir", "--project", "--group", "--id",
                                                  "--config"):
            raise UsageError(f"run option {word} is the agent's to give each trial; pass "
                             f"options such as --metrics-file, --tensorboard, --no-scalars")
    return Agent(root, path, count=count, parallel=parallel, storage=storage,
                 function=function, wrap_options=options, on_event=on_event).run()


# -- wandb's calls ------------------------------------------------------------------------
def sweep(sweep: Any, entity: Optional[str] = None, project: Optional[str] = None,
          prior_runs: Optional[List[str]] = None) -> str:
    """wandb.sweep(): create a sweep from a config dict (or a callable returning one); returns
    its id for `runwrap.agent()` or `runwrap agent ID`."""
    if callable(sweep):
        sweep = sweep()
    if hasattr(sweep, "to_dict"):
        sweep = sweep.to_dict()
    if prior_runs:
        raise UsageError("sweep(prior_runs=...) is not supported; start the sweep without "
                         "prior runs")
    doc = create_sweep(dict(sweep), project=project)
    from runwrap.notices import say  # start-up: loaded only on the path that needs it

    say(f"created sweep {doc['id']} in project {doc['project']}; run trials with: "
        f"runwrap agent {doc['id']}")
    return doc["id"]


def agent(sweep_id: str, function: Optional[Callable[[], Any]] = None,
          entity: Optional[str] = None, project: Optional[str] = None,
          count: Optional[int] = None) -> None:
    """wandb.agent(): run trials of the sweep; with `function`, call it in this process for
    each trial (its runwrap.init() gets the trial's config); without, run the sweep's
    program."""
    from runwrap.notices import say  # start-up: loaded only on the path that needs it

    run_agent(sweep_id, count=count, function=function, on_event=say)
