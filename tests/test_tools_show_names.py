"""`runwrap show` keeps long metric names distinguishable when the table is narrow."""
from __future__ import annotations

from tools_support import child_env, make_run, runwrap


def test_show_drops_the_shared_folder_and_keeps_names_apart(store):
    base = "out/runs/Nov28_06-23-50_somehost/"
    keys = [base + "train/loss", base + "train/grad_norm", base + "eval/loss",
            base + "eval/runtime_per_sample_in_seconds"]
    make_run(store, [{k: float(i) for k in keys} for i in range(3)], run_id="r1", name="n1")
    # Not a terminal (captured pipes) and a narrow window, as in a CI log.
    result = runwrap("show", "r1", env=child_env(COLUMNS="60"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("metrics from sdk"))
    assert lines[header] == f"metrics from sdk (names under {base})"
    shown = [line.split()[0] for line in lines[header + 2:header + 2 + len(keys)]]
    assert len(set(shown)) == len(keys)
    assert set(shown) >= {"train/loss", "eval/loss", "train/grad_norm"}
    assert all(len(line) <= 60 for line in lines[header + 1:])


def test_show_keeps_apart_names_that_differ_only_in_the_middle(store):
    # Hugging Face Trainer's TensorBoard names: cut in the middle at the same place, both
    # read `train/train_…_per_second`.
    keys = ["train/train_samples_per_second", "train/train_steps_per_second",
            "train/train_loss", "eval/samples_per_second"]
    make_run(store, [{k: 7870464.0 + i for k in keys} for i in range(3)], run_id="r2", name="n2")
    result = runwrap("show", "r2", env=child_env(COLUMNS="100"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("metrics from sdk"))
    shown = [line.split()[0] for line in lines[header + 2:header + 2 + len(keys)]]
    assert any("…" in name for name in shown), lines  # the window is narrow enough to cut
    assert len(set(shown)) == len(keys), shown
    assert all(len(line) <= 100 for line in lines[header + 1:])
