"""The stdout scalar collector: console lines in, records in streams/stdout.jsonl, live, in
order, and never an exception into the console path."""
from __future__ import annotations

import pytest

import math
import threading
import time
from pathlib import Path

from runwrap.collectors.base import CollectorContext
from runwrap.collectors.console.scalars import compile_patterns
from runwrap.collectors.console.collector import StdoutScalars
from runwrap.store.streams import read_records, stream_path
from runwrap.store.values import decode_value
from runwrap.wrap.collect import build_collectors
from runwrap.wrap.request import WrapOptions


def context(tmp_path: Path, start: float = None) -> CollectorContext:
    return CollectorContext(run_dir=tmp_path / "run", start_time=start or time.time(),
                            cwd=tmp_path, store_root=tmp_path)


def records(tmp_path: Path):
    return list(read_records(stream_path(tmp_path / "run", "stdout")))


def test_line_with_values_becomes_one_record_with_time_runtime_and_step(tmp_path):
    ctx = context(tmp_path, start=1000.0)
    collector = StdoutScalars(ctx, compile_patterns([]))
    collector.start()
    collector.feed_line("stdout", "epoch 3 loss: 0.41 acc=0.93", 1002.5)
    collector.feed_line("stderr", "warning: nothing to see", 1002.6)
    collector.feed_line("stderr", "lr=1e-3", 1003.0)
    collector.stop()
    # _runtime is monotonic (store/clock.py): equal to _time - start to the microsecond while
    # the wall clock does not step.
    assert records(tmp_path) == [
        {"_time": 1002.5, "_runtime": pytest.approx(2.5, abs=1e-3), "_step": 3, "epoch": 3,
         "loss": 0.41, "acc": 0.93},
        {"_time": 1003.0, "_runtime": pytest.approx(3.0, abs=1e-3), "lr": 1e-3},
    ]


def test_non_finite_values_round_trip(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    collector.feed_line("stdout", "a=nan b=inf c=-inf", time.time())
    collector.stop()
    (record,) = records(tmp_path)
    assert math.isnan(decode_value(record["a"]))
    assert decode_value(record["b"]) == math.inf and decode_value(record["c"]) == -math.inf


def test_a_record_is_on_disk_within_one_second_without_more_lines(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    collector.start()
    try:
        collector.feed_line("stdout", "loss=1", time.time())
        time.sleep(0.05)
        collector.feed_line("stdout", "loss=2", time.time())  # lands in the pending batch
        deadline = time.monotonic() + 1.0
        while len(records(tmp_path)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [r["loss"] for r in records(tmp_path)] == [1, 2]
    finally:
        collector.stop()


def test_many_lines_from_two_threads_all_land_in_order_per_thread(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    collector.start()

    def feed(stream: str) -> None:
        for i in range(3000):
            collector.feed_line(stream, f"{stream}_i={i}", time.time())

    threads = [threading.Thread(target=feed, args=(s,)) for s in ("out", "err")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    collector.stop()
    got = records(tmp_path)
    assert len(got) == 6000
    for stream in ("out", "err"):
        assert [r[f"{stream}_i"] for r in got if f"{stream}_i" in r] == list(range(3000))


def test_stop_writes_everything_pending_and_later_lines_are_ignored(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    for i in range(10):
        collector.feed_line("stdout", f"step={i} loss=0.5", time.time())
    collector.stop()
    collector.stop()  # idempotent
    collector.feed_line("stdout", "step=99 loss=0.5", time.time())
    assert [r["_step"] for r in records(tmp_path)] == list(range(10))


def test_no_file_is_created_when_no_line_holds_a_value(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    collector.start()
    collector.feed_line("stdout", "hello world", time.time())
    collector.stop()
    assert not stream_path(tmp_path / "run", "stdout").exists()


def test_unwritable_run_directory_is_counted_never_raised(tmp_path):
    blocker = tmp_path / "run"
    blocker.write_text("a file where the run directory should be")
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    collector.feed_line("stdout", "loss=1", time.time())
    collector.feed_line("stdout", "loss=2", None)  # a bad time: counted, not raised
    collector.stop()
    assert collector.problems().get("write_error") == 1
    assert collector.problems().get("error") == 1


def test_user_patterns_replace_the_defaults(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([r"val_loss:=vl (?P<value>\S+)"]))
    collector.feed_line("stdout", "loss=1 vl 0.25", 5.0)
    collector.stop()
    assert [{k: v for k, v in r.items() if not k.startswith("_")} for r in records(tmp_path)] \
        == [{"val_loss": 0.25}]


def scalar_collectors(options: WrapOptions, ctx: CollectorContext):
    return [c for c in build_collectors(options, ctx) if isinstance(c, StdoutScalars)]


def test_build_collectors_honours_no_scalars_and_scalars(tmp_path):
    ctx = context(tmp_path)
    quiet = dict(command=["x"], stats_interval=0, tensorboard_discovery=False)
    assert len(scalar_collectors(WrapOptions(**quiet), ctx)) == 1
    assert scalar_collectors(WrapOptions(**quiet, no_scalars=True), ctx) == []
    (collector,) = scalar_collectors(
        WrapOptions(**quiet, scalars=[r"(?P<key>\w+)~(?P<value>\d+)"]), ctx)
    collector.feed_line("stdout", "a~3 b=4", time.time())
    collector.stop()
    assert [r["a"] for r in records(tmp_path)] == [3] and "b" not in records(tmp_path)[0]


def test_a_header_step_carries_to_the_lines_after_it_and_is_no_record(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    for line in ["Epoch 1/2", "5/5 - 0s - loss: 0.5", "Epoch 2/2", "5/5 - 0s - loss: 0.25",
                 "-- Epoch 7", "Norm: 1.5, Avg. loss: 0.125"]:
        collector.feed_line("stdout", line, time.time())
    collector.stop()
    got = [(r.get("_step"), {k: v for k, v in r.items() if not k.startswith("_")})
           for r in records(tmp_path)]
    assert got == [(1, {"loss": 0.5}), (2, {"loss": 0.25}), (7, {"Norm": 1.5, "avg_loss": 0.125})]


def test_the_last_frame_of_each_step_counts_and_a_repeated_report_once(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    for line in ["\x00Epoch 0:  50%|#  | 2/4 [v_num=0, loss=0.9]",
                 "\x00Epoch 0: 100%|## | 4/4 [v_num=0, loss=0.5]",
                 "\x00Epoch 1:  50%|#  | 2/4 [v_num=0, loss=0.5]",
                 "Epoch 1: 100%|## | 4/4 [v_num=0, loss=0.25]",
                 "Epoch 1: 100%|## | 4/4 [v_num=0, loss=0.25]"]:
        collector.feed_line("stdout", line, time.time())
    collector.stop()
    got = [(r["_step"], r["loss"]) for r in records(tmp_path)]
    assert got == [(0, 0.5), (1, 0.25)]


def test_column_tables_and_boxed_tables_give_one_record_per_row_and_box(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    text = "\n".join([
        "epoch     train_loss  valid_loss  time    ",
        "0         0.466536    0.425456    00:00     ",
        "1         0.377636    0.368775    00:01     ",
        "Logging to /tmp/x",
        "---------------------------------",
        "| rollout/           |          |",
        "|    ep_rew_mean     | 22.6     |",
        "| time/              |          |",
        "|    fps             | 1046     |",
        "---------------------------------"])
    collector.feed_text("stdout", text, time.time())
    collector.stop()
    got = [(r.get("_step"), {k: v for k, v in r.items() if not k.startswith("_")})
           for r in records(tmp_path)]
    assert got == [(0, {"epoch": 0, "train_loss": 0.466536, "valid_loss": 0.425456}),
                   (1, {"epoch": 1, "train_loss": 0.377636, "valid_loss": 0.368775}),
                   (None, {"rollout/ep_rew_mean": 22.6, "time/fps": 1046})]


def test_a_table_with_a_ruler_and_a_number_column_as_the_step(tmp_path):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    for block in ["E    #       LOSS TEXTCAT  CATS_SCORE  SCORE ",
                  "---  ------  ------------  ----------  ------",
                  "  0       0          0.25       62.50    0.62",
                  "  5      10          2.39       62.50    0.62"]:
        collector.feed_text("stdout", block, time.time())  # spaCy prints row by row
    collector.stop()
    got = [(r.get("_step"), {k: v for k, v in r.items() if not k.startswith("_")})
           for r in records(tmp_path)]
    assert got == [
        (0, {"E": 0, "loss_textcat": 0.25, "CATS_SCORE": 62.5, "SCORE": 0.62}),
        (10, {"E": 5, "loss_textcat": 2.39, "CATS_SCORE": 62.5, "SCORE": 0.62})]


@pytest.mark.parametrize("heading", ["***** Eval results *****", "--- Eval ---", "### Eval ###",
                                     "Eval results:"])
def test_a_block_of_rows_printed_line_by_line_takes_its_step_row_and_the_end_gives_it(
        tmp_path, heading):
    collector = StdoutScalars(context(tmp_path), compile_patterns([]))
    for block in [heading, "  accuracy = 0.84", "  global_step = 343", "  loss = 0.49",
                  "done", heading, "  accuracy = 0.9"]:  # flushed line by line
        collector.feed_text("stdout", block, time.time())
    collector.stop()  # the last block ends with the stream
    got = [(r.get("_step"), {k: v for k, v in r.items() if not k.startswith("_")})
           for r in records(tmp_path)]
    assert got == [(343, {"eval/accuracy": 0.84}), (343, {"eval/loss": 0.49}),
                   (343, {"eval/accuracy": 0.9})]
