"""The in-process API: `runwrap.init()` (wandb's signature), Run, Config, Summary.

Nothing here is imported by `import runwrap`; the package's module `__getattr__` loads it on
first use so the CLI and plain imports stay fast.
"""
