"""Upload speed to an MLflow tracking server: `runwrap sync` vs MLflow's own MlflowClient.

Both sides upload the same points (records of --keys metrics at consecutive steps) to the same
local server, in alternating rounds; each round creates its run, uploads every point and marks
the run finished. Prints each side's median metrics/s and the ratio.

    python benchmarks/mlflow_upload.py                      # starts its own server (~20 s)
    python benchmarks/mlflow_upload.py --tracking-uri http://127.0.0.1:5000 --points 50000
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runwrap.store import documents  # noqa: E402
from runwrap.store.create import create_run  # noqa: E402
from runwrap.store.streams import StreamWriter, stream_path  # noqa: E402

T0 = 1_700_000_000.0


def start_server(workdir: Path, workers: int) -> tuple:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri",
         f"sqlite:///{workdir / 'mlflow.db'}", "--default-artifact-root", str(workdir / "art"),
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        cwd=workdir, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
        start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(uri + "/health", timeout=2).ok:
                return proc, uri
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("mlflow server did not start; see " + str(workdir / "server.log"))


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started by start_server (its whole process group: gunicorn's workers too)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def make_run_dir(root: Path, run_id: str, records: int, keys: int) -> Path:
    run_dir = create_run(root, "bench", run_id, {"name": run_id, "start_time": T0},
                         owner_kind="wrapper")
    writer = StreamWriter(stream_path(run_dir, "sdk"))
    writer.write_many({"_step": s, "_time": T0 + s * 0.01,
                       **{f"metric_{k}": s * 0.001 + k for k in range(keys)}}
                      for s in range(records))
    writer.close()
    documents.update_json(run_dir / "run.json",
                          lambda d: d.update(status="finished", end_time=T0 + records))
    return run_dir


def ours(uri: str, root: Path, run_id: str, records: int, keys: int) -> float:
    from runwrap.sync import resolve_config, sync_run

    run_dir = make_run_dir(root, run_id, records, keys)
    config = resolve_config(tracking_uri=uri, environ={})
    start = time.perf_counter()
    result = sync_run(run_dir, config)
    elapsed = time.perf_counter() - start
    assert result.state == "synced" and result.points == records * keys, result
    return records * keys / elapsed


def peer(uri: str, run_id: str, records: int, keys: int) -> float:
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    client = MlflowClient(uri)
    exp = client.get_experiment_by_name("bench-peer") or None
    exp_id = exp.experiment_id if exp else client.create_experiment("bench-peer")
    metrics = [Metric(f"metric_{k}", s * 0.001 + k, int((T0 + s * 0.01) * 1000), s)
               for s in range(records) for k in range(keys)]
    start = time.perf_counter()
    run = client.create_run(exp_id, run_name=run_id)
    for i in range(0, len(metrics), 1000):
        client.log_batch(run.info.run_id, metrics=metrics[i:i + 1000])
    client.set_terminated(run.info.run_id, "FINISHED")
    elapsed = time.perf_counter() - start
    return len(metrics) / elapsed


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tracking-uri", help="an existing server (default: start one)")
    ap.add_argument("--points", type=int, default=20000, help="points per round (default 20000)")
    ap.add_argument("--keys", type=int, default=10, help="metrics per record (default 10)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=4,
                    help="server workers when starting one (default 4, mlflow server's own)")
    args = ap.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="runwrap-bench-"))
    proc = None
    try:
        uri = args.tracking_uri
        if not uri:
            proc, uri = start_server(workdir, args.workers)
        records = max(1, args.points // args.keys)
        a: List[float] = []
        b: List[float] = []
        peer(uri, "warmup", 100, args.keys)  # first-call costs (imports, experiment) off the clock
        ours(uri, workdir / "store", "warmup", 100, args.keys)
        for r in range(args.rounds):
            # Alternate who goes first, so a change in machine load does not favour one side.
            if r % 2 == 0:
                a.append(ours(uri, workdir / "store", f"ours{r}", records, args.keys))
                b.append(peer(uri, f"peer{r}", records, args.keys))
            else:
                b.append(peer(uri, f"peer{r}", records, args.keys))
                a.append(ours(uri, workdir / "store", f"ours{r}", records, args.keys))
            print(f"round {r + 1}: runwrap {a[-1]:8.0f} metrics/s   MlflowClient {b[-1]:8.0f} "
                  f"metrics/s", flush=True)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"median over {args.rounds} rounds of {records * args.keys} points: runwrap "
              f"{ma:.0f} metrics/s, MlflowClient.log_batch {mb:.0f} metrics/s, "
              f"ratio {ma / mb:.2f}x")
    finally:
        if proc is not None:
            stop_server(proc)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
