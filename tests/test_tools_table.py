"""cli.table: tables that fit the terminal, and the same rows as CSV."""
from __future__ import annotations

import csv
import io
import math

from runwrap.cli.table import human_duration, human_size, render_csv, render_table


def test_columns_align_and_numbers_are_right_aligned():
    text = render_table(["name", "loss"], [["a", 0.5], ["longer-name", 12.25]], width=80)
    lines = text.splitlines()
    assert lines[0] == "name          loss"
    assert lines[1] == "a              0.5"
    assert lines[2] == "longer-name  12.25"


def test_a_wide_table_shrinks_its_widest_columns_and_marks_cuts():
    rows = [["x" * 60, "y" * 10, 1.0]]
    text = render_table(["a", "b", "c"], rows, width=40)
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "…" in text.splitlines()[1]
    assert "y" * 10 in text  # the narrow column is untouched


def test_missing_and_special_values():
    text = render_table(["v"], [[None], [float("nan")], [float("-inf")], [True]], width=20)
    assert text.splitlines()[1:] == ["", "nan", "-inf", "true"]


def test_csv_round_trips_through_the_csv_module():
    rows = [["a,b", 1.5, None, float("nan"), {"k": [1, 2]}], ['quote "q"', -2, "", math.inf, []]]
    back = list(csv.reader(io.StringIO(render_csv(["s", "n", "e", "f", "j"], rows))))
    assert back[0] == ["s", "n", "e", "f", "j"]
    assert back[1] == ["a,b", "1.5", "", "nan", '{"k": [1, 2]}']
    assert back[2] == ['quote "q"', "-2", "", "inf", "[]"]
    assert math.isnan(float(back[1][3]))


def test_human_sizes_and_durations():
    assert human_size(512) == "512 B" and human_size(1536) == "1.5 KB"
    assert human_size(3 * 2**30) == "3.0 GB"
    assert human_duration(59.6) == "1m00s" and human_duration(3725) == "1h02m"
    assert human_duration(None) == ""


def test_a_middle_cut_column_keeps_both_ends():
    names = ["out/runs/Nov28_06-23-50_host/train/loss", "out/runs/Nov28_06-23-50_host/eval/loss"]
    text = render_table(["metric", "v"], [[n, 1.0] for n in names], width=30, middle_cut=(0,))
    cells = [line.split()[0] for line in text.splitlines()[1:]]
    assert len(set(cells)) == 2  # still told apart
    assert all(c.startswith("out/") and c.endswith("/loss") and "…" in c for c in cells)
