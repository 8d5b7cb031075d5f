"""`runwrap explain FILE|RUN`, through the real CLI: each console line beside the records the
grammar made of it, for a saved console and for a recorded run, with the run's patterns or
ones being tried."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONSOLE = (
    "Namespace(batch_size=64, lr=1.0)\n"
    "Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300285\n"
    "\n"
    "Test set: Average loss: 0.0335, Accuracy: 9782/10000 (98%)\n"
)


def runwrap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p])
    return subprocess.run([sys.executable, "-m", "runwrap", *args], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_explain_a_saved_console_shows_every_line_and_the_records_under_it(tmp_path):
    log = tmp_path / "train.log"
    log.write_text(CONSOLE)
    done = runwrap("explain", str(log), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "1  Namespace(batch_size=64, lr=1.0)",
        "2  Train Epoch: 1 [0/60000 (0%)]   Loss: 2.300285",
        "   -> step 1: Epoch=1  train/Loss=2.300285",
        "3  ",
        "4  Test set: Average loss: 0.0335, Accuracy: 9782/10000 (98%)",
        "   -> test/average_loss=0.0335  test/Accuracy=0.9782",
        "4 lines, 2 gave values; keys: Epoch, test/Accuracy, test/average_loss, train/Loss",
    ]


def test_explain_as_json_with_values_only(tmp_path):
    log = tmp_path / "train.log"
    log.write_text(CONSOLE)
    done = runwrap("explain", "--json", "--values-only", str(log), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["line"], r["records"]) for r in rows] == [
        (2, [{"step": 1, "values": {"Epoch": 1, "train/Loss": 2.300285}}]),
        (4, [{"step": None, "values": {"test/average_loss": 0.0335, "test/Accuracy": 0.9782}}]),
    ]


def test_explain_a_run_reads_its_console_with_the_patterns_it_was_recorded_with(tmp_path):
    store = tmp_path / "store"
    program = "print('warming up'); print('accuracy is 0.75 loss: 0.5')"
    done = runwrap("--dir", str(store), "--stats-interval", "0", "--no-tensorboard-discovery",
                   "--scalars", r"acc:=accuracy is (?P<value>\S+)",
                   sys.executable, "-c", program, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = runwrap("explain", "--dir", str(store), "latest", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "2  accuracy is 0.75 loss: 0.5\n   -> acc=0.75\n" in shown.stdout
    # --scalars tries other patterns on the same console; none at all is the default grammar.
    tried = runwrap("explain", "--dir", str(store), "--scalars", r"loss:=loss: (?P<value>\S+)",
                    "latest", cwd=tmp_path)
    assert "   -> loss=0.5\n" in tried.stdout and "acc=" not in tried.stdout


def test_a_bad_pattern_or_an_unknown_run_is_one_line_naming_it(tmp_path):
    log = tmp_path / "train.log"
    log.write_text(CONSOLE)
    bad = runwrap("explain", "--scalars", "loss=(", str(log), cwd=tmp_path)
    assert bad.returncode == 2 and "'loss=('" in bad.stderr and len(bad.stderr.splitlines()) == 1
    missing = runwrap("explain", "--dir", str(tmp_path / "store"), "nosuchrun", cwd=tmp_path)
    assert missing.returncode != 0 and "nosuchrun" in missing.stderr
    assert len(missing.stderr.splitlines()) == 1
