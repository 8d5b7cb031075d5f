"""Creating a run directory: exclusive, so two runs never share one, then run.json and `latest`."""
from __future__ import annotations

import errno
import getpass
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap.errors import UsageError
from runwrap.store.documents import write_json
from runwrap.store.layout import RUN_JSON, STREAMS_DIR, point_latest, run_dir
from runwrap.store.ids import usable_path_name
from runwrap.store.owner import hostname, owner_identity


def machine_facts() -> Dict[str, Any]:
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (containers)
        user = str(os.getuid())
    uname = os.uname()
    return {
        "host": hostname(),
        "user": user,
        "python": "%d.%d.%d" % sys.version_info[:3],
        # Not the platform module: importing it costs init() time, and platform.platform()
        # runs `uname -p` in a subprocess.
        "platform": f"{uname.sysname}-{uname.release}-{uname.machine}",
    }


class NoSpaceForRun(UsageError):
    """The store's disk is full: the store is right, there is just no room now. The wrapper
    runs the program unrecorded (docs/failures.md); init() refuses, as for any store error."""


class RunExists(UsageError):
    """The run directory was already there (another process may have made it an instant
    ago). Callers that know how their user continues a run re-check and say so."""

    def __init__(self, project: str, run_id: str):
        super().__init__(f"run id {run_id!r} already exists in project {project!r}; "
                         f"choose another id")
        self.project, self.run_id = project, run_id


def create_run(root: Path, project: str, run_id: str, meta: Dict[str, Any],
               owner_kind: str, prepare: Optional[Callable[[Path], None]] = None) -> Path:
    """Make `<root>/<project>/<run_id>/` and write its first run.json (status `running`).

    `meta` holds the identity and anything else to record; this adds the owner, the machine
    facts, runwrap's version and the start time unless given. A new run is built in a hidden
    folder beside it (run.json, streams/, and whatever `prepare(folder)` adds) and renamed into
    place in one step, so of several processes starting the same id at the same instant exactly
    one creates it, and nobody ever sees the directory without its run.json: the others get
    RunExists. Continuing an existing run is store/opening.py's."""
    from runwrap import __version__  # start-up: loaded only on the path that needs it

    path = run_dir(root, project, run_id)
    doc: Dict[str, Any] = {"id": run_id, "project": project, "status": "running"}
    doc.update(machine_facts())
    doc["start_time"] = time.time()
    doc["runwrap_version"] = __version__
    doc.update(meta)
    doc["owner"] = dict(owner_identity(), kind=owner_kind)
    # Host and pid: two machines sharing the store may well have the same pid.
    staging = path.parent / f".{run_id}.{os.uname().nodename}.{os.getpid()}.new"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise RunExists(project, run_id)
        os.mkdir(staging)
        (staging / STREAMS_DIR).mkdir()
        write_json(staging / RUN_JSON, doc)
        if prepare is not None:
            prepare(staging)
        # rename(2) onto a directory that is not empty fails: that is the exclusive step.
        os.rename(staging, path)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        if e.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise RunExists(project, run_id) from None
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise NoSpaceForRun(f"cannot create the run directory {path}: {e.strerror}; free "
                                f"space there or choose another --dir (or RUNWRAP_DIR)") from None
        raise UsageError(f"cannot create the run directory {path}: {e.strerror}; "
                         f"choose a writable --dir (or RUNWRAP_DIR)") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    point_latest(root, path)
    return path


# Programs that run another program: the project is named for what they run.
_LAUNCHERS = {"python", "python3", "bash", "sh", "zsh", "env", "nohup", "time", "torchrun",
              "accelerate", "deepspeed", "uv", "poetry", "pipenv", "conda", "srun", "mpirun",
              "mpiexec", "xvfb-run", "stdbuf", "nice", "ipython"}


def argv0_project(argv: List[str]) -> Optional[str]:
    """A project name guessed from a command: the script a launcher (python, bash, torchrun...)
    runs, the module of `python -m`, else the program's own name; None for `python -c`."""
    for word in argv:
        if word.endswith((".py", ".sh", ".ipynb")) and not word.startswith("-"):
            return os.path.basename(word).rsplit(".", 1)[0] or None
    for before, word in zip(argv, argv[1:]):
        if before == "-m":
            return word.rsplit(".", 1)[-1] or None
    if argv:
        base = os.path.basename(argv[0])
        if base not in _LAUNCHERS and not base.startswith("python"):
            return base or None
    return None


def default_project(cwd: Optional[str] = None, program: Optional[str] = None) -> str:
    """wandb's rule: the git root's folder name, else the program file's name, else
    uncategorized; made a usable path name (a tab in a script's name is no error of the
    user's). A deleted working directory has no git root."""
    try:
        here: Optional[Path] = Path(cwd or os.getcwd()).resolve()
    except FileNotFoundError:
        here = None
    for d in (here, *here.parents) if here is not None else ():
        if (d / ".git").exists():
            return usable_path_name(d.name)
    if program:
        return usable_path_name(program)
    return "uncategorized"

