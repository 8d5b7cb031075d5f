"""The dashboard's series cache: a real `runwrap ui` over runs recorded by the real wrapper,
restarted over the cache it wrote; the cache deleted, damaged, outgrown and outlived."""
from __future__ import annotations

import json
import shutil

import pytest

from tools_support import make_run
from ui_support import UiServer, chromium_driver
from wrapper_harness import wait_for

POINTS = 10_000  # more than the cache keeps of a metric (2 × 2,048 buckets): it keeps a shape
SPIKE = 5_000


def records(n: int):
    for i in range(n):
        yield {"loss": 100.0 if i == SPIKE else 1.0 / (1 + i), "acc": i / n}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A finished run, recorded once; each test copies the store."""
    root = tmp_path_factory.mktemp("cache") / "store"
    make_run(root, records(POINTS), run_id="long", name="long")
    return root


@pytest.fixture
def store(recorded, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(recorded, root)
    return root


def cache_file(store):
    return store / ".cache" / "series" / "proj" / "long.series"


def sdk_stream(store):
    (path,) = (store / "proj" / "long" / "streams").glob("sdk*.jsonl")
    return path


def series(ui, query="metric=loss&run=proj/long&width=500"):
    status, _, body = ui.get("/api/series?" + query)
    assert status == 200, body
    return json.loads(body)["series"][0]


def assert_same_shape(chart, reference):
    """Real points only, the same extremes and last point, as many points within a few."""
    truth = {i: r["loss"] for i, r in enumerate(records(POINTS))}
    truth.update(zip(reference["xs"], reference["ys"]))
    assert all(truth[x] == y for x, y in zip(chart["xs"], chart["ys"]))
    assert max(chart["ys"]) == max(reference["ys"]) == 100.0
    assert chart["xs"][chart["ys"].index(100.0)] == SPIKE
    assert min(chart["ys"]) == min(reference["ys"])
    assert chart["xs"][-1] == reference["xs"][-1] and chart["ys"][-1] == reference["ys"][-1]
    assert abs(len(chart["xs"]) - len(reference["xs"])) <= len(reference["xs"]) // 20


def first_chart(store):
    """The whole run's chart of `loss` from a fresh server, and the server's cache afterwards."""
    ui = UiServer(store)
    try:
        chart = series(ui)
        assert wait_for(lambda: cache_file(store).exists(), timeout=30)
        return chart
    finally:
        ui.close()


def test_a_restarted_dashboard_draws_the_same_chart_from_its_cache(store):
    from_streams = first_chart(store)
    assert from_streams["count"] == POINTS
    size = cache_file(store).stat().st_size
    assert size < POINTS * 24  # the shape of the series, not every point

    ui = UiServer(store)
    try:
        from_cache = series(ui)
        assert from_cache["count"] < POINTS  # held: the cached shape only
        assert_same_shape(from_cache, from_streams)
        # a zoom is drawn from every point of the range, read from the streams
        zoom = series(ui, "metric=loss&run=proj/long&width=500&lo=4000&hi=4200")
        assert [x for x in zoom["xs"] if 4000 <= x <= 4200] == list(range(4000, 4201))
        metrics = json.loads(ui.get("/api/metrics?run=proj/long")[2])
        assert {"loss", "acc"} <= set(metrics["metrics"])
    finally:
        ui.close()


def test_a_deleted_cache_is_built_again_and_loses_nothing(store):
    first = first_chart(store)
    shutil.rmtree(store / ".cache")
    again = first_chart(store)
    assert again == first  # both from the streams
    assert cache_file(store).exists()


def test_a_damaged_cache_is_ignored_and_written_anew(store):
    first = first_chart(store)
    data = cache_file(store).read_bytes()
    for damaged in (data[:len(data) // 2], b"garbage\n" + data, data[:100] + b"\x00" * 50 + data[150:]):
        cache_file(store).write_bytes(damaged)
        ui = UiServer(store)
        try:
            assert series(ui) == first  # from the streams again, not from the damage
            assert wait_for(lambda: cache_file(store).read_bytes() != damaged, timeout=30)
        finally:
            ui.close()


def test_a_stream_grown_under_a_stale_cache_is_read_on_from_the_cached_offset(store):
    first_chart(store)
    stream = sdk_stream(store)
    with open(stream, "a") as f:
        for i in range(POINTS, POINTS + 3):
            f.write(json.dumps({"_step": i, "loss": -7.0 - i}) + "\n")
    stamp = cache_file(store).stat().st_mtime_ns
    ui = UiServer(store)
    try:
        chart = series(ui)
        assert chart["xs"][-1] == POINTS + 2 and chart["ys"][-1] == -7.0 - POINTS - 2
        assert min(chart["ys"]) == -7.0 - POINTS - 2
        assert max(chart["ys"]) == 100.0  # the cached part is still there
        # the cache is written again with the new records
        assert wait_for(lambda: cache_file(store).stat().st_mtime_ns != stamp, timeout=30)
    finally:
        ui.close()
    ui = UiServer(store)
    try:
        assert series(ui)["ys"][-1] == -7.0 - POINTS - 2
    finally:
        ui.close()


def test_a_stream_replaced_by_another_is_read_from_its_start(store):
    first_chart(store)
    stream = sdk_stream(store)
    stream.write_text("".join(json.dumps({"_step": i, "loss": 3.0}) + "\n" for i in range(POINTS + 50)))
    ui = UiServer(store)
    try:
        chart = series(ui)
        assert set(chart["ys"]) == {3.0} and chart["count"] == POINTS + 50
    finally:
        ui.close()


def test_a_browser_draws_the_chart_again_after_the_cache_is_deleted(store):
    first_chart(store)
    shutil.rmtree(store / ".cache")
    ui = UiServer(store)
    driver = chromium_driver()
    try:
        driver.get(ui.url + "#/charts?runs=proj/long")
        drawn = ("return document.querySelector('.chart[data-metric=\"loss\"]')?.dataset.series")
        assert wait_for(lambda: driver.execute_script(drawn) == "1", timeout=30)
        assert wait_for(lambda: cache_file(store).exists(), timeout=30)
    finally:
        driver.quit()
        ui.close()
