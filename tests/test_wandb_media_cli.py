"""`runwrap show` lists media, `runwrap export --tables` writes tables as CSV, `runwrap plot`
draws a logged histogram's last state."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from sdk_harness import child_env, only_run, run_script

pytest.importorskip("numpy")
pytest.importorskip("PIL")

SCRIPT = """
    import numpy as np, runwrap as wandb
    run = wandb.init(project="p")
    for step in range(3):
        run.log({"loss": 1.0 / (step + 1), "img": wandb.Image(np.zeros((4, 6), dtype=np.uint8)),
                 "h": wandb.Histogram([step] * 3 + [10], num_bins=2)})
    t = wandb.Table(columns=["x", "pic"], data=[[1, wandb.Image(np.ones((2, 2), dtype=np.uint8))]])
    t.add_data(2, None)
    run.log({"eval/t": t, "chart": wandb.plot.bar(wandb.Table(columns=["c", "n"], data=[["a", 1]]), "c", "n")})
    run.finish()
"""


def runwrap_cli(tmp_path, *args):
    done = subprocess.run([sys.executable, "-m", "runwrap", *args], env=child_env(tmp_path / "store"),
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def test_show_lists_media_apart_from_metrics(tmp_path):
    assert run_script(tmp_path, SCRIPT).returncode == 0
    text = runwrap_cli(tmp_path, "show").stdout
    media = text.split("media (files under the run directory)")[1].splitlines()
    rows = {line.split()[0]: line.split() for line in media[2:] if line.strip()}
    assert rows["img"][1:5] == ["image-file", "3", "2", "6x4"]
    assert rows["eval/t"][1:5] == ["table-file", "1", "3", "2x2"]
    assert rows["chart"][1:3] == ["plot", "bar"]
    metrics = [line.split()[0] for line in text.split("media (")[0].splitlines() if line.strip()]
    assert "loss" in metrics and "img" not in metrics  # row names: the header's paths may hold "img"
    shown = json.loads(runwrap_cli(tmp_path, "show", "--json").stdout)
    assert shown["media"]["h"]["type"] == "histogram-file" and shown["media"]["h"]["count"] == 3


def test_export_tables_writes_csv_per_logged_table(tmp_path):
    assert run_script(tmp_path, SCRIPT).returncode == 0
    runwrap_cli(tmp_path, "export", "latest", "--tables", "-o", "out")
    with open(tmp_path / "out" / "eval" / "t_3.csv") as f:
        rows = list(csv.reader(f))
    run = only_run(tmp_path / "store")
    assert rows[0] == ["x", "pic"] and rows[2] == ["2", ""]
    assert rows[1][1].startswith("media/images/eval/t_3_") and (run / rows[1][1]).is_file()
    with open(tmp_path / "out" / "chart_3.csv") as f:
        assert list(csv.reader(f)) == [["c", "n"], ["a", "1"]]


def test_plot_draws_the_last_histogram_in_the_terminal(tmp_path):
    assert run_script(tmp_path, SCRIPT).returncode == 0
    lines = runwrap_cli(tmp_path, "plot", "latest", "-m", "h").stdout.splitlines()
    assert lines[0].endswith("step 2")
    assert lines[1].split()[:3] == ["[2,", "6)", "3"] and lines[2].split()[:3] == ["[6,", "10]", "1"]
    assert abs(lines[1].count("#") - 3 * lines[2].count("#")) <= 2  # bars scale with counts
