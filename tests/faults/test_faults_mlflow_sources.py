"""Two sources of one run logging the same metric name (the console prints `loss`, the SDK logs
`loss`): runwrap keeps them in separate streams, and MLflow must keep them apart too, instead
of one `loss` series where the console's stepless values land at step 0 beside the SDK's."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faults_support import RUNWRAP, clean_env, figures, run_dirs, run_meta, write_script
from mlflow_server import mlflow_server  # noqa: F401  (the session's one MLflow server)

pytestmark = [pytest.mark.mlflow]

TRAIN = """
    import runwrap
    run = runwrap.init()
    for step in range(5):
        run.log({"loss": 1.0 / (step + 1)}, step=step)
    print("loss: 0.123", flush=True)   # the console's own idea of the loss, no step
    run.finish()
"""


def test_same_named_metrics_of_two_sources_stay_apart_in_mlflow(tmp_path: Path,
                                                                 mlflow_server) -> None:
    work = tmp_path / "work"
    script = write_script(work, "train.py", TRAIN)
    store = tmp_path / "store"
    done = subprocess.run(RUNWRAP + ["--dir", str(store), "--stats-interval", "0",
                                     "--no-tensorboard-discovery", "--project", "apart",
                                     sys.executable, str(script)],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [run_dir] = run_dirs(store)
    assert (run_dir / "streams" / "stdout.jsonl").exists(), "the console's loss was not parsed"
    synced = subprocess.run(RUNWRAP + ["sync", run_dir.name, "--dir", str(store),
                                       "--tracking-uri", mlflow_server.uri],
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    assert synced.returncode == 0, synced.stderr
    rid = run_meta(run_dir)["sync"]["run_id"]
    held = mlflow_server.all_points(rid)
    series = {k: [(p["step"], round(p["value"], 6)) for p in v] for k, v in held.items()}
    line = figures("mlflow_sources_apart", keys=sorted(series), loss=series.get("loss"),
                   console=series.get("stdout/loss"))
    assert series.get("loss") == [(s, round(1.0 / (s + 1), 6)) for s in range(5)], line
    assert [v for _, v in series.get("stdout/loss", [])] == [0.123], line
