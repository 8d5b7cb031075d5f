"""Real sweeps for the sweep tests: the real `runwrap sweep` / `runwrap agent` processes and a
small real training program that prints its metric as a person would."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tools_support import child_env, runwrap

pytest.importorskip("optuna", reason="sweeps need the sweep extra: pip install 'runwrap[sweep]'")

# Prints `loss=...` once per epoch: the wrapper's console parser records it. The loss is a
# known function of lr and depth (best at lr=0.03, depth=4); SLEEP paces the epochs and
# WAIT_FOR makes an epoch wait until a file exists (the SIGKILL test holds a trial there).
# Once its "waiting" line is in the run's output.log, the wrapper is in its main loop, with its
# signal handlers in place.
TRAIN = """
import argparse, os, sys, time
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--depth", type=int, default=2)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--sleep", type=float, default=0.0)
a = p.parse_args()
wait_for = os.environ.get("WAIT_FOR")
for epoch in range(a.epochs):
    if wait_for:
        open(wait_for + ".started", "w").close()
        print("waiting at the gate", flush=True)
        while not os.path.exists(wait_for):
            time.sleep(0.05)
    loss = (a.lr - 0.03) ** 2 * 100 + 1.0 / a.depth + 1.0 / (epoch + 1)
    print(f"epoch {epoch}: loss={loss:.6f}", flush=True)
    time.sleep(a.sleep)
"""


def write_program(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "train.py"
    path.write_text(TRAIN)
    return path


def write_config(folder: Path, config: Dict[str, Any]) -> Path:
    import yaml

    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def create(store: Path, config_file: Path, *extra: str, cwd: Path) -> str:
    result = runwrap("sweep", str(config_file), "--dir", store, "-q", *extra,
                     env=child_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def sweep_dir(store: Path, sweep_id: str) -> Path:
    return store / ".sweeps" / sweep_id


def trials(store: Path, sweep_id: str) -> List[Dict[str, Any]]:
    folder = sweep_dir(store, sweep_id) / "trials"
    docs = [json.loads(p.read_text()) for p in folder.glob("*.json")
            if p.name[:-5].isdigit()]
    return sorted(docs, key=lambda d: d["number"])


def run_json(store: Path, trial: Dict[str, Any]) -> Dict[str, Any]:
    return json.loads((store / trial["project"] / trial["run_id"] / "run.json").read_text())


def agent_argv(store: Path, sweep_id: str, *extra: str) -> List[str]:
    return [sys.executable, "-m", "runwrap", "agent", sweep_id, "--dir", str(store), *extra]


def wait_at_gate(store: Path, sweep_id: str, process: Any, timeout: float = 60) -> Dict[str, Any]:
    """Wait until the first trial's program waits at the gate, as its run's console shows."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None and time.monotonic() < deadline
        found = trials(store, sweep_id)
        if found:
            log = store / found[0]["project"] / found[0]["run_id"] / "output.log"
            if log.exists() and "waiting at the gate" in log.read_text(errors="replace"):
                return found[0]
        time.sleep(0.05)
