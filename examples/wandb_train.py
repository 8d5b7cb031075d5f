"""A training script that uses wandb itself: runwrap records it with no change and no account.

    runwrap python wandb_train.py                # wandb runs offline, its files in the run directory
    WANDB_MODE=offline python wandb_train.py     # without runwrap: a run in ./wandb to import
"""
import wandb

run = wandb.init(project="demo", config={"lr": 0.01})
for step in range(20):
    run.log({"loss": 1 / (step + 1)})
run.finish()
