"""The in-process API: `runwrap.init()` (wandb's signature), Run, Config, Summary.

Nothing here is imported by `import runwrap`; the package's module `__getattr__` loads it on
first use so the CLI and plain imports stay fast.

start/ is how a run starts (init(), attach, standalone, disabled, resume), run/ the Run object
and what hangs off it, compat/ the rest of wandb's surface (runwrap.log, Api, login...),
media/ the data types, integrations/ what init() sets up beyond logging; artifacts.py and
artifact_kinds.py are wandb's artifacts.
"""
