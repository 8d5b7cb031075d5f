"""Stable TensorBoard names: two runs of the same script give the same metric names, although
every library writes each run into a folder of its own (a date, a version number, a time stamp).
The layouts are the ones the libraries really write (checked with torch 2.13, Lightning 2.6,
transformers 5.24 and tensorboardX): real tensorboardX writers write them here, since torch,
Lightning and transformers are not test dependencies."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runwrap.collectors.tensorboard.files import StableNames
from runwrap.collectors.tensorboard.collector import OLD_FILE_SLACK
from runwrap.store.streams import read_records

pytest.importorskip("tensorboardX")

# torch.utils.tensorboard and tensorboardX: SummaryWriter() writes runs/<Mon><DD>_<HH-MM-SS>_<host>/;
# add_scalars one folder per series inside it, add_hparams a <unix time>/ folder inside it.
TORCH_DEFAULT = """
from tensorboardX import SummaryWriter
w = SummaryWriter()
for i in range(3):
    w.add_scalar("loss", 1.0 / (i + 1), i)
    w.add_scalars("loss", {"train": 1.0, "val": 2.0}, i)
w.add_hparams({"lr": 0.1}, {"hparam/final_loss": 0.5})
w.close()
"""

# Lightning's TensorBoardLogger: lightning_logs/version_<n>/, n one more than the last one there.
LIGHTNING = """
import os
from tensorboardX import SummaryWriter
root = "lightning_logs"
taken = [int(d[8:]) for d in os.listdir(root)] if os.path.isdir(root) else []
w = SummaryWriter(os.path.join(root, f"version_{max(taken, default=-1) + 1}"))
for i in range(3):
    w.add_scalar("train_loss", 1.0 / (i + 1), i)
    w.add_scalar("val_loss", 2.0 / (i + 1), i)
w.close()
"""

# Hugging Face Trainer: <output_dir>/runs/<Mon><DD>_<HH-MM-SS>_<host>/, tags train/... eval/...
HUGGING_FACE = """
import os, socket, datetime
from tensorboardX import SummaryWriter
folder = datetime.datetime.now().strftime("%b%d_%H-%M-%S") + "_" + socket.gethostname()
w = SummaryWriter(os.path.join("out", "runs", folder))
for i in range(3):
    w.add_scalar("train/loss", 1.0 / (i + 1), i)
    w.add_scalar("eval/loss", 2.0 / (i + 1), i)
w.close()
"""


def names_of_two_runs(tmp_path: Path, script: str) -> list:
    work = tmp_path / "work"
    work.mkdir()
    (work / "script.py").write_text(script)
    env = {k: v for k, v in os.environ.items() if k != "RUNWRAP_DIR"}
    names = []
    for run_id in ("first", "second"):
        result = subprocess.run([sys.executable, "-m", "runwrap", "--dir", "store", "--project",
                                 "p", "--id", run_id, "--quiet", "--stats-interval", "0",
                                 sys.executable, "script.py"],
                                cwd=work, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        run_dir = work / "store" / "p" / run_id
        recs = list(read_records(run_dir / "streams" / "tensorboard.jsonl"))
        names.append(sorted({k for r in recs for k in r if not k.startswith("_")}))
        files = json.loads((run_dir / "tensorboard-files.json").read_text())["files"]
        assert files and all(not os.path.isabs(f) for f in files)  # under the working dir
        for f in files:  # each file's own folder is recorded, nothing is lost
            assert (work / f).is_file()
        time.sleep(OLD_FILE_SLACK + 0.1)  # files this close to a start would count as the run's own
    return names


def test_torch_default_folders_give_the_same_names_in_every_run(tmp_path):
    first, second = names_of_two_runs(tmp_path, TORCH_DEFAULT)
    assert first == second == ["hparam/final_loss", "loss", "loss/train/loss", "loss/val/loss"]


def test_lightning_version_folders_give_the_same_names_in_every_run(tmp_path):
    first, second = names_of_two_runs(tmp_path, LIGHTNING)
    assert first == second == ["train_loss", "val_loss"]


def test_hugging_face_dated_folders_give_the_same_names_in_every_run(tmp_path):
    first, second = names_of_two_runs(tmp_path, HUGGING_FACE)
    assert first == second == ["eval/loss", "train/loss"]


@pytest.mark.parametrize("folders, prefix", [
    ("logs/train", "logs/train/"),  # no run folder (Keras' callback): unchanged
    ("lightning_logs/version_12", ""),
    ("experiments/resnet/version_0/sub", "sub/"),
    ("out/runs/Nov28_06-23-50_gpu-node_7_lr0.1", ""),  # a SummaryWriter(comment=...)
    ("runs/Nov28_06-23-50_host/1795847068.2309978", ""),  # add_hparams
    ("logs/fit/20240101-120000", ""),  # TensorFlow's tutorials
    ("outputs/2024-01-01/12-00-00/tb", "tb/"),  # Hydra
])
def test_run_folders_and_the_log_root_above_them_are_dropped(folders, prefix):
    assert StableNames().prefix(f"/w/{folders}/events.out.tfevents.1", "/w") == prefix


def test_a_second_writers_run_folder_keeps_its_whole_path():
    names = StableNames()
    assert names.prefix("/w/runs/Nov28_06-23-50_h/events.1", "/w") == ""
    assert names.prefix("/w/runs/Nov28_06-23-50_h/loss_train/events.1", "/w") == "loss_train/"
    # Another log root in the same run: its series must not merge with the first writer's.
    assert names.prefix("/w/other/version_0/events.1", "/w") == "other/version_0/"
    assert names.files["/w/other/version_0/events.1"] == "other/version_0/"
