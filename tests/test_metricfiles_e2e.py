"""Metrics files written by a real program under the real `runwrap --metrics-file`:
streams/files.jsonl value by value, live while the program runs, garbage counted in run.json."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

from runwrap.store.streams import read_records
from runwrap.store.values import decode_value
from wrapper_harness import wait_for

REPO = Path(__file__).resolve().parents[1]
LIGHT = ["--stats-interval", "0", "--no-tensorboard-discovery", "--no-scalars"]

# Appends to a JSONL and a CSV file while it runs; waits for the test's go-ahead after the
# first records so the test can see them land while the program is still running.
WRITER = r"""
import csv, json, os, sys, time
release = sys.argv[1]
os.makedirs("logs", exist_ok=True)
with open("logs/metrics.jsonl", "a") as j, open("logs/table.csv", "a", newline="") as c:
    table = csv.writer(c)
    table.writerow(["step", "loss", "phase", "acc", "wrote_at"])
    for step in range(1, 6):
        j.write(json.dumps({"step": step, "loss": 1.0 / step, "val": {"acc": step / 10},
                            "note": "ok", "wrote_at": time.time()}) + "\n")
        if step == 3:
            j.write("this line is garbage\n")
        j.flush()
        table.writerow([step, 2.0 / step, "train", "" if step == 2 else step / 5, time.time()])
        c.flush()
        if step == 1:
            end = time.time() + 30
            while not os.path.exists(release) and time.time() < end:
                time.sleep(0.02)
        time.sleep(0.05)
print("done")
"""


def env() -> Dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [e.get("PYTHONPATH")] if p])
    return e


def files_stream(store: Path) -> List[Path]:
    return list(store.glob("*/*/streams/files.jsonl"))


def test_jsonl_and_csv_appended_while_running_are_recorded_live_and_value_by_value(tmp_path):
    store = tmp_path / "store"
    release = tmp_path / "release"
    (tmp_path / "train.py").write_text(WRITER)
    proc = subprocess.Popen(
        [sys.executable, "-m", "runwrap", "--dir", str(store), *LIGHT,
         "--metrics-file", "logs/*.jsonl", "--metrics-file", "logs/table.csv",
         "--", sys.executable, "train.py", str(release)],
        cwd=tmp_path, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        first: List[Dict[str, Any]] = []
        while time.monotonic() < deadline and len(first) < 2:
            first = [r for s in files_stream(store) for r in read_records(s)]
            time.sleep(0.02)
        seen = time.time()
        assert len(first) == 2, "the first JSONL and CSV records did not land while running"
        assert proc.poll() is None
        # Latency from the program's write to the record being readable in the run directory.
        assert all(seen - r["wrote_at"] < 1.0 for r in first), [seen - r["wrote_at"] for r in first]
    finally:
        release.write_text("go")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    (stream,) = files_stream(store)
    got = [{k: decode_value(v) for k, v in r.items() if k not in ("_time", "_runtime", "wrote_at")}
           for r in read_records(stream)]
    jsonl = [r for r in got if r["_file"] == os.path.join("logs", "metrics.jsonl")]
    table = [r for r in got if r["_file"] == os.path.join("logs", "table.csv")]
    assert len(jsonl) + len(table) == len(got)
    assert jsonl == [{"_step": s, "_file": os.path.join("logs", "metrics.jsonl"),
                      "loss": 1.0 / s, "val/acc": s / 10} for s in range(1, 6)]
    expected_table = []
    for s in range(1, 6):
        row = {"_step": s, "_file": os.path.join("logs", "table.csv"), "loss": 2.0 / s}
        if s != 2:
            row["acc"] = s / 5
        expected_table.append(row)
    assert table == expected_table

    run = stream.parent.parent
    doc = json.loads((run / "run.json").read_text())
    # the garbage line; "note" (5 lines) and "phase" (5 rows) are text, not metrics
    assert doc["skipped"]["MetricsFiles"] == {"bad_line": 1, "not_a_number": 10}
    summary = json.loads((run / "summary.json").read_text())
    assert summary["files"]["loss"]["count"] == 10
    assert summary["files"]["val/acc"]["last"] == 0.5


def test_a_metrics_file_truncated_and_rotated_by_the_program_loses_nothing(tmp_path):
    store = tmp_path / "store"
    (tmp_path / "train.py").write_text(r"""
import os, time
def write(path, mode, lines):
    with open(path, mode) as f:
        for line in lines:
            f.write(line + "\n")
            f.flush()
write("m.jsonl", "w", ['{"i": 1}', '{"i": 2}'])
time.sleep(0.8)
write("m.jsonl", "w", ['{"i": 3}'])          # truncated and rewritten
time.sleep(0.8)
os.rename("m.jsonl", "m.jsonl.1")            # rotated
write("m.jsonl.1", "a", ['{"i": 4}'])        # a last write to the old file
write("m.jsonl", "w", ['{"i": 5}', '{"i": 6}'])
""")
    done = subprocess.run([sys.executable, "-m", "runwrap", "--dir", str(store), *LIGHT,
                           "--metrics-file", "m.jsonl", "--", sys.executable, "train.py"],
                          cwd=tmp_path, env=env(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == 0, done.stderr
    (stream,) = files_stream(store)
    assert sorted(r["i"] for r in read_records(stream)) == [1, 2, 3, 4, 5, 6]


# Lightning's CSVLogger (2.6.6): rows under the columns it knows so far; when a metric first
# appears it rewrites the whole file under a header with one more column, the old rows with
# that column empty (bytes from a real `Trainer(logger=CSVLogger(...))` run).
LIGHTNING_CSV = r"""
import os, sys, time
release = sys.argv[1]
rows = [("0", "0", "5.891898155212402"), ("0", "1", "4.090481281280518"),
        ("0", "2", "2.152496576309204")]
with open("metrics.csv", "w") as f:
    f.write("epoch,step,train_loss\n" + "".join(",".join(r) + "\n" for r in rows))
end = time.time() + 30
while not os.path.exists(release) and time.time() < end:
    time.sleep(0.02)
with open("metrics.csv", "w") as f:
    f.write("epoch,step,train_loss,val_loss\n" + "".join(",".join(r) + ",\n" for r in rows))
    f.write("0,3,1.6801244020462036,\n0,3,,1.117365837097168\n")
"""


def test_a_csv_rewritten_with_a_new_column_records_each_row_once(tmp_path):
    (tmp_path / "train.py").write_text(LIGHTNING_CSV)
    release = tmp_path / "release"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runwrap", "--dir", str(tmp_path / "store"), *LIGHT,
         "--metrics-file", "metrics.csv", "--", sys.executable, "train.py", str(release)],
        cwd=tmp_path, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        wait_for(lambda: files_stream(tmp_path / "store")
                 and len(list(read_records(files_stream(tmp_path / "store")[0]))) == 3,
                 what="the first three rows in streams/files.jsonl")
    finally:
        release.touch()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    got = [(r.get("_step"), r.get("train_loss"), r.get("val_loss"))
           for r in read_records(files_stream(tmp_path / "store")[0])]
    assert got == [(0, 5.891898155212402, None), (1, 4.090481281280518, None),
                   (2, 2.152496576309204, None), (3, 1.6801244020462036, None),
                   (3, None, 1.117365837097168)]
