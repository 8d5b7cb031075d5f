"""`runwrap export`: a run's full history as CSV, JSON Lines and TensorBoard event files."""
from __future__ import annotations

import csv
import io
import json
import math
import sys

import pytest

from runwrap.store.streams import StreamWriter, stream_path
from tools_support import child_env, make_run, runwrap

RECORDS = [
    {"loss": 1.0, "acc": 0.1},
    {"loss": 0.5, "acc": 0.2, "note": "lr dropped"},
    {"loss": float("nan"), "acc": float("inf")},
    {"loss": 0.25},
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    store = tmp_path_factory.mktemp("export") / "store"
    run_dir = make_run(store, RECORDS, run_id="exp00001", name="exported")
    # A second source of the same run, with a name shared with sdk and one of its own.
    writer = StreamWriter(stream_path(run_dir, "tensorboard"))
    writer.write({"_step": 1, "_time": 5.0, "loss": 0.55, "train/lr": 0.01})
    writer.write({"_step": 3, "_time": 6.0, "train/lr": 0.001})
    writer.close()
    return store


def test_wide_csv_has_one_row_per_step_and_round_trips(run):
    result = runwrap("export", "exported", "--dir", run)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["_step"]) for r in rows] == [0, 1, 2, 3]
    # `loss` is in two sources, so both get their source as a prefix; `train/lr` does not.
    assert {"sdk:loss", "tensorboard:loss", "acc", "train/lr", "note"} <= set(rows[0])
    assert float(rows[1]["sdk:loss"]) == 0.5 and float(rows[1]["tensorboard:loss"]) == 0.55
    assert math.isnan(float(rows[2]["sdk:loss"])) and float(rows[2]["acc"]) == math.inf
    assert rows[1]["note"] == "lr dropped"
    assert float(rows[3]["train/lr"]) == 0.001 and rows[0]["train/lr"] == ""


def test_long_csv_has_one_row_per_value(run):
    result = runwrap("export", "exp0", "--long", "-o", run.parent / "long.csv", "--dir", run)
    assert result.returncode == 0, result.stderr
    with open(run.parent / "long.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["source", "step", "time", "runtime", "metric", "value"]
    assert len(rows) == sum(len(r) for r in RECORDS) + 3
    sdk_loss = [r["value"] for r in rows if r["source"] == "sdk" and r["metric"] == "loss"]
    assert sdk_loss == ["1.0", "0.5", "nan", "0.25"]


def test_jsonl_keeps_nan_as_strict_json_strings(run):
    result = runwrap("export", "latest", "--format", "jsonl", "--source", "sdk", "--dir", run)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[2]["loss"] == "NaN" and rows[2]["acc"] == "Infinity"
    assert rows[0]["_step"] == 0 and "_time" in rows[0]
    long = runwrap("export", "latest", "--format", "jsonl", "--long", "--source", "tensorboard",
                   "--dir", run)
    values = [json.loads(line) for line in long.stdout.splitlines()]
    assert [(v["metric"], v["step"]) for v in values] == [("loss", 1), ("train/lr", 1), ("train/lr", 3)]


def test_a_source_the_run_lacks_is_a_usage_error(run):
    result = runwrap("export", "exported", "--source", "system", "--dir", run)
    assert result.returncode == 2
    assert "system" in result.stderr and "sdk" in result.stderr


def test_tensorboard_export_reads_back_with_tensorboards_loader(run, tmp_path):
    pytest.importorskip("tensorboardX", reason="tensorboardX (the writer) is not installed")
    loader_mod = pytest.importorskip("tensorboard.backend.event_processing.event_file_loader",
                                     reason="tensorboard (the reader) is not installed")
    out = tmp_path / "tb"
    result = runwrap("export", "exported", "--format", "tensorboard", "-o", out, "--dir", run)
    assert result.returncode == 0, result.stderr
    files = list(out.glob("events.out.tfevents.*"))
    assert len(files) == 1
    scalars = {}
    for event in loader_mod.EventFileLoader(str(files[0])).Load():
        for value in event.summary.value:
            number = value.simple_value if value.HasField("simple_value") else \
                float(value.tensor.float_val[0])
            scalars.setdefault(value.tag, []).append((event.step, number))
    assert scalars["sdk/loss"][:2] == [(0, 1.0), (1, 0.5)]
    assert math.isnan(scalars["sdk/loss"][2][1])
    assert scalars["tensorboard/loss"] == [(1, pytest.approx(0.55))]
    assert scalars["train/lr"] == [(1, pytest.approx(0.01)), (3, pytest.approx(0.001))]
    assert "note" not in scalars  # text is not a scalar


def test_tensorboard_export_without_a_directory_says_so(run):
    result = runwrap("export", "exported", "--format", "tensorboard", "--dir", run)
    assert result.returncode == 2 and "-o DIR" in result.stderr


def _peak_rss_of_export(store, run_ref, out):
    code = ("import resource, sys; from runwrap.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    import subprocess
    result = subprocess.run([sys.executable, "-c", code, "export", run_ref, "--dir", str(store),
                             "-o", str(out)], capture_output=True, text=True, env=child_env())
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1]) * 1024


@pytest.mark.slow
def test_export_memory_does_not_grow_with_the_run(tmp_path):
    store = tmp_path / "store"
    for run_id, n in (("small001", 1_000), ("large001", 100_000)):
        run_dir = store / "p" / run_id
        (run_dir / "streams").mkdir(parents=True)
        (run_dir / "run.json").write_text(json.dumps({"id": run_id, "project": "p",
                                                      "status": "finished"}))
        writer = StreamWriter(stream_path(run_dir, "sdk"))
        writer.write_many({"_step": i, "_time": float(i), "loss": 1.0 / (i + 1), "acc": i * 1e-6,
                           "lr": 0.1, "grad_norm": 1.5} for i in range(n))
        writer.close()
    small = _peak_rss_of_export(store, "small001", tmp_path / "small.csv")
    large = _peak_rss_of_export(store, "large001", tmp_path / "large.csv")
    assert sum(1 for _ in open(tmp_path / "large.csv")) == 100_001
    # Holding 100x more rows in memory would cost well over 50 MB.
    assert large - small < 15 * 2**20, (small, large)
