"""store.readback: reading a run's streams back as long rows, wide rows and series."""
from __future__ import annotations

import math

from runwrap.store.readback import long_rows, metric_series, wide_columns, wide_rows
from runwrap.store.streams import StreamWriter, stream_path


def _write(run_dir, source, records, part=None):
    writer = StreamWriter(stream_path(run_dir, source, part))
    for r in records:
        writer.write(r)
    writer.close()


def test_wide_rows_join_sources_by_step_and_interleave_samples_by_time(tmp_path):
    _write(tmp_path, "sdk", [{"_step": 0, "_time": 10.0, "loss": 1.0},
                             {"_step": 1, "_time": 20.0, "loss": 0.5},
                             {"_step": 2, "_time": 30.0, "loss": 0.25}])
    _write(tmp_path, "stdout", [{"_step": 1, "_time": 20.5, "acc": 0.5}])
    _write(tmp_path, "system", [{"_time": 15.0, "cpu": 50.0}, {"_time": 25.0, "cpu": 60.0}])
    columns = wide_columns(tmp_path)
    assert [c.label for c in columns] == ["loss", "acc", "cpu"]
    rows = list(wide_rows(tmp_path, columns))
    assert [(r["_step"], r.get("loss"), r.get("acc"), r.get("cpu")) for r in rows] == [
        (0, 1.0, None, None), (None, None, None, 50.0), (1, 0.5, 0.5, None),
        (None, None, None, 60.0), (2, 0.25, None, None)]


def test_several_writers_of_one_source_merge_in_step_order(tmp_path):
    _write(tmp_path, "sdk", [{"_step": 0, "a": 0}, {"_step": 2, "a": 2}], part="rank0")
    _write(tmp_path, "sdk", [{"_step": 1, "b": 1}, {"_step": 2, "b": 2}], part="rank1")
    rows = list(wide_rows(tmp_path, wide_columns(tmp_path)))
    assert [(r["_step"], r.get("a"), r.get("b")) for r in rows] == [(0, 0, None), (1, None, 1), (2, 2, 2)]


def test_long_rows_decode_non_finite_values(tmp_path):
    _write(tmp_path, "sdk", [{"_step": 3, "_time": 1.0, "x": float("nan"), "y": float("-inf")}])
    rows = list(long_rows(tmp_path))
    assert rows[0][:5] == ("sdk", 3, 1.0, None, "x") and math.isnan(rows[0][5])
    assert rows[1][4:] == ("y", -math.inf)


def test_a_torn_last_line_is_not_read(tmp_path):
    _write(tmp_path, "sdk", [{"_step": 0, "x": 1}])
    with open(stream_path(tmp_path, "sdk"), "ab") as f:
        f.write(b'{"_step": 1, "x"')  # the writer was killed mid-record
    assert [r["_step"] for r in wide_rows(tmp_path, wide_columns(tmp_path))] == [0]


def test_series_takes_the_first_source_that_has_the_metric_and_sorts_by_x(tmp_path):
    _write(tmp_path, "stdout", [{"_step": 5, "loss": 9.0}])
    _write(tmp_path, "sdk", [{"_step": 2, "_runtime": 4.0, "loss": 0.5},
                             {"_step": 1, "_runtime": 2.0, "loss": 1.0},
                             {"_step": 3, "loss": "text"}])
    series = metric_series(tmp_path, "loss", ["sdk", "stdout"])
    assert (series.source, series.xs, series.ys) == ("sdk", [1.0, 2.0], [1.0, 0.5])
    by_time = metric_series(tmp_path, "loss", ["sdk"], x="time")
    assert by_time.xs == [2.0, 4.0]
    assert metric_series(tmp_path, "loss", ["stdout"]).ys == [9.0]
    assert metric_series(tmp_path, "nope", ["sdk", "stdout"]) is None


def test_downsampler_keeps_bucket_means_in_bounded_memory():
    from runwrap.store.readback import Downsampler

    d = Downsampler(10)
    for i in range(100_000):
        d.add(float(i))
    values = d.values()
    assert 10 <= len(values) <= 20
    assert values == sorted(values)
    assert values[0] < 5000 and values[-1] > 95_000
    small = Downsampler(10)
    for v in (1.0, 2.0, 3.0):
        small.add(v)
    assert small.values() == [1.0, 2.0, 3.0]


def test_metric_sketches_read_each_metric_for_sparklines(tmp_path):
    from runwrap.cli.charts import sparkline
    from runwrap.store.readback import metric_sketches

    _write(tmp_path, "sdk", [{"_step": i, "loss": 1.0 / (i + 1), "note": "x", "bad": float("nan")}
                             for i in range(1000)])
    sketch = metric_sketches(tmp_path, buckets=20)
    assert set(sketch["sdk"]) == {"loss"}  # text and NaN-only metrics have no line
    line = sparkline(sketch["sdk"]["loss"], 20)
    assert len(line) == 20 and line[0] == "█" and line[-1] == "▁"
