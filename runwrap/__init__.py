"""runwrap: record ML runs without changing the program; `runwrap.init()` speaks wandb's API."""

__version__ = "0.1.0"
