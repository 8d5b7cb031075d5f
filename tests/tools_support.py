"""Real runs for the tools tests (compare, export, plot, rm, gc, completion): made by the real
wrapper around a small program that logs records into the run's `sdk` stream."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

REPO = Path(__file__).resolve().parents[1]

# The child logs the records of a JSON Lines file into the run it was started for, through the
# store's own writer (what runwrap.init().log() does underneath).
LOGGER = """
import json, os, sys, time
from pathlib import Path
from runwrap.store.streams import StreamWriter, stream_path

writer = StreamWriter(stream_path(Path(os.environ["RUNWRAP_RUN_DIR"]), "sdk"))
start = time.time()
with open(sys.argv[1]) as f:
    for i, line in enumerate(f):
        record = json.loads(line)
        record.setdefault("_step", i)
        record.setdefault("_time", start + i)
        record.setdefault("_runtime", float(i))
        writer.write(record)
print("logged", i + 1, "records")
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
