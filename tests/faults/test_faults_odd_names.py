"""Names runwrap derives itself (a project from a script's file name or a git root's folder
name) that no project could hold: a tab, a newline, a leading dot. They are made usable, never
refused as a bad --project the user never gave."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faults_support import clean_env, figures, run_dirs, wrap_cmd, write_script

PROGRAM = """
    print("hello")
"""


@pytest.mark.parametrize("file_name", ["eval\tloop.py", "eval\nloop.py", ".hidden.py"])
def test_a_script_name_no_project_could_hold_gives_a_usable_project(tmp_path: Path,
                                                                    file_name: str) -> None:
    work = tmp_path / "work"
    script = write_script(work, file_name, PROGRAM)
    store = tmp_path / "store"
    done = subprocess.run(wrap_cmd(store, sys.executable, str(script)),
                          cwd=work, env=clean_env(), capture_output=True, text=True, timeout=60)
    runs = run_dirs(store)
    line = figures("odd_script_name", file=repr(file_name), exit=done.returncode,
                   projects=[p.parent.name for p in runs], stderr=done.stderr[-200:])
    assert done.returncode == 0, line
    assert "--project" not in done.stderr, line
    [run_dir] = runs
    project = run_dir.parent.name
    assert project and not project.startswith(".") and all(ord(c) >= 32 for c in project), line


def test_a_git_root_folder_name_no_project_could_hold_gives_a_usable_project(
        tmp_path: Path) -> None:
    repo = tmp_path / "my\trepo"
    (repo / ".git").mkdir(parents=True)
    script = write_script(repo, "train.py", PROGRAM)
    store = tmp_path / "store"
    done = subprocess.run(wrap_cmd(store, sys.executable, str(script)),
                          cwd=repo, env=clean_env(), capture_output=True, text=True, timeout=60)
    line = figures("odd_repo_name", exit=done.returncode,
                   projects=[p.parent.name for p in run_dirs(store)], stderr=done.stderr[-200:])
    assert done.returncode == 0, line
    assert [p.parent.name for p in run_dirs(store)] == ["my_repo"], line
