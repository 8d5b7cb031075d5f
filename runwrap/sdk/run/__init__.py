"""The Run object init() returns and what hangs off it: run.py (Run), config.py, summary.py,
history.py (log()'s engine), settings.py (`run.settings`), saving.py (`run.save()`), state.py
(the process's current and unfinished runs), access.py (what other sdk modules may do to a
Run beyond its wandb-shaped API)."""
