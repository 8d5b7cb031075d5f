"""A training script that logs through runwrap.init(), which has wandb.init()'s signature:

    python log_train.py              # records a run of its own in ./runwrap-runs
    runwrap python log_train.py      # joins the wrapper's run instead
"""
import runwrap as wandb

with wandb.init(project="demo", config={"lr": 0.01, "batch_size": 32}) as run:
    for step in range(100):
        run.log({"loss": 1 / (step + 1), "train": {"acc": step / 100}})  # "train/acc"
