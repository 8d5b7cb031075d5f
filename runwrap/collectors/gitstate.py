"""The git state of the working directory: commit, branch, remote (credentials removed), dirty
flag and the diff of a dirty tree. Every git call has a time bound; no git, no repo: None.

Recorded the same way by the wrapper and by init() without it (`record_in_background`): run.json
`git` holds the facts, or null when git found no repository there (looked, none); the key is
absent when git state was not looked at (settings disable_git, a deleted working directory), or
when git had not answered END_WAIT seconds after the run ended. A dirty tree's diff goes to diff.patch.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from runwrap.store import documents
from runwrap.store.layout import DIFF_PATCH, RUN_JSON

DIFF_CAP = 10 * 1024 * 1024
TIMEOUT = 5.0
END_WAIT = 5.0  # at most this long at the end of a run for git facts still being read


def _git(cwd: Path, *args: str, timeout: float = TIMEOUT) -> Optional[bytes]:
    import subprocess  # start-up: loaded on the git thread, not by init() or the wrapper

    try:
        done = subprocess.run(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_many(cwd: Path, *commands: Tuple[str, ...]) -> List[Optional[bytes]]:
    """Several git commands at once: their outputs (None where one failed), in order. Run side by
    side they cost one git start-up instead of four at the end of a short run."""
    import subprocess  # start-up: loaded on the git thread, not by init() or the wrapper

    procs: List[Optional[subprocess.Popen]] = []
    for args in commands:
        try:
            procs.append(subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        except OSError:
            procs.append(None)
    outputs: List[Optional[bytes]] = []
    for proc in procs:
        if proc is None:
            outputs.append(None)
            continue
        try:
            out, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            outputs.append(None)
            continue
        outputs.append(out if proc.returncode == 0 else None)
    return outputs


def strip_credentials(url: str) -> str:
    """`https://user:token@host/x.git` -> `https://host/x.git`; ssh `git@host:x` stays."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", r"\1", url)


def could_be_repository(cwd: Path) -> bool:
    """False when git would surely find no repository: no `.git` in `cwd` or any folder above
    it, and no GIT_DIR. Then no git process is started at all (five of them, for nothing, at
    the end of every run outside a repository: cron jobs, scratch folders)."""
    if os.environ.get("GIT_DIR"):
        return True
    here = os.path.abspath(cwd)
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def read_git_state(cwd: Path) -> Tuple[Optional[Dict[str, Any]], Optional[bytes]]:
    """(git facts for run.json, the diff of a dirty tree capped at 10 MB or None)."""
    if not could_be_repository(cwd):
        return None, None
    git_dir, commit, branch, remote, status = _git_many(
        cwd, ("rev-parse", "--git-dir"), ("rev-parse", "HEAD"),
        ("rev-parse", "--abbrev-ref", "HEAD"), ("remote", "get-url", "origin"),
        ("status", "--porcelain", "--untracked-files=no"))
    if git_dir is None:
        return None, None  # not a repository (or no git)
    if commit is None:
        commit = b""  # a repository without commits yet
    facts: Dict[str, Any] = {
        "commit": commit.decode().strip() or None,
        "branch": branch.decode().strip() if branch else None,
        "remote": strip_credentials(remote.decode().strip()) if remote else None,
        "dirty": bool(status and status.strip()),
    }
    diff = None
    if facts["dirty"] and facts["commit"]:
        diff = _git(cwd, "diff", "HEAD", "--binary")
        if diff is not None and len(diff) > DIFF_CAP:
            facts["diff_truncated_from"] = len(diff)
            diff = diff[:DIFF_CAP] + (f"\n# runwrap: diff cut at {DIFF_CAP} of {len(diff)} "
                                      f"bytes\n").encode()
    return facts, diff


def record_git_state(run_dir: Path, cwd: Path) -> None:
    """The git state of `cwd` into the run at `run_dir` (see the module docstring)."""
    try:
        facts, diff = read_git_state(cwd)
        if diff is not None:
            documents.write_bytes_atomic(run_dir / DIFF_PATCH, diff)
        documents.update_json(run_dir / RUN_JSON, lambda doc: doc.__setitem__("git", facts))
    except Exception:  # noqa: BLE001 -- a nicety: the program must never notice it failing
        pass


def record_in_background(run_dir: Path, cwd: Path) -> threading.Thread:
    """record_git_state on a daemon thread, so that starting the run does not wait for git."""
    thread = threading.Thread(target=record_git_state, args=(run_dir, cwd), name="runwrap-git",
                              daemon=True)
    thread.start()
    return thread
