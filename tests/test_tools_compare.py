"""`runwrap compare` and run references, over real runs made by the wrapper."""
from __future__ import annotations

import csv
import io
import json

import pytest

from tools_support import curve, make_run, runwrap


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    store = tmp_path_factory.mktemp("compare") / "store"
    make_run(store, curve(20, rate=0.5), run_id="aaa11111", name="slow",
             config=["lr=0.1", "model.depth=4", "seed=1"])
    make_run(store, curve(20, rate=2.0), run_id="aaa22222", name="fast",
             config=["lr=0.3", "model.depth=4", "seed=1"])
    make_run(store, curve(10, rate=1.0) + [{"loss": float("nan")}], run_id="bbb33333",
             name="diverged", config=["lr=3.0", "model.depth=8", "seed=1"])
    return store


def test_compare_shows_only_config_keys_that_differ_and_last_metrics(three_runs):
    result = runwrap("compare", "--dir", three_runs)
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header[:4] == ["id", "name", "lr", "model.depth"]
    assert "seed" not in header  # the same in every run
    assert {"acc", "loss", "status", "duration"} <= set(header)
    assert len(result.stdout.splitlines()) == 4


def test_compare_chosen_metric_gets_last_min_max_and_sorts_descending(three_runs):
    result = runwrap("compare", "slow", "fast", "--metric", "loss", "--sort", "-loss",
                     "--csv", "--dir", three_runs)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["name"] for r in rows] == ["slow", "fast"]  # slow's last loss is higher
    assert float(rows[0]["max(loss)"]) == 1.0
    assert float(rows[1]["loss"]) == pytest.approx(1 / (1 + 2.0 * 19))
    assert float(rows[1]["min(loss)"]) == pytest.approx(1 / (1 + 2.0 * 19))


def test_compare_csv_round_trips_through_the_csv_module(three_runs):
    result = runwrap("compare", "--csv", "--sort", "lr", "--dir", three_runs)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["id", "name", "lr"]
    assert [r[1] for r in rows[1:]] == ["slow", "fast", "diverged"]
    by_name = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_name["diverged"]["loss"] == "nan"  # the last value logged was NaN
    assert by_name["fast"]["status"] == "finished"
    assert float(by_name["slow"]["duration"]) >= 0


def test_compare_json_has_config_metrics_and_status(three_runs):
    result = runwrap("compare", "aaa", "--json", "--dir", three_runs, "--metric", "acc")
    # `aaa` is a prefix of two runs: ambiguous, nothing printed on stdout
    assert result.returncode == 2
    assert "aaa11111" in result.stderr and "aaa22222" in result.stderr
    result = runwrap("compare", "aaa1", "bbb", "--json", "--dir", three_runs, "--metric", "acc")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == ["aaa11111", "bbb33333"]
    assert records[1]["config"]["model.depth"] == 8
    assert records[0]["metrics"]["acc"]["max"] == 1.0
    assert records[0]["status"] == "finished"


def test_unknown_run_exits_2_naming_recent_runs(three_runs):
    result = runwrap("compare", "nosuchrun", "--dir", three_runs)
    assert result.returncode == 2
    assert "nosuchrun" in result.stderr and "bbb33333" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_sort_by_unknown_column_names_the_choices(three_runs):
    result = runwrap("compare", "--sort", "bogus", "--dir", three_runs)
    assert result.returncode == 2
    assert "bogus" in result.stderr and "lr" in result.stderr


def test_table_fits_a_narrow_terminal(three_runs):
    env_result = runwrap("compare", "--dir", three_runs,
                         env=dict(__import__("tools_support").child_env(), COLUMNS="40"))
    assert env_result.returncode == 0
    assert all(len(line) <= 40 for line in env_result.stdout.splitlines())
