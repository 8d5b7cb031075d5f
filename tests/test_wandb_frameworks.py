"""Frameworks that log to wandb themselves (Hugging Face Trainer, Lightning's WandbLogger), run
under the real runwrap process on a machine with no wandb account, on tiny randomly initialised
models (no downloads). torch, transformers and lightning are too heavy for CI's test extra:
these tests skip there, and run wherever they are installed."""
from __future__ import annotations

import sys

import pytest

from runwrap.store.streams import read_records
from runwrap.store.values import decode_value
from wandb_support import log_files, no_account_env, wandb_history
from wrapper_harness import only_run, run_json, runwrap

pytest.importorskip("wandb")
# Each test starts real wandb (its wandb-core service) one or more times: a few seconds alone,
# far more on a loaded machine, so these get more than the suite's default 120 s.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
pytest.importorskip("torch", reason="torch is not installed (too heavy for the test extra)")

HF_TRAINER = """
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, num_labels=2, max_position_embeddings=16)
model = BertForSequenceClassification(config)


class Tiny(torch.utils.data.Dataset):
    def __len__(self):
        return 32

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        return {"input_ids": torch.randint(0, 50, (8,), generator=g), "labels": torch.tensor(i % 2)}


args = TrainingArguments(output_dir="out", report_to="wandb", logging_steps=1, max_steps=6,
                         per_device_train_batch_size=4, save_strategy="no", use_cpu=True,
                         run_name="tiny-bert", disable_tqdm=True)
Trainer(model=model, args=args, train_dataset=Tiny()).train()
"""

LIGHTNING = """
import torch
import lightning as L
from lightning.pytorch.loggers import WandbLogger


class Tiny(L.LightningModule):
    def __init__(self, width=4):
        super().__init__()
        self.save_hyperparameters()
        self.layer = torch.nn.Linear(width, 1)

    def training_step(self, batch, index):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


torch.manual_seed(0)
data = torch.utils.data.TensorDataset(torch.randn(32, 4), torch.randn(32, 1))
trainer = L.Trainer(max_epochs=2, logger=WandbLogger(project="lit"), log_every_n_steps=1,
                    enable_checkpointing=False, enable_progress_bar=False, accelerator="cpu")
trainer.fit(Tiny(), torch.utils.data.DataLoader(data, batch_size=8))
"""


def rows_of(path) -> list:
    return [{k: decode_value(v) for k, v in r.items()} for r in read_records(path)]


def run_program(tmp_path, store, script: str) -> "tuple":
    (tmp_path / "train.py").write_text(script)
    env = no_account_env(tmp_path, RUNWRAP_DIR=str(store), TOKENIZERS_PARALLELISM="false")
    done = runwrap(sys.executable, "train.py", cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return only_run(store), done


def assert_rows_equal_wandbs(run, logs) -> list:
    theirs = [row for log in logs for row in wandb_history(log)]
    mine = rows_of(run / "streams" / "wandb.jsonl")
    assert len(mine) == len(theirs) > 0
    for row, expected in zip(mine, theirs):
        assert row["_step"] == expected["_step"] and row["_time"] == expected["_timestamp"]
        values = {k: v for k, v in expected.items() if not k.startswith("_")}
        assert {k: v for k, v in row.items() if not k.startswith("_")} == values
    return mine


def test_hugging_face_trainer_reporting_to_wandb_is_recorded(tmp_path, store):
    pytest.importorskip("transformers", reason="transformers is not installed (too heavy for CI)")
    pytest.importorskip("accelerate", reason="accelerate (the Trainer needs it) is not installed")
    run, _ = run_program(tmp_path, store, HF_TRAINER)
    mine = assert_rows_equal_wandbs(run, log_files(run / "wandb"))
    assert sum("train/loss" in r for r in mine) == 6
    import yaml

    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["hidden_size"] == 16 and config["max_steps"] == 6
    assert run_json(run)["status"] == "finished"


def test_lightning_wandb_logger_is_recorded(tmp_path, store):
    pytest.importorskip("lightning", reason="lightning is not installed (too heavy for CI)")
    run, _ = run_program(tmp_path, store, LIGHTNING)
    # WandbLogger passes dir="." (its save_dir): wandb writes ./wandb, which runwrap watches.
    mine = assert_rows_equal_wandbs(run, log_files(tmp_path / "wandb"))
    assert sum("train_loss" in r for r in mine) == 8
    import yaml

    assert yaml.safe_load((run / "config.yaml").read_text())["width"] == 4
