"""The list of subcommands: one module each, named here and imported only when used, so that
`runwrap COMMAND` (the hot path) does not pay for the import of every other subcommand."""
from __future__ import annotations

# name -> (module under runwrap.cli, attribute); aliases point at the same command.
COMMANDS = {
    "run": ("run", "run"),
    "ls": ("ls", "ls"),
    "runs": ("ls", "ls"),
    "show": ("show", "show"),
    "tail": ("tail", "tail"),
    # issue 6: working with runs
    "compare": ("compare", "compare"),
    "diff": ("diff", "diff"),
    "export": ("export", "export"),
    "plot": ("plot", "plot"),
    "rm": ("remove", "rm"),
    "gc": ("remove", "gc"),
    "completion": ("completion", "completion"),
    "sync": ("sync", "sync"),  # issue 5: upload to MLflow
    "recover": ("recover", "recover"),  # a crashed run's file sources, read again
    "ui": ("ui", "ui"),  # issue 16: the live dashboard
    "import-wandb": ("import_wandb", "import_wandb"),  # issue 15: wandb runs on disk
    "artifacts": ("artifacts", "artifacts"),  # issue 14: the artifact store
    "explain": ("explain", "explain"),  # issue 19: what the console grammar makes of each line
    "sweep": ("sweep", "sweep"),  # issue 21: sweeps
    "agent": ("sweep", "agent"),
}
HIDDEN = {"runs"}  # aliases, left out of --help
