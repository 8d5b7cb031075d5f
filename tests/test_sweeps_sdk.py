"""Sweeps in code: `import runwrap as wandb`, wandb.sweep() and wandb.agent(function=...) as
public projects write them, and Bayesian search against random search on a known function."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sweep_support import create, trials, write_config
from tools_support import child_env

# The shape of wandb's own PyTorch sweeps tutorial (wandb/docs, "Tune hyperparameters with
# sweeps", the colab Organizing_Hyperparameter_Sweeps_in_PyTorch_with_W&B.ipynb of
# wandb/examples): a dict config with parameters_dict.update(...), `train(config=None)` that
# opens `with wandb.init(config=config) as run`, a helper logging each batch with wandb.log(),
# `wandb.sweep(sweep_config, project="pytorch-sweeps-demo")` and `wandb.agent(sweep_id, train,
# count=5)`. A numpy model stands in for the PyTorch one. (A later revision of the tutorial
# opens `with wandb.init() as run` again inside the helper; leaving that block finishes the
# run, so wandb itself then refuses the outer run.log(), and so does runwrap.)
TUTORIAL = '''
import numpy as np
import runwrap as wandb

sweep_config = {"method": "random"}
metric = {"name": "loss", "goal": "minimize"}
sweep_config["metric"] = metric
parameters_dict = {
    "optimizer": {"values": ["adam", "sgd"]},
    "fc_layer_size": {"values": [128, 256, 512]},
    "dropout": {"values": [0.3, 0.4, 0.5]},
}
sweep_config["parameters"] = parameters_dict
parameters_dict.update({"epochs": {"value": 2}})
parameters_dict.update({
    "learning_rate": {"distribution": "uniform", "min": 0, "max": 0.1},
    "batch_size": {"distribution": "q_log_uniform_values", "q": 8, "min": 32, "max": 256},
})


def train_epoch(weights, learning_rate, batch_size):
    cumu_loss = 0.0
    for _ in range(3):
        loss = float(np.mean(weights ** 2))
        weights = weights * (1 - learning_rate)
        cumu_loss += loss
        wandb.log({"batch loss": loss})
    return weights, cumu_loss / 3


def train(config=None):
    with wandb.init(config=config) as run:
        config = run.config
        weights = np.ones(config.fc_layer_size) * (1 + config.dropout)
        for epoch in range(config.epochs):
            weights, avg_loss = train_epoch(weights, config.learning_rate, config.batch_size)
            run.log({"loss": avg_loss, "epoch": epoch})


sweep_id = wandb.sweep(sweep_config, project="pytorch-sweeps-demo")
wandb.agent(sweep_id, train, count=5)
print("SWEEP", sweep_id)
'''


def test_wandb_tutorial_sweep_code_runs_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (tmp_path / "tutorial.py").write_text(TUTORIAL)
    result = subprocess.run([sys.executable, "tutorial.py"], cwd=tmp_path,
                            env=child_env(RUNWRAP_DIR=str(store)), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    sweep_id = result.stdout.split("SWEEP")[-1].strip()
    done = trials(store, sweep_id)
    assert len(done) == 5 and all(t["state"] == "finished" for t in done), result.stderr
    assert all(t["project"] == "pytorch-sweeps-demo" for t in done)
    runs = {p.name for p in (store / "pytorch-sweeps-demo").iterdir() if not
            p.name.startswith(".")}
    assert runs == {t["run_id"] for t in done}  # one run per trial, the nested init() joined it
    for t in done:
        run = store / "pytorch-sweeps-demo" / t["run_id"]
        meta = json.loads((run / "run.json").read_text())
        assert meta["group"] == sweep_id and meta["status"] == "finished"
        config = yaml.safe_load((run / "config.yaml").read_text())
        assert config == t["params"]
        assert config["batch_size"] % 8 == 0 and 32 <= config["batch_size"] <= 256
        assert 0 <= config["learning_rate"] <= 0.1 and config["epochs"] == 2
        assert t["value"] is not None and t["iteration"] == 2  # the 2 epochs' loss values
    assert "overridden" not in result.stderr


# Branin's function (minimum 0.397887 at three points), a standard 2-D test of optimizers.
BRANIN = '''
import math, sys
import runwrap

def branin():
    run = runwrap.init()
    x, y = run.config.x, run.config.y
    value = ((y - 5.1 / (4 * math.pi ** 2) * x ** 2 + 5 / math.pi * x - 6) ** 2
             + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10)
    run.log({"branin": value})
    run.finish()

runwrap.agent(sys.argv[1], function=branin, count=int(sys.argv[2]))
'''
TRIALS = 30
SEEDS = (1, 2, 3, 4)


def _best(store: Path, work: Path, method: str, seed: int) -> float:
    config = {"method": method, "metric": {"name": "branin", "goal": "minimize"},
              "parameters": {"x": {"min": -5.0, "max": 10.0}, "y": {"min": 0.0, "max": 15.0}}}
    sweep_id = create(store, write_config(work, config), "--seed", str(seed),
                      "--project", "branin", cwd=work)
    result = subprocess.run([sys.executable, "branin.py", sweep_id, str(TRIALS)], cwd=work,
                            env=child_env(RUNWRAP_DIR=str(store)), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    values = [t["value"] for t in trials(store, sweep_id)]
    assert len(values) == TRIALS and None not in values
    return min(values)


@pytest.mark.slow
def test_bayes_beats_random_on_branin_at_equal_trial_count(tmp_path: Path) -> None:
    store, work = tmp_path / "store", tmp_path / "work"
    work.mkdir()
    (work / "branin.py").write_text(BRANIN)
    bayes = [_best(store, work, "bayes", s) for s in SEEDS]
    random = [_best(store, work, "random", s) for s in SEEDS]
    print(f"best branin after {TRIALS} trials, seeds {SEEDS}: bayes {bayes} random {random}")
    assert sum(bayes) / len(bayes) < sum(random) / len(random)
    assert sum(b < r for b, r in zip(bayes, random)) >= len(SEEDS) // 2 + 1
