"""The Run object init() returns and what hangs off it: run.py (Run), config.py, summary.py,
history.py (log()'s engine), settings.py (`run.settings`), saving.py (`run.save()`), and
state.py (the process's current and unfinished runs)."""
