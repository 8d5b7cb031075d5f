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

# Real processes, several per test: generous under a loaded machine.
pytestmark = pytest.mark.timeout(600)

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


# Every one of wandb's distributions, drawn by a random sweep and checked against its domain.
EVERY_DISTRIBUTION = {
    "const": {"value": "x"},
    "cat": {"values": ["a", "b", [1, 2]]},
    "catp": {"values": [1, 2], "probabilities": [0.0, 1.0]},
    "iu": {"min": 2, "max": 5},
    "u": {"min": 0.5, "max": 1.5},
    "qu": {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2.5},
    "lu": {"distribution": "log_uniform", "min": -3.0, "max": 0.0},
    "luv": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
    "qlu": {"distribution": "q_log_uniform", "min": 0.0, "max": 4.0, "q": 1},
    "qluv": {"distribution": "q_log_uniform_values", "min": 8, "max": 256, "q": 8},
    "ilu": {"distribution": "inv_log_uniform", "min": 0.0, "max": 2.0},
    "iluv": {"distribution": "inv_log_uniform_values", "min": 0.01, "max": 1.0},
    "n": {"distribution": "normal", "mu": 10, "sigma": 0.1},
    "qn": {"distribution": "q_normal", "mu": 10, "sigma": 2, "q": 0.5},
    "ln": {"distribution": "log_normal", "mu": 0, "sigma": 0.5},
    "qln": {"distribution": "q_log_normal", "mu": 2, "sigma": 0.3, "q": 1},
    "b": {"distribution": "beta", "a": 2, "b": 5},
    "qb": {"distribution": "q_beta", "a": 2, "b": 2, "q": 0.25},
    "nested": {"parameters": {"inner": {"values": [True, False]},
                              "deeper": {"parameters": {"k": {"min": 1, "max": 3}}}}},
}

RECORD_CONFIG = '''
import json, sys
import runwrap

def train():
    run = runwrap.init()
    run.log({"score": 1.0})
    print("CONFIG", json.dumps(dict(run.config)), flush=True)

runwrap.agent(sys.argv[1], function=train, count=int(sys.argv[2]))
'''


def test_every_wandb_distribution_draws_values_in_its_domain(tmp_path: Path) -> None:
    import math

    store, work = tmp_path / "store", tmp_path / "work"
    work.mkdir()
    (work / "record.py").write_text(RECORD_CONFIG)
    config = {"method": "random", "metric": {"name": "score", "goal": "maximize"},
              "parameters": EVERY_DISTRIBUTION}
    sweep_id = create(store, write_config(work, config), "--seed", "3", cwd=work)
    result = subprocess.run([sys.executable, "record.py", sweep_id, "12"], cwd=work,
                            env=child_env(RUNWRAP_DIR=str(store)), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    seen = [json.loads(line.split(" ", 1)[1]) for line in result.stdout.splitlines()
            if line.startswith("CONFIG ")]
    assert len(seen) == 12
    for c in seen:
        assert c["const"] == "x" and c["cat"] in ("a", "b", [1, 2]) and c["catp"] == 2
        assert isinstance(c["iu"], int) and 2 <= c["iu"] <= 5
        assert 0.5 <= c["u"] <= 1.5
        assert c["qu"] in (0, 2.5, 5.0, 7.5, 10.0)
        assert math.exp(-3) <= c["lu"] <= 1.0 and 1e-4 <= c["luv"] <= 0.1
        assert isinstance(c["qlu"], int) and 1 <= c["qlu"] <= 55
        assert c["qluv"] % 8 == 0 and 8 <= c["qluv"] <= 256
        assert math.exp(-2) <= c["ilu"] <= 1.0 and 0.01 <= c["iluv"] <= 1.0
        assert 9 < c["n"] < 11 and (c["qn"] * 2).is_integer()
        assert c["ln"] > 0 and isinstance(c["qln"], int)
        assert 0 <= c["b"] <= 1 and c["qb"] in (0, 0.25, 0.5, 0.75, 1.0)
        assert c["nested"]["inner"] in (True, False)
        assert c["nested"]["deeper"]["k"] in (1, 2, 3)
    assert len({c["u"] for c in seen}) == 12  # drawn, not repeated


HYPERBAND_IN_CODE = '''
import sys, time
import runwrap

def train():
    run = runwrap.init()
    try:
        for epoch in range(40):
            run.log({"loss": run.config.badness + 1.0 / (epoch + 1)})
            time.sleep(0.1)
    finally:
        print("TRAIN LEFT", run.config.badness, flush=True)

runwrap.agent(sys.argv[1], function=train)
'''


def test_hyperband_stops_an_in_process_trial_through_keyboard_interrupt(tmp_path: Path) -> None:
    store, work = tmp_path / "store", tmp_path / "work"
    work.mkdir()
    (work / "hb.py").write_text(HYPERBAND_IN_CODE)
    config = {"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 2},
              "parameters": {"badness": {"values": [0, 5, 9]}}}
    sweep_id = create(store, write_config(work, config), cwd=work)
    result = subprocess.run([sys.executable, "hb.py", sweep_id], cwd=work,
                            env=child_env(RUNWRAP_DIR=str(store)), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    done = trials(store, sweep_id)
    assert [t["state"] for t in done] == ["finished", "stopped", "stopped"], result.stderr
    for t in done[1:]:
        meta = json.loads((store / t["project"] / t["run_id"] / "run.json").read_text())
        assert meta["status"] == "stopped" and "hyperband" in meta["stopped"]["reason"]
        assert t["iteration"] < 40
    assert result.stdout.count("TRAIN LEFT") == 3  # train()'s finally ran: a clean stop


def test_metric_target_and_run_cap_end_the_sweep(tmp_path: Path) -> None:
    store, work = tmp_path / "store", tmp_path / "work"
    work.mkdir()
    (work / "record.py").write_text(RECORD_CONFIG.replace('{"score": 1.0}',
                                                          '{"score": run.config.s}'))
    target = {"method": "grid", "metric": {"name": "score", "goal": "maximize", "target": 2},
              "parameters": {"s": {"values": [1, 2, 3, 4]}}}
    sweep_id = create(store, write_config(work, target), cwd=work)
    assert subprocess.run([sys.executable, "record.py", sweep_id, "10"], cwd=work,
                          env=child_env(RUNWRAP_DIR=str(store)), capture_output=True,
                          timeout=300).returncode == 0
    assert [t["params"]["s"] for t in trials(store, sweep_id)] == [1, 2]
    capped = dict(target, metric={"name": "score", "goal": "maximize"}, run_cap=3)
    sweep_id = create(store, write_config(work, capped), cwd=work)
    assert subprocess.run([sys.executable, "record.py", sweep_id, "10"], cwd=work,
                          env=child_env(RUNWRAP_DIR=str(store)), capture_output=True,
                          timeout=300).returncode == 0
    assert len(trials(store, sweep_id)) == 3
