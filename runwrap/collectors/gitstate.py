"""The git state of the working directory: commit, branch, remote (credentials removed), dirty
flag and the diff of a dirty tree. Every git call has a time bound; no git, no repo: None."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

DIFF_CAP = 10 * 1024 * 1024
TIMEOUT = 5.0


def _git(cwd: Path, *args: str, timeout: float = TIMEOUT) -> Optional[bytes]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_many(cwd: Path, *commands: Tuple[str, ...]) -> List[Optional[bytes]]:
    """Several git commands at once: their outputs (None where one failed), in order. Run side by
    side they cost one git start-up instead of four at the end of a short run."""
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
