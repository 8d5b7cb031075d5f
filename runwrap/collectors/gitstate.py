"""The git state of the working directory: commit, branch, remote (credentials removed), dirty
flag and the diff of a dirty tree. Every git call has a time bound; no git, no repo: None."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

DIFF_CAP = 10 * 1024 * 1024
TIMEOUT = 5.0


def _git(cwd: Path, *args: str, timeout: float = TIMEOUT) -> Optional[bytes]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def strip_credentials(url: str) -> str:
    """`https://user:token@host/x.git` -> `https://host/x.git`; ssh `git@host:x` stays."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", r"\1", url)


def read_git_state(cwd: Path) -> Tuple[Optional[Dict[str, Any]], Optional[bytes]]:
    """(git facts for run.json, the diff of a dirty tree capped at 10 MB or None)."""
    commit = _git(cwd, "rev-parse", "HEAD")
    if commit is None:
        if _git(cwd, "rev-parse", "--git-dir") is None:
            return None, None
        commit = b""  # a repository without commits yet
    branch = _git(cwd, "rev-parse", "--abbrev-ref", "HEAD")
    remote = _git(cwd, "remote", "get-url", "origin")
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
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
