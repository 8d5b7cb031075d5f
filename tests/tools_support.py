"""Real runs for the tools tests (compare, export, plot, rm, gc, completion): made by the real
wrapper around a small program that logs with `runwrap.init()`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

REPO = Path(__file__).resolve().parents[1]

# The child logs the records of a JSON Lines file with `runwrap.init()` and `run.log()`, which
# attach to the wrapper's run (one run, one directory) and write its `sdk` stream.
LOGGER = """
import json, sys
import runwrap

run = runwrap.init()
with open(sys.argv[1]) as f:
    for line in f:
        run.log(json.loads(line))
run.finish()
"""


def child_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.update(extra)
    return env


def runwrap(*args: Any, input: Optional[str] = None, env: Optional[Dict[str, str]] = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m runwrap ARGS` as a user runs it from a script: pipes, text, exit status."""
    return subprocess.run([sys.executable, "-m", "runwrap"] + [str(a) for a in args],
                          input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, env=env or child_env(), timeout=timeout)


def make_run(store: Path, records: Iterable[Dict[str, Any]], *, run_id: str, name: str,
             project: str = "proj", config: Iterable[str] = (), tags: Optional[str] = None,
             extra: Iterable[str] = (), data_name: Optional[str] = None) -> Path:
    """Wrap the logger with the real `runwrap` and return the finished run's directory.
    The records go through a file named `data_name` (default: the run id) on the command line."""
    work = store.parent / "work"
    work.mkdir(parents=True, exist_ok=True)
    script = work / "logger.py"
    if not script.exists():
        script.write_text(LOGGER)
    data = work / f"{data_name or run_id}.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    args: List[str] = ["--dir", str(store), "--project", project, "--id", run_id, "--name", name,
                       "--no-scalars", "--stats-interval", "0", "--quiet"]
    for c in config:
        args += ["--config", c]
    if tags:
        args += ["--tags", tags]
    args += list(extra)
    result = runwrap(*args, "--", sys.executable, script, data)
    assert result.returncode == 0, result.stderr
    run_dir = store / project / run_id
    assert (run_dir / "run.json").exists()
    return run_dir


def curve(n: int, start: float = 1.0, rate: float = 0.5) -> List[Dict[str, Any]]:
    """n steps of a falling loss and a rising accuracy."""
    return [{"loss": start / (1 + rate * i), "acc": i / max(1, n - 1)} for i in range(n)]
