"""Reading wandb's transaction log: runwrap's import beside wandb's own reader, side by side.

    python benchmarks/wandb_read.py [--rows 100000] [--rounds 5] [--peer-python PATH]

Real wandb (offline) writes one run of N history rows (four metrics per row, as a training
loop logs them); then, each measurement in a fresh process, the median rows/s of:

- ours, import:   `runwrap import-wandb`'s work (collectors.wandb.importer.import_run): framing
                  and every checksum, record decoding, values, streams/wandb.jsonl written,
                  config.yaml, summary-user.json and summary.json
- ours, reader:   LogReader + decoding.decode only (what the live collector pays per row
                  before writing)
- wandb datastore: wandb's own Python reader, `wandb.sdk.internal.datastore.DataStore`
                  (`scan_data` over the file) + its protobuf `Record` parser with each history
                  item's `value_json` read by json.loads, which is what its `wandb sync` did.
                  wandb removed that reader in 0.23 (the Go wandb-core reads the log now); with
                  a newer wandb installed, give --peer-python a Python whose wandb still has it
                  (`python -m venv /tmp/wb22 && /tmp/wb22/bin/pip install wandb==0.22.3`).
- wandb protobuf: our framing + wandb's protobuf `Record` parser and json.loads (the
                  installed wandb's own decoding, when its datastore is gone)

Rows/s from CPU time as well as wall time (the machine is shared). Speed is not asserted
anywhere; this script only prints.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]

WRITER = """
import sys, wandb
rows = int(sys.argv[1])
run = wandb.init(project="bench", config={"lr": 0.001, "batch_size": 64})
for i in range(rows):
    run.log({"loss": 1.0 / (i + 1), "acc": i / rows, "lr": 0.001 * 0.99 ** (i // 1000),
             "grad_norm": (i % 97) / 10.0})
run.finish()
"""


def write_log(folder: Path, rows: int) -> Path:
    """A real wandb log of `rows` history rows, written by wandb itself (offline)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(WANDB_MODE="offline", WANDB_DIR=str(folder), WANDB_SILENT="true",
               WANDB_CONSOLE="off")
    subprocess.run([sys.executable, "-c", WRITER, str(rows)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    [log] = list((folder / "wandb").rglob("run-*.wandb"))
    return log


# -- one measurement, in a child process -----------------------------------------------------


def measure(kind: str, path: str) -> dict:
    sys.path.insert(0, str(ROOT))
    rows = 0
    if kind == "import":
        from runwrap.collectors.wandb.importer import import_run
        from runwrap.collectors.wandb.reader import run_id_of

        root = Path(tempfile.mkdtemp(prefix="wandbbench-store-"))
        start, cpu = time.perf_counter(), time.process_time()
        rows = import_run(root, run_id_of(path), [path]).rows
    elif kind == "reader":
        from runwrap.collectors.wandb import decoding
        from runwrap.collectors.wandb.framing import LogReader

        start, cpu = time.perf_counter(), time.process_time()
        for message in LogReader(path).read():
            if isinstance(decoding.decode(message), decoding.History):
                rows += 1
    elif kind in ("datastore", "protobuf"):
        import wandb
        from wandb.proto import wandb_internal_pb2 as pb

        if kind == "datastore":
            from wandb.sdk.internal import datastore

            wandb._assert_is_internal_process = True
            start, cpu = time.perf_counter(), time.process_time()
            ds = datastore.DataStore()
            ds.open_for_scan(path)
            messages = iter(ds.scan_data, None)
        else:
            from runwrap.collectors.wandb.framing import LogReader

            start, cpu = time.perf_counter(), time.process_time()
            messages = LogReader(path).read()
        loads = json.loads
        for message in messages:
            record = pb.Record()
            record.ParseFromString(message)
            if record.WhichOneof("record_type") == "history":
                row = {}
                for item in record.history.item:
                    row[item.key or "/".join(item.nested_key)] = loads(item.value_json)
                rows += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    if kind == "import":
        shutil.rmtree(root, ignore_errors=True)  # off the clock
    return {"rows": rows, "seconds": seconds, "cpu": cpu_seconds}


def run_measure(kind: str, path: Path, python: Optional[str] = None) -> dict:
    out = subprocess.run([python or sys.executable, __file__, "--measure", kind, str(path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_datastore(python: Optional[str]) -> bool:
    probe = "import wandb.sdk.internal.datastore"
    return subprocess.run([python or sys.executable, "-c", probe],
                          capture_output=True).returncode == 0


def compare(path: Path, rounds: int, peer_python: Optional[str]) -> Dict[str, dict]:
    kinds: Dict[str, Optional[str]] = {"ours, import": None, "ours, reader": None}
    if has_datastore(None):
        kinds["wandb datastore"] = None
    elif peer_python and has_datastore(peer_python):
        kinds["wandb datastore"] = peer_python
    kinds["wandb protobuf"] = None
    code = {"ours, import": "import", "ours, reader": "reader", "wandb datastore": "datastore",
            "wandb protobuf": "protobuf"}
    samples: Dict[str, List[dict]] = {k: [] for k in kinds}
    for _ in range(rounds):
        for name, python in kinds.items():  # alternating: load changes hit all alike
            samples[name].append(run_measure(code[name], path, python))
    out = {}
    for name, got in samples.items():
        rows = got[0]["rows"]
        out[name] = {"rows": rows,
                     "rows_per_s": statistics.median(r["rows"] / r["seconds"] for r in got),
                     "rows_per_cpu_s": statistics.median(r["rows"] / r["cpu"] for r in got),
                     "python": kinds[name] or sys.executable}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer-python", help="a Python whose wandb still has datastore.py")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="wandbbench-"))
    try:
        t = time.perf_counter()
        log = write_log(tmp, args.rows)
        print(f"wandb wrote {args.rows:,} rows ({log.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
        results = compare(log, args.rounds, args.peer_python)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ref = results.get("wandb datastore") or results["wandb protobuf"]
    print(f"{'reader':<18}{'rows':>9}{'rows/s':>11}{'rows/CPU-s':>12}{'x peer (CPU)':>14}")
    for name, r in results.items():
        print(f"{name:<18}{r['rows']:>9,}{r['rows_per_s']:>11,.0f}{r['rows_per_cpu_s']:>12,.0f}"
              f"{r['rows_per_cpu_s'] / ref['rows_per_cpu_s']:>14.2f}")
    if "wandb datastore" not in results:
        print("wandb datastore: not measured (the installed wandb has no Python datastore; "
              "pass --peer-python)")


if __name__ == "__main__":
    main()
