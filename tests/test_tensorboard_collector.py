"""The TensorBoard collector: real writers write event files, the collector turns them into
`streams/tensorboard.jsonl` records, live, named by subfolder, and counts what it skips."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from runwrap.collectors import dirwatch
from runwrap.collectors.base import CollectorContext
from runwrap.collectors.tensorboard.collector import OLD_FILE_SLACK, TensorBoardCollector
from runwrap.collectors.tensorboard.framing import RecordReader, encode_record
from runwrap.store.streams import read_records
from wrapper_harness import wait_for

tensorboardX = pytest.importorskip("tensorboardX")


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def make_context(tmp_path: Path, start_time: float = 0.0) -> CollectorContext:
    run_dir = tmp_path / "store" / "proj" / "run1"
    run_dir.mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return CollectorContext(run_dir=run_dir, start_time=start_time or time.time() - 1,
                            cwd=work, store_root=tmp_path / "store")


def records(ctx: CollectorContext) -> list:
    path = ctx.run_dir / "streams" / "tensorboard.jsonl"
    return list(read_records(path)) if path.exists() else []


def values_of(recs: list, name: str) -> list:
    return [(r["_step"], r[name]) for r in recs if name in r]


def test_subfolder_writers_are_named_by_folder_and_read_value_by_value(tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    ctx = make_context(tmp_path)
    logdir = ctx.cwd / "logs"
    written = {"train/loss": [], "eval/loss": [], "train/acc": []}
    with tensorboardX.SummaryWriter(str(logdir / "train")) as train, \
            tensorboardX.SummaryWriter(str(logdir / "eval")) as evaluation:
        for step in range(200):
            train.add_scalar("loss", 2.0 / (step + 1), step)
            train.add_scalar("acc", step / 200, step)
            written["train/loss"].append((step, f32(2.0 / (step + 1))))
            written["train/acc"].append((step, f32(step / 200)))
            if step % 10 == 0:
                evaluation.add_scalar("loss", 3.0 / (step + 1), step)
                written["eval/loss"].append((step, f32(3.0 / (step + 1))))
    collector = TensorBoardCollector(ctx, ["logs"], discovery=False)
    collector.start()
    collector.stop()
    recs = records(ctx)
    for name, expected in written.items():
        assert values_of(recs, name) == expected
    # `_time` is the event's wall_time, as TensorBoard itself reads it.
    (train_file,) = (logdir / "train").iterdir()
    times = [e.wall_time for e in EventFileLoader(str(train_file)).Load() if e.summary.value]
    assert [r["_time"] for r in recs if "train/loss" in r or "train/acc" in r] == times
    assert all(r["_runtime"] == pytest.approx(r["_time"] - ctx.start_time) for r in recs)
    assert collector.problems() == {}


def test_records_land_while_the_file_is_being_written(tmp_path):
    """Records of a real tensorboardX file, appended one at a time into a folder that appears
    after the collector started: each must be in the stream within a second of its write.
    (tensorboardX's own flush() lags one event behind, so it cannot time this precisely.)"""
    ctx = make_context(tmp_path)
    source = tmp_path / "source"
    with tensorboardX.SummaryWriter(str(source)) as writer:
        for step in range(4):
            writer.add_scalar("loss", float(step), step)
    (source_file,) = source.iterdir()
    chunks = [encode_record(data) for data in RecordReader(source_file).read()]
    collector = TensorBoardCollector(ctx, [], discovery=True)
    collector.start()
    try:
        assert collector.wait_ready()
        target = ctx.cwd / "runs" / "exp1" / source_file.name
        target.parent.mkdir(parents=True)
        with open(target, "ab", buffering=0) as f:
            f.write(chunks[0])  # file_version: no scalars
            for step, chunk in enumerate(chunks[1:]):
                f.write(chunk)
                wait_for(lambda: len(records(ctx)) == step + 1)
        assert values_of(records(ctx), "runs/exp1/loss") == [(s, float(s)) for s in range(4)]
    finally:
        collector.stop()


def test_half_flushed_records_are_completed_on_a_later_read(tmp_path):
    """tensorboardX's buffer cuts records mid-way; we write a real file in two halves."""
    ctx = make_context(tmp_path)
    source = tmp_path / "source"
    with tensorboardX.SummaryWriter(str(source)) as writer:
        for step in range(50):
            writer.add_scalar("x", step * 1.5, step)
    (source_file,) = source.iterdir()
    data = source_file.read_bytes()
    target = ctx.cwd / "logs" / source_file.name
    target.parent.mkdir()
    target.write_bytes(data[: len(data) // 2 + 3])
    collector = TensorBoardCollector(ctx, ["logs"], discovery=False)
    collector.start()
    try:
        assert collector.wait_ready()
        first = len(records(ctx))
        assert 0 < first < 50
        with open(target, "ab") as f:
            f.write(data[len(data) // 2 + 3:])
        wait_for(lambda: len(records(ctx)) == 50)
    finally:
        collector.stop()
    assert values_of(records(ctx), "x") == [(s, s * 1.5) for s in range(50)]


def test_discovery_skips_hidden_folders_the_store_old_files_and_deep_folders(tmp_path):
    ctx = make_context(tmp_path, start_time=time.time() - 1)
    work = ctx.cwd
    ctx.store_root = work / "store"  # the run store inside the working directory
    for folder in ("found", ".hidden", "store/proj/run0", "a/b/c/d/e/f/g", "old"):
        with tensorboardX.SummaryWriter(str(work / folder)) as writer:
            writer.add_scalar("v", 1.0, 0)
    (old_file,) = (work / "old").iterdir()
    os.utime(old_file, (time.time() - 3600, time.time() - 3600))  # an earlier run's file
    collector = TensorBoardCollector(ctx, [], discovery=True)
    collector.start()
    collector.stop()
    names = {k for r in records(ctx) for k in r if not k.startswith("_")}
    assert names == {"found/v"}


def test_files_appearing_after_start_are_discovered(tmp_path):
    ctx = make_context(tmp_path)
    collector = TensorBoardCollector(ctx, [], discovery=True)
    collector.start()
    try:
        assert collector.wait_ready()
        for folder in ("x/y", "z"):
            with tensorboardX.SummaryWriter(str(ctx.cwd / folder)) as writer:
                writer.add_scalar("m", 7.0, 3)
        wait_for(lambda: len(records(ctx)) == 2)
    finally:
        collector.stop()
    assert sorted(k for r in records(ctx) for k in r if not k.startswith("_")) == ["x/y/m", "z/m"]


def test_explicit_folder_created_later_is_picked_up(tmp_path):
    ctx = make_context(tmp_path)
    collector = TensorBoardCollector(ctx, [str(tmp_path / "elsewhere" / "tb")], discovery=False)
    collector.start()
    try:
        assert collector.wait_ready()
        with tensorboardX.SummaryWriter(str(tmp_path / "elsewhere" / "tb" / "val")) as writer:
            writer.add_scalar("acc", 0.5, 1)
        wait_for(lambda: len(records(ctx)) == 1, timeout=10)
    finally:
        collector.stop()
    assert values_of(records(ctx), "val/acc") == [(1, 0.5)]


def test_stop_reads_everything_written_before_it(tmp_path):
    ctx = make_context(tmp_path)
    collector = TensorBoardCollector(ctx, [], discovery=True)
    collector.start()
    with tensorboardX.SummaryWriter(str(ctx.cwd / "tb")) as writer:
        for step in range(1000):
            writer.add_scalar("loss", step, step)
    collector.stop()  # no waiting: the final read must get it all
    assert values_of(records(ctx), "tb/loss") == [(s, float(s)) for s in range(1000)]


def test_stop_during_a_long_read_loses_and_repeats_nothing(tmp_path):
    ctx = make_context(tmp_path)
    source = tmp_path / "source"
    with tensorboardX.SummaryWriter(str(source)) as writer:
        for step in range(12000):
            writer.add_scalar("v", step, step)
    (source_file,) = source.iterdir()
    for attempt in range(3):  # stop at different moments of the thread's read
        target = ctx.cwd / f"tb{attempt}"
        target.mkdir()
        (target / source_file.name).write_bytes(source_file.read_bytes())
        collector = TensorBoardCollector(ctx, [str(target)], discovery=False, part=str(attempt))
        collector.start()
        time.sleep(0.05 * attempt)
        collector.stop()
        path = ctx.run_dir / "streams" / f"tensorboard.{attempt}.jsonl"
        assert [r["_step"] for r in read_records(path)] == list(range(12000))


def test_corrupted_record_is_counted_and_later_values_all_arrive(tmp_path):
    ctx = make_context(tmp_path)
    logdir = ctx.cwd / "tb"
    with tensorboardX.SummaryWriter(str(logdir)) as writer:
        for step in range(100):
            writer.add_scalar("loss", step, step)
    (path,) = logdir.iterdir()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55
    path.write_bytes(bytes(data))
    collector = TensorBoardCollector(ctx, ["tb"], discovery=False)
    collector.start()
    collector.stop()
    steps = [s for s, _ in values_of(records(ctx), "loss")]
    assert len(steps) == 99 and steps[-1] == 99
    assert collector.problems() == {"crc": 1}


def test_other_plugins_are_counted_not_imported(tmp_path):
    import numpy as np

    ctx = make_context(tmp_path)
    with tensorboardX.SummaryWriter(str(ctx.cwd / "tb")) as writer:
        writer.add_scalar("loss", 0.5, 0)
        writer.add_histogram("w", np.arange(5.0), 0)
        writer.add_histogram("w", np.arange(5.0), 1)
        writer.add_image("img", np.zeros((3, 2, 2)), 0)
    collector = TensorBoardCollector(ctx, ["tb"], discovery=False)
    collector.start()
    collector.stop()
    assert [k for r in records(ctx) for k in r if not k.startswith("_")] == ["loss"]
    assert collector.problems() == {"other:histograms": 2, "other:images": 1}


def test_one_watchdog_observer_serves_every_collector(tmp_path):
    ctxs = [make_context(tmp_path / str(i)) for i in range(3)]
    collectors = [TensorBoardCollector(ctx, [], discovery=True) for ctx in ctxs]
    for c in collectors:
        c.start()
    try:
        for c in collectors:
            assert c.wait_ready()
        observers = [t for t in threading.enumerate() if type(t).__name__.endswith("Observer")]
        assert len(observers) == 1
    finally:
        for c in collectors:
            c.stop()
    assert dirwatch._observer is None  # stopped with its last subscriber


def test_torch_summary_writer_scalars(tmp_path):
    torch_tb = pytest.importorskip("torch.utils.tensorboard",
                                   reason="torch is not installed (optional)")
    ctx = make_context(tmp_path)
    writer = torch_tb.SummaryWriter(str(ctx.cwd / "torch"))
    for step in range(20):
        writer.add_scalar("plain", step / 7, step)
        writer.add_scalar("new_style", step / 7, step, new_style=True)
        writer.add_scalar("double", step / 7, step, new_style=True, double_precision=True)
    writer.close()
    collector = TensorBoardCollector(ctx, ["torch"], discovery=False)
    collector.start()
    collector.stop()
    recs = records(ctx)
    assert values_of(recs, "plain") == [(s, f32(s / 7)) for s in range(20)]
    assert values_of(recs, "new_style") == [(s, f32(s / 7)) for s in range(20)]
    assert values_of(recs, "double") == [(s, s / 7) for s in range(20)]


SCRIPT = """
import time
from tensorboardX import SummaryWriter
for name in ("train", "eval"):
    with SummaryWriter("logs/" + name) as w:
        for step in range(25):
            w.add_scalar("loss", 1.0 / (step + 1), step)
"""


def test_end_to_end_through_the_wrapper(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "script.py").write_text(SCRIPT)
    env = dict(os.environ)
    env.pop("RUNWRAP_DIR", None)
    # The store is inside the working directory, as with the default ./runwrap-runs.
    for _ in range(2):  # the second run must not import the first run's files
        result = subprocess.run([sys.executable, "-m", "runwrap", "--dir", "store", "--project",
                                 "p", sys.executable, "script.py"], cwd=work, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        time.sleep(OLD_FILE_SLACK + 0.1)
    run_dirs = sorted((p for p in (work / "store" / "p").iterdir() if p.is_dir()),
                      key=lambda p: json.loads((p / "run.json").read_text())["start_time"])
    assert len(run_dirs) == 2
    for run_dir in run_dirs:
        recs = list(read_records(run_dir / "streams" / "tensorboard.jsonl"))
        for name in ("logs/train/loss", "logs/eval/loss"):
            assert values_of(recs, name) == [(s, f32(1.0 / (s + 1))) for s in range(25)]
        assert len(recs) == 50
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["tensorboard"]["logs/train/loss"]["last"] == f32(1 / 25)
        assert "TensorBoardCollector" not in json.loads(
            (run_dir / "run.json").read_text()).get("skipped", {})


def test_working_directory_too_big_to_watch_is_rescanned_instead(tmp_path, monkeypatch):
    from runwrap.collectors.tensorboard import collector as tensorboard

    monkeypatch.setattr(tensorboard, "WATCH_TREE_LIMIT", 3)
    monkeypatch.setattr(tensorboard, "RESCAN_INTERVAL", 0.3)
    ctx = make_context(tmp_path)
    for i in range(5):
        (ctx.cwd / f"data{i}").mkdir()
    collector = TensorBoardCollector(ctx, [], discovery=True)
    collector.start()
    try:
        assert collector.wait_ready()
        assert collector._subscriptions == []  # nothing watched: the tree is too big
        with tensorboardX.SummaryWriter(str(ctx.cwd / "data3" / "tb")) as writer:
            writer.add_scalar("loss", 0.5, 7)
        wait_for(lambda: len(records(ctx)) == 1)
    finally:
        collector.stop()
    assert values_of(records(ctx), "data3/tb/loss") == [(7, 0.5)]


def test_log_folders_reported_in_run_json_are_watched_even_outside_the_cwd(tmp_path):
    """runwrap.init(sync_tensorboard=True) in a wrapped child lists its SummaryWriters' log
    folders in run.json `tensorboard_dirs`; the wrapper's collector reads them."""
    from runwrap.store import documents

    ctx = make_context(tmp_path)
    (ctx.run_dir / "run.json").write_text("{}")
    outside = tmp_path / "scratch" / "exp"
    collector = TensorBoardCollector(ctx, [], discovery=True)
    collector.start()
    try:
        assert collector.wait_ready()
        for name in ("train", "eval"):
            documents.update_json(ctx.run_dir / "run.json", lambda doc, n=name: doc.setdefault(
                "tensorboard_dirs", []).append(str(outside / n)))
            with tensorboardX.SummaryWriter(str(outside / name)) as writer:
                writer.add_scalar("loss", 1.0, 2)
        hidden = ctx.cwd / ".cache" / "tb"  # a folder discovery itself skips
        documents.update_json(ctx.run_dir / "run.json",
                              lambda doc: doc["tensorboard_dirs"].append(str(hidden)))
        with tensorboardX.SummaryWriter(str(hidden)) as writer:
            writer.add_scalar("acc", 0.5, 3)
        wait_for(lambda: len(records(ctx)) == 3)
    finally:
        collector.stop()
    recs = records(ctx)
    assert values_of(recs, "train/loss") == [(2, 1.0)]
    assert values_of(recs, "eval/loss") == [(2, 1.0)]
    assert values_of(recs, ".cache/tb/acc") == [(3, 0.5)]


SDK_SCRIPT = """
import sys
import runwrap
run = runwrap.init(sync_tensorboard=True)
from tensorboardX import SummaryWriter
with SummaryWriter(sys.argv[1]) as w:
    for step in range(10):
        w.add_scalar("loss", step / 10, step)
run.finish()
"""


def test_end_to_end_sdk_reported_log_folder_outside_the_cwd(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "script.py").write_text(SDK_SCRIPT)
    logdir = tmp_path / "elsewhere" / "exp" / "train"
    env = dict(os.environ)
    env.pop("RUNWRAP_DIR", None)
    result = subprocess.run([sys.executable, "-m", "runwrap", "--dir", str(tmp_path / "store"),
                             "--project", "p", sys.executable, "script.py", str(logdir)], cwd=work,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (run_dir,) = [p for p in (tmp_path / "store" / "p").iterdir() if p.is_dir()]
    recs = list(read_records(run_dir / "streams" / "tensorboard.jsonl"))
    assert values_of(recs, "train/loss") == [(s, f32(s / 10)) for s in range(10)]


SWEEP_SCRIPT = """
import time
from tensorboardX import SummaryWriter
created = time.time()
w = SummaryWriter("tb")
for step in range(3):
    w.add_scalar("loss", 1.0 / (step + 1), step)
w.close()
# Outlive the wall-clock second the writer's file name records: the next run starts later.
while time.time() < int(created) + 1.05:
    time.sleep(0.02)
"""


def test_a_sweep_loop_run_does_not_import_the_previous_runs_file(tmp_path):
    # `for lr in ...; do runwrap python train.py; done`: each run starts the moment the one
    # before ends, when that run's event file was modified well within the slack that coarse
    # file times are given.
    (tmp_path / "train.py").write_text(SWEEP_SCRIPT)
    env = dict(os.environ)
    env.pop("RUNWRAP_DIR", None)
    for run in ("first", "second"):
        for old in (tmp_path / "tb").glob("events.out.tfevents.*"):
            os.utime(old, None)  # as if its writer had closed it just now
        result = subprocess.run([sys.executable, "-m", "runwrap", "--dir", "store", "--project",
                                 "sweep", "--id", run, "--stats-interval", "0",
                                 sys.executable, "train.py"], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "tb").glob("events.out.tfevents.*"))) == 2
    for run in ("first", "second"):
        recs = list(read_records(tmp_path / "store" / "sweep" / run / "streams"
                                 / "tensorboard.jsonl"))
        assert [(r["_step"], r["tb/loss"]) for r in recs] == [
            (s, f32(1.0 / (s + 1))) for s in range(3)], run
