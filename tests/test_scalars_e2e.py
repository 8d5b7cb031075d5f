"""Scalars printed by a real program under the real `runwrap`: streams/stdout.jsonl value by
value, live while the program runs, the --scalars / --no-scalars options, and bad patterns."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

from runwrap.store.streams import read_records
from runwrap.store.values import decode_value
from wrapper_harness import Terminal

REPO = Path(__file__).resolve().parents[1]
LIGHT = ["--stats-interval", "0", "--no-tensorboard-discovery"]

MIXED = r"""
import sys
print("starting training on 1 device")
print("epoch 1 loss: 0.5 acc=0.75")
print("warming up... lr=1e-3", file=sys.stderr)
sys.stdout.write("loss=9.9\rloss=8.8\rloss=0.25\n")
print("{'loss': 0.125, 'epoch': 2, 'grad_norm': -inf}")
print("\x1b[32mstep=30\x1b[0m val/loss=nan")
print("time: 12:30:00 version=1.2.3")
sys.stdout.flush()
"""


def env() -> Dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [e.get("PYTHONPATH")] if p])
    return e


def runwrap(store: Path, cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runwrap", "--dir", str(store), *args],
                          cwd=cwd, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def only_run(store: Path) -> Path:
    (run,) = [p.parent for p in store.glob("*/*/run.json")]
    return run


def values(run: Path, source: str) -> List[Dict[str, Any]]:
    return [{k: decode_value(v) for k, v in r.items() if k not in ("_time", "_runtime")}
            for r in read_records(run / "streams" / f"{source}.jsonl")]


def test_a_program_printing_mixed_lines_gives_the_values_it_printed(tmp_path):
    (tmp_path / "train.py").write_text(MIXED)
    done = runwrap(tmp_path / "store", tmp_path, *LIGHT, "--", sys.executable, "train.py")
    assert done.returncode == 0, done.stderr
    assert b"epoch 1 loss: 0.5 acc=0.75" in done.stdout  # the console is untouched
    run = only_run(tmp_path / "store")
    got = values(run, "stdout")
    # stderr and stdout are two pipes: their lines may interleave either way.
    got.remove({"lr": 1e-3})
    assert str(got[-1].pop("val/loss")) == "nan"
    assert got[-2].pop("grad_norm") == float("-inf")
    assert got == [
        {"_step": 1, "epoch": 1, "loss": 0.5, "acc": 0.75},
        {"loss": 0.25},  # only the line's final state; the \r frames before it are not parsed
        {"_step": 2, "loss": 0.125, "epoch": 2},
        {"_step": 30, "step": 30},
    ]
    records = list(read_records(run / "streams" / "stdout.jsonl"))
    assert all(r["_runtime"] >= 0 and r["_time"] > 1e9 for r in records)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["stdout"]["loss"]["last"] == 0.125 and summary["stdout"]["loss"]["count"] == 3


def test_a_printed_value_is_in_the_run_directory_within_a_second_while_the_program_runs(
        tmp_path):
    release = tmp_path / "release"
    (tmp_path / "train.py").write_text(f"""
import os, sys, time
print("step=1 loss=0.5", flush=True)
end = time.time() + 30
while not os.path.exists({str(release)!r}) and time.time() < end:
    time.sleep(0.02)
print("step=2 loss=0.25", flush=True)
""")
    proc = subprocess.Popen([sys.executable, "-m", "runwrap", "--dir", str(tmp_path / "store"),
                             *LIGHT, "--", sys.executable, "train.py"], cwd=tmp_path, env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        found: List[Dict[str, Any]] = []
        while time.monotonic() < deadline and not found:
            for stream in (tmp_path / "store").glob("*/*/streams/stdout.jsonl"):
                found = list(read_records(stream))
            time.sleep(0.02)
        seen = time.time()
        assert found, "no stdout record while the program ran"
        assert proc.poll() is None  # the program is still waiting
        assert found[0]["loss"] == 0.5 and found[0]["_step"] == 1
        assert seen - found[0]["_time"] < 1.0
    finally:
        release.write_text("go")
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert [r["loss"] for r in values(only_run(tmp_path / "store"), "stdout")] == [0.5, 0.25]


def test_scalars_patterns_replace_the_defaults_and_no_scalars_turns_parsing_off(tmp_path):
    (tmp_path / "train.py").write_text(
        "print('loss=1 | validation loss 0.5 | [7] acc 0.9')\n")
    done = runwrap(tmp_path / "a", tmp_path, *LIGHT,
                   "--scalars", r"val_loss:=validation loss (?P<value>\S+)",
                   "--scalars", r"\[(?P<step>\d+)\] acc (?P<acc>\S+)",
                   "--", sys.executable, "train.py")
    assert done.returncode == 0, done.stderr
    assert values(only_run(tmp_path / "a"), "stdout") == [
        {"_step": 7, "val_loss": 0.5, "acc": 0.9}]

    done = runwrap(tmp_path / "b", tmp_path, *LIGHT, "--no-scalars", "--",
                   sys.executable, "train.py")
    assert done.returncode == 0, done.stderr
    assert not (only_run(tmp_path / "b") / "streams" / "stdout.jsonl").exists()


def test_an_invalid_scalars_pattern_exits_2_naming_it_before_anything_is_written(tmp_path):
    done = runwrap(tmp_path / "store", tmp_path, *LIGHT, "--scalars", "loss=(?P<value>[0-9",
                   "--", sys.executable, "-c", "print('never run')")
    assert done.returncode == 2
    assert "loss=(?P<value>[0-9" in done.stderr.decode()
    assert b"never run" not in done.stdout
    assert not list((tmp_path / "store").glob("*/*/run.json"))


# Lightning 2.6.6's RichProgressBar on pipes (rich 15, no COLUMNS: 80 columns), as
# `Trainer(max_epochs=3).fit(...)` printed it under runwrap: the last epoch's bar, its metrics
# wrapped onto indented lines below the `Epoch 2/2` header.
LIGHTNING_RICH_80 = (
    "Epoch 2/2  " + "\u2501" * 18 + " 4/4 0:00:00 \u2022 0:00:00 70.93it/s v_num: 0.000      \n"
    + " " * 62 + "train_loss: 0.085 \n"
    + " " * 62 + "val_loss: 0.053   \n")


def test_metrics_wrapped_under_an_epoch_header_take_its_step(tmp_path):
    (tmp_path / "bar.txt").write_text(LIGHTNING_RICH_80, encoding="utf-8")
    done = runwrap(tmp_path / "store", tmp_path, *LIGHT, "--", "cat", "bar.txt")
    assert done.returncode == 0, done.stderr
    got = values(only_run(tmp_path / "store"), "stdout")
    assert got == [{"_step": 2, "train_loss": 0.085}, {"_step": 2, "val_loss": 0.053}]


CRASHES = r"""
import sys
print("epoch 1 loss: 0.5")
sys.stdout.flush()
def fit(x, epochs, validation_split):
    raise ValueError(f"bad input lr=10 for {x}")
try:
    fit(1, epochs=3, validation_split=0.25)
except ValueError:
    import traceback
    traceback.print_exc(file=sys.stdout)
print("epoch 2 loss: 0.25")
sys.stdout.flush()
fit(2, epochs=4, validation_split=0.5)
"""


def test_a_traceback_quoting_source_code_gives_no_values(tmp_path):
    # Python quotes the failing lines (`fit(1, epochs=3, validation_split=0.25)`) and the
    # exception's message: neither is a value the program reported.
    (tmp_path / "train.py").write_text(CRASHES)
    done = runwrap(tmp_path / "store", tmp_path, *LIGHT, "--", sys.executable, "train.py")
    assert done.returncode == 1 and b"epochs=4, validation_split=0.5" in done.stderr
    got = values(only_run(tmp_path / "store"), "stdout")
    assert got == [{"_step": 1, "epoch": 1, "loss": 0.5}, {"_step": 2, "epoch": 2, "loss": 0.25}]


def test_the_example_training_script_gives_one_record_per_epoch_in_step_order(tmp_path):
    # A '\r' progress bar per epoch, then '\repoch N loss: X acc=Y' and a newline.
    done = runwrap(tmp_path / "store", tmp_path, *LIGHT, "--", sys.executable,
                   str(REPO / "examples" / "train.py"), "--epochs", "4", "--steps", "6")
    assert done.returncode == 0, done.stderr
    got = values(only_run(tmp_path / "store"), "stdout")
    assert [r.get("_step") for r in got] == [1, 2, 3, 4], got
    assert all("acc" in r for r in got), got


TQDM_ON_A_TINY_TERMINAL = r"""
from tqdm import tqdm
for epoch in range(2):
    for _ in tqdm(range(50), desc="train"):
        pass
    print(f"epoch {epoch} loss: 0.{epoch + 3}")
"""


def test_tqdm_without_its_bar_on_a_one_column_terminal_gives_no_value(tmp_path):
    # On a 1x1 terminal tqdm drops its bar: `train: 100% 50/50 [...]` is a position, no metric.
    store = tmp_path / "store"
    (tmp_path / "train.py").write_text(TQDM_ON_A_TINY_TERMINAL)
    term = Terminal(["--dir", str(store), *LIGHT, sys.executable, "train.py"], cwd=tmp_path,
                    rows=1, cols=1, env=env())
    try:
        assert term.wait(60) == 0, term.output[-2000:]
    finally:
        term.close()
    assert b"train: 100% 50/50" in term.output
    assert values(only_run(store), "stdout") == [
        {"_step": 0, "epoch": 0, "loss": 0.3}, {"_step": 1, "epoch": 1, "loss": 0.4}]
