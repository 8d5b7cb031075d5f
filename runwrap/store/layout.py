"""Where everything lives: the store root, run directories and the names of the files in them.

    <root>/latest                     -> <project>/<run-id>  (the newest run started in this store)
    <root>/.index/<project>.json      the listing index: a cache, checked against the runs (index.py)
    <root>/.artifacts/                artifact versions of every project (store/artifacts.py)
    <root>/.cache/series/             the dashboard's chart-ready series: a cache (ui/cache.py)
    <root>/<project>/<run-id>/
        run.json                      metadata and status (atomic document)
        config.yaml                   the run's config as plain YAML (atomic document)
        summary.json                  per-source metric statistics, written at the end (atomic)
        summary-user.json             explicit `run.summary[k] = v` assignments (atomic)
        output.log                    the console as a terminal finally shows it
        output.<part>.log             a cluster job's run: each task's console instead (parts.py)
        parts/<part>.json             a cluster job's run: each task's record (parts.py)
        diff.patch                    `git diff HEAD` of a dirty tree (capped)
        streams/<source>[.<part>].jsonl   metric records, one writer per file, append-only
        tensorboard-files[.<part>].json   each event file read and the name prefix its series got
        code/  files/  media/         saved code, run.save() files, media
        wandb/                        the program's own wandb files (its WANDB_DIR, set by the
                                      wrapper), whose run-<id>.wandb logs feed streams/wandb*
        archive/                      history moved aside by resume_from (sdk)
        sync.json, sync-rejected.jsonl    upload cursors and refused batches (sync)
        .space-reserve                room held while the run lasts, so a full disk still lets
                                      its end be recorded (documents.SpaceReserve)
        stop.json                     a stop request from outside (a sweep stopping a trial
                                      early): written once by the requester before it signals
                                      the wrapper; the run then ends `stopped` (lifecycle.py)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from runwrap import env

# The default store, under the working directory. Not an importable name: a folder `./runwrap`
# would shadow the package for `import runwrap` run from there (a namespace package wins over
# an editable install's finder), as `./wandb` does to wandb.
DEFAULT_DIR = "runwrap-runs"
LEGACY_DIR = "runwrap"  # the default of runwrap before 0.2: still used where it holds runs

RUN_JSON = "run.json"
CONFIG_YAML = "config.yaml"
SUMMARY_JSON = "summary.json"
SUMMARY_USER_JSON = "summary-user.json"
OUTPUT_LOG = "output.log"
DIFF_PATCH = "diff.patch"
STREAMS_DIR = "streams"
CODE_DIR = "code"
FILES_DIR = "files"
MEDIA_DIR = "media"
LOCK_FILE = ".lock"
RESERVE_FILE = ".space-reserve"  # room kept for the end of the run (documents.SpaceReserve)
LATEST = "latest"
INDEX_DIR = ".index"
PARTS_DIR = "parts"
STOP_JSON = "stop.json"


def store_root(dir: Optional[str] = None) -> Path:
    """The store root: `dir` if given, else $RUNWRAP_DIR, else ./runwrap-runs (or the older
    default ./runwrap where that one holds runs and the new one does not exist yet); always
    absolute."""
    chosen = dir or os.environ.get(env.DIR)
    if not chosen:
        chosen = DEFAULT_DIR
        if not os.path.lexists(DEFAULT_DIR) and _is_legacy_store(LEGACY_DIR):
            from runwrap.notices import warn_once  # start-up: loaded only on the path that needs it

            warn_once("legacy-store", f"using the run store ./{LEGACY_DIR} of an older runwrap; "
                                      f"`mv {LEGACY_DIR} {DEFAULT_DIR}` so that `import runwrap` "
                                      f"in this folder finds the package")
            chosen = LEGACY_DIR
    return Path(os.path.abspath(os.path.expanduser(str(chosen))))


def _is_legacy_store(path: str) -> bool:
    """A folder of runs (not runwrap's own source tree, which is also named `runwrap`)."""
    if not os.path.isdir(path) or os.path.exists(os.path.join(path, "__init__.py")):
        return False
    if os.path.lexists(os.path.join(path, LATEST)):
        return True
    import glob  # start-up: loaded only on the path that needs it

    return next(glob.iglob(os.path.join(glob.escape(path), "*", "*", RUN_JSON)), None) is not None


def tensorboard_files_doc(run_dir: Path, part: Optional[str] = None) -> Path:
    """The document of the event files a TensorBoard collector read (one per part: one writer)."""
    return run_dir / (f"tensorboard-files.{part}.json" if part else "tensorboard-files.json")


def run_dir(root: Path, project: str, run_id: str) -> Path:
    return root / project / run_id


def point_latest(root: Path, target: Path) -> None:
    """Make <root>/latest point at `target` (relative link, replaced atomically)."""
    link = root / LATEST
    tmp = root / f".{LATEST}.{os.getpid()}"
    try:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(os.path.relpath(target, root), tmp)
        os.replace(tmp, link)
    except OSError:
        # A store on a filesystem without symlinks still works; `latest` is also found by time.
        pass
