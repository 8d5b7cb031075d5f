"""Metrics files the program writes: JSON Lines and CSV followed live into streams/files.jsonl,
through late creation, growth, torn lines, truncation, rotation and garbage."""
from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from runwrap.notices import warn_once
from runwrap.collectors.base import CollectorContext
from runwrap.collectors.metricfiles.tail import MAX_LINE
from runwrap.collectors.metricfiles.collector import MetricsFiles
from runwrap.store.streams import read_records, stream_path
from runwrap.store.values import decode_value
from wrapper_harness import wait_for


@pytest.fixture
def work(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


def follow(tmp_path: Path, work: Path, *patterns: str, start: float = None) -> MetricsFiles:
    """A started collector, as the wrapper starts it: a moment after the run (and the program
    that may already have written to its files) started."""
    ctx = CollectorContext(run_dir=tmp_path / "store" / "p" / "run", store_root=tmp_path / "store",
                           start_time=start or time.time() - 2, cwd=work)
    collector = MetricsFiles(ctx, list(patterns))
    collector.start()
    return collector


def records(tmp_path: Path) -> List[Dict[str, Any]]:
    return list(read_records(stream_path(tmp_path / "store" / "p" / "run", "files")))


def metrics(tmp_path: Path) -> List[Dict[str, Any]]:
    """Records without _time/_runtime, the part a test can predict."""
    return [{k: decode_value(v) for k, v in r.items() if k not in ("_time", "_runtime")}
            for r in records(tmp_path)]


def settle(collector: MetricsFiles) -> None:
    """Wait until the collector has looked at the files, and for new ones, twice since now: what
    it would do with them as they are, it has done."""
    polls, scans = collector.polls, collector.scans
    wait_for(lambda: collector.polls >= polls + 2 and collector.scans >= scans + 2,
             what="two more polls and scans of the metrics-files collector")


def append(path: Path, text: str) -> None:
    with open(path, "a") as f:
        f.write(text)


def test_jsonl_lines_appended_while_running_are_recorded_live(tmp_path, work):
    collector = follow(tmp_path, work, "metrics.jsonl")
    try:
        append(work / "metrics.jsonl", '{"step": 1, "loss": 0.5}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 1)
        append(work / "metrics.jsonl", '{"step": 2, "loss": 0.25}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 2)
    finally:
        collector.stop()
    assert metrics(tmp_path) == [
        {"_step": 1, "_file": "metrics.jsonl", "loss": 0.5},
        {"_step": 2, "_file": "metrics.jsonl", "loss": 0.25},
    ]
    first = records(tmp_path)[0]
    assert first["_runtime"] == pytest.approx(first["_time"] - collector.context.start_time,
                                              abs=1e-3)


def test_jsonl_numbers_are_metrics_nested_objects_flattened_other_values_left_out(tmp_path, work):
    # `_step` is the step; `step` then is an ordinary metric.
    append(work / "m.ndjson", '{"_step": 7, "step": 3, "train": {"loss": 1.5, "sub": {"x": 2}}, '
                              '"ok": true, "name": "run", "list": [1, 2], "_private": 1, '
                              '"bad": NaN, "big": Infinity, "n": null}\n')
    follow(tmp_path, work, "m.ndjson").stop()
    (record,) = metrics(tmp_path)
    assert math.isnan(record.pop("bad"))
    assert record == {"_step": 7, "_file": "m.ndjson", "step": 3, "train/loss": 1.5,
                      "train/sub/x": 2, "big": math.inf}


def test_csv_header_then_rows_non_numeric_cells_skipped(tmp_path, work):
    append(work / "log.csv", "step,loss,phase,acc\n1,0.5,train,\n2,nan,val,0.9\n")
    collector = follow(tmp_path, work, "log.csv")
    try:
        append(work / "log.csv", "3,0.125,train,1e-2\n")
        assert wait_for(lambda: len(records(tmp_path)) == 3)
    finally:
        collector.stop()
    got = metrics(tmp_path)
    assert math.isnan(got[1].pop("loss"))
    assert got == [{"_step": 1, "_file": "log.csv", "loss": 0.5},
                   {"_step": 2, "_file": "log.csv", "acc": 0.9},
                   {"_step": 3, "_file": "log.csv", "loss": 0.125, "acc": 0.01}]


def test_csv_quoted_cells_repeated_header_and_tsv(tmp_path, work):
    append(work / "a.csv", 'epoch,"val loss"\n1,"0.5"\nepoch,"val loss"\n2,0.25\n')
    append(work / "b.tsv", "step\tloss\n1\t3\n")
    follow(tmp_path, work, "a.csv", "b.tsv").stop()
    assert metrics(tmp_path) == [
        {"_file": "a.csv", "epoch": 1, "val loss": 0.5},
        {"_file": "a.csv", "epoch": 2, "val loss": 0.25},
        {"_step": 1, "_file": "b.tsv", "loss": 3},
    ]


def test_format_by_content_when_the_extension_says_nothing(tmp_path, work):
    append(work / "metrics.log", '{"loss": 1}\n')
    append(work / "table.txt", "loss,acc\n1,2\n")
    follow(tmp_path, work, "metrics.log", "table.txt").stop()
    assert metrics(tmp_path) == [{"_file": "metrics.log", "loss": 1},
                                 {"_file": "table.txt", "loss": 1, "acc": 2}]


def test_files_matching_a_glob_that_appear_after_the_start_are_followed(tmp_path, work):
    collector = follow(tmp_path, work, "logs/**/*.jsonl")
    try:
        settle(collector)  # the folders appear after the collector has looked
        (work / "logs" / "a").mkdir(parents=True)
        append(work / "logs" / "a" / "m.jsonl", '{"x": 1}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 1)
        append(work / "logs" / "b.jsonl", '{"x": 2}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 2)
    finally:
        collector.stop()
    assert sorted((r["_file"], r["x"]) for r in metrics(tmp_path)) == [
        (os.path.join("logs", "a", "m.jsonl"), 1), (os.path.join("logs", "b.jsonl"), 2)]


def test_a_torn_last_line_waits_for_its_end(tmp_path, work):
    collector = follow(tmp_path, work, "m.jsonl")
    try:
        append(work / "m.jsonl", '{"loss": 1.2')
        settle(collector)
        assert records(tmp_path) == []
        append(work / "m.jsonl", '5, "step": 4}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 1)
    finally:
        collector.stop()
    assert metrics(tmp_path) == [{"_step": 4, "_file": "m.jsonl", "loss": 1.25}]
    assert collector.problems() == {}


def test_a_step_that_is_no_integer_is_a_metric_and_no_step(tmp_path, work):
    append(work / "m.jsonl", '{"step": 0.5, "a": 1}\n{"step": "x", "a": 2}\n')
    append(work / "m.csv", "_step,step,a\n,3,1\n7,3,2\n")
    follow(tmp_path, work, "m.jsonl", "m.csv").stop()
    assert sorted(metrics(tmp_path), key=lambda r: (r["_file"], r["a"])) == [
        {"_step": 3, "_file": "m.csv", "a": 1},
        {"_step": 7, "_file": "m.csv", "step": 3, "a": 2},
        {"_file": "m.jsonl", "step": 0.5, "a": 1},
        {"_file": "m.jsonl", "a": 2},
    ]


def test_at_stop_a_last_line_without_newline_is_taken_if_it_parses(tmp_path, work):
    append(work / "m.jsonl", '{"a": 1}\n{"a": 2}')
    append(work / "m.csv", "a,b\n1,2\n3,4")
    follow(tmp_path, work, "m.jsonl", "m.csv").stop()
    assert sorted((r["_file"], r["a"]) for r in metrics(tmp_path)) == [
        ("m.csv", 1), ("m.csv", 3), ("m.jsonl", 1), ("m.jsonl", 2)]


def test_truncated_file_is_read_again_from_the_start(tmp_path, work):
    path = work / "m.csv"
    collector = follow(tmp_path, work, "m.csv")
    try:
        append(path, "step,loss\n1,0.9\n2,0.8\n3,0.7\n")
        assert wait_for(lambda: len(records(tmp_path)) == 3)
        with open(path, "w") as f:  # the program restarts and rewrites its log
            f.write("step,loss\n1,0.5\n")
        assert wait_for(lambda: len(records(tmp_path)) == 4)
    finally:
        collector.stop()
    assert [(r["_step"], r["loss"]) for r in metrics(tmp_path)] == [
        (1, 0.9), (2, 0.8), (3, 0.7), (1, 0.5)]


def test_rotated_file_is_finished_then_the_new_one_read_from_its_start(tmp_path, work):
    path = work / "train.jsonl"
    collector = follow(tmp_path, work, "train.jsonl")
    try:
        old = open(path, "a")
        old.write('{"i": 1}\n')
        old.flush()
        assert wait_for(lambda: len(records(tmp_path)) == 1)
        os.rename(path, work / "train.jsonl.1")
        old.write('{"i": 2}\n')  # still going to the rotated file
        old.close()
        append(path, '{"i": 3}\n{"i": 4}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 4)
    finally:
        collector.stop()
    assert [r["i"] for r in metrics(tmp_path)] == [1, 2, 3, 4]
    assert {r["_file"] for r in metrics(tmp_path)} == {"train.jsonl"}


def test_rotated_file_still_matching_the_pattern_is_not_read_twice(tmp_path, work):
    path = work / "m.jsonl"
    collector = follow(tmp_path, work, "*.jsonl*")
    try:
        append(path, '{"i": 1}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 1)
        os.rename(path, work / "m.jsonl.1")
        append(work / "m.jsonl.1", '{"i": 2}\n')
        append(path, '{"i": 3}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 3)
        settle(collector)  # the rotated file, still matching, has been looked at again
    finally:
        collector.stop()
    assert sorted(r["i"] for r in metrics(tmp_path)) == [1, 2, 3]


def test_garbage_lines_are_skipped_counted_and_warned_about_once(tmp_path, work, capfd):
    warn_once.forget("files.bad_line")  # warnings are once per process; start afresh
    append(work / "m.jsonl", '{"a": 1}\nnot json\n[1, 2]\n"str"\n{"a": 2}\n\n  \n{"a":\n{"a": 3')
    append(work / "m.csv", "x,y\n1,2\n1,2,3\n4\n5,6\n")
    collector = follow(tmp_path, work, "m.jsonl", "m.csv")
    collector.stop()
    assert sorted((r["_file"], r.get("a", r.get("x"))) for r in metrics(tmp_path)) == [
        ("m.csv", 1), ("m.csv", 5), ("m.jsonl", 1), ("m.jsonl", 2)]
    # Four JSON lines and two CSV rows are garbage; the unfinished `{"a": 3` at the very end
    # is a torn tail, not garbage: it is left out without being counted.
    assert collector.problems() == {"bad_line": 6}
    err = capfd.readouterr().err
    assert err.count("runwrap: warning: metrics file") == 1, err


def test_a_line_longer_than_the_limit_is_skipped_and_reading_goes_on(tmp_path, work):
    with open(work / "m.jsonl", "w") as f:
        f.write('{"a": 1}\n{"x": "' + "y" * (MAX_LINE + 10) + '"}\n{"a": 2}\n')
    collector = follow(tmp_path, work, "m.jsonl")
    collector.stop()
    assert [r["a"] for r in metrics(tmp_path)] == [1, 2]


def test_content_from_before_the_run_is_left_out_but_the_csv_header_is_kept(tmp_path, work):
    append(work / "old.csv", "step,loss\n1,0.9\n")
    append(work / "old.jsonl", '{"loss": 0.9}\n')
    past = time.time() - 60
    for name in ("old.csv", "old.jsonl"):
        os.utime(work / name, (past, past))
    collector = follow(tmp_path, work, "old.*", start=past + 30)
    try:
        append(work / "old.csv", "2,0.5\n")
        append(work / "old.jsonl", '{"loss": 0.5}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 2)
    finally:
        collector.stop()
    assert sorted((r["_file"], r["loss"]) for r in metrics(tmp_path)) == [
        ("old.csv", 0.5), ("old.jsonl", 0.5)]


def test_the_run_store_is_never_read_even_when_a_glob_matches_it(tmp_path, work):
    store = work / "runwrap-runs"
    ctx = CollectorContext(run_dir=store / "p" / "run", store_root=store,
                           start_time=time.time(), cwd=work)
    append(work / "m.jsonl", '{"a": 1}\n')
    collector = MetricsFiles(ctx, ["**/*.jsonl"])
    collector.start()
    wait_for(lambda: stream_path(ctx.run_dir, "files").exists())
    # Polls and scans since our own files.jsonl exists: it must not have been read.
    polls, scans = collector.polls, collector.scans
    wait_for(lambda: collector.polls >= polls + 2 and collector.scans >= scans + 2)
    collector.stop()
    assert [r["a"] for r in read_records(stream_path(ctx.run_dir, "files"))] == [1]


def test_missing_files_and_directories_are_no_problem(tmp_path, work):
    (work / "dir.jsonl").mkdir()
    collector = follow(tmp_path, work, "nothing.jsonl", "dir.jsonl", "/nonexistent/*.csv")
    settle(collector)
    collector.stop()
    assert records(tmp_path) == [] and collector.problems() == {}


def test_a_csv_rewritten_whole_every_epoch_is_recorded_once_per_row(tmp_path, work):
    # pandas' DataFrame.to_csv(path) each epoch: open with "w", header and every row again.
    path = work / "history.csv"
    collector = follow(tmp_path, work, "history.csv")
    try:
        for epoch in range(1, 6):
            with open(path, "w") as f:
                f.write("epoch,loss\n")
                for e in range(1, epoch + 1):
                    f.write(f"{e},{1 / e}\n")
            wait_for(lambda n=epoch: len(records(tmp_path)) == n)
    finally:
        collector.stop()
    assert [(r["epoch"], r["loss"]) for r in metrics(tmp_path)] == [
        (e, 1 / e) for e in range(1, 6)]


def test_a_file_replaced_by_a_longer_copy_renamed_over_it_is_recorded_once(tmp_path, work):
    path = work / "m.jsonl"
    collector = follow(tmp_path, work, "m.jsonl")
    try:
        for n in range(1, 5):
            tmp = work / "m.jsonl.tmp"
            tmp.write_text("".join(f'{{"i": {i}}}\n' for i in range(1, n + 1)))
            os.replace(tmp, path)
            wait_for(lambda n=n: len(records(tmp_path)) == n)
    finally:
        collector.stop()
    assert [r["i"] for r in metrics(tmp_path)] == [1, 2, 3, 4]


def test_a_file_rewritten_longer_with_other_content_is_read_from_the_start(tmp_path, work):
    path = work / "m.jsonl"
    collector = follow(tmp_path, work, "m.jsonl")
    try:
        path.write_text('{"run": 1, "i": 1}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 1)
        path.write_text('{"run": 2, "i": 1}\n{"run": 2, "i": 2}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 3)
    finally:
        collector.stop()
    assert [(r["run"], r["i"]) for r in metrics(tmp_path)] == [(1, 1), (2, 1), (2, 2)]


def test_lines_the_writer_adds_to_a_rotated_file_after_the_rotation_are_kept(tmp_path, work):
    path = work / "train.jsonl"
    collector = follow(tmp_path, work, "train.jsonl")
    try:
        old = open(path, "a")
        old.write('{"i": 1}\n')
        old.flush()
        assert wait_for(lambda: len(records(tmp_path)) == 1)
        os.rename(path, work / "train.jsonl.1")
        append(path, '{"i": 3}\n')
        assert wait_for(lambda: len(records(tmp_path)) == 2)  # the rotation has been seen
        old.write('{"i": 2}\n')  # the writer had not switched files yet
        old.close()
        assert wait_for(lambda: len(records(tmp_path)) == 3)
    finally:
        collector.stop()
    assert sorted(r["i"] for r in metrics(tmp_path)) == [1, 2, 3]
