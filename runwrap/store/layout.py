"""Where everything lives: the store root, run directories and the names of the files in them.

    <root>/latest                     -> <project>/<run-id>  (the newest run started in this store)
    <root>/<project>/<run-id>/
        run.json                      metadata and status (atomic document)
        config.yaml                   the run's config as plain YAML (atomic document)
        summary.json                  per-source metric statistics, written at the end (atomic)
        summary-user.json             explicit `run.summary[k] = v` assignments (atomic)
        output.log                    the console as a terminal finally shows it
        diff.patch                    `git diff HEAD` of a dirty tree (capped)
        streams/<source>[.<part>].jsonl   metric records, one writer per file, append-only
        code/  files/  media/         saved code, run.save() files, media
        archive/                      history moved aside by resume_from (sdk)
        sync.json, sync-rejected.jsonl    upload cursors and refused batches (sync)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from runwrap import env

DEFAULT_DIR = "runwrap"

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
LATEST = "latest"


def store_root(dir: Optional[str] = None) -> Path:
    """The store root: `dir` if given, else $RUNWRAP_DIR, else ./runwrap; always absolute."""
    chosen = dir or os.environ.get(env.DIR) or DEFAULT_DIR
    return Path(os.path.abspath(os.path.expanduser(str(chosen))))


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
