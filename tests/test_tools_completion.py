"""Shell completion: the committed scripts are current, and bash, zsh and fish complete
subcommands, run ids, run names and projects through them, the way each shell calls them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runwrap.cli.completion import FILES, SHELLS, completion_source
from tools_support import REPO, child_env, curve, make_run, runwrap

COMPLETIONS = REPO / "completions"


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory):
    """A store with runs in two projects, and a `runwrap` on PATH that runs this checkout."""
    base = tmp_path_factory.mktemp("completion")
    store = base / "store"
    make_run(store, curve(2), run_id="cmpa0001", name="warm-river-1", project="vision")
    make_run(store, curve(2), run_id="cmpb0002", name="cold-lake-2", project="vision")
    make_run(store, curve(2), run_id="zzz00003", name="wide-sky-3", project="speech")
    bin_dir = base / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "runwrap"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m runwrap "$@"\n')
    launcher.chmod(0o755)
    env = child_env(RUNWRAP_DIR=str(store))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_completion_scripts_are_current(shell):
    committed = (COMPLETIONS / FILES[shell]).read_text()
    assert committed == completion_source(shell), (
        f"completions/{FILES[shell]} is stale: run python -m runwrap.cli.completion --write completions/")


def test_completion_command_prints_the_committed_script():
    result = runwrap("completion", "zsh")
    assert result.returncode == 0
    assert result.stdout == (COMPLETIONS / "_runwrap").read_text()
    assert runwrap("completion", "tcsh").returncode == 2


def _bash(words, env):
    """Source the script, then call its function exactly as bash's programmable completion
    does: COMP_WORDS/COMP_CWORD/COMP_LINE set, arguments (command, current word, previous)."""
    script = f"""
source {COMPLETIONS / 'runwrap.bash'}
func=$(complete -p runwrap | sed -E 's/.* -F ([^ ]+) .*/\\1/')
COMP_WORDS=({' '.join(repr(w) for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
COMPREPLY=()
"$func" runwrap "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_bash_completes_subcommands(shell_env):
    assert _bash(["runwrap", "com"], shell_env) == ["compare", "completion"]


def test_bash_completes_run_ids_and_names_from_the_store(shell_env):
    got = _bash(["runwrap", "compare", ""], shell_env)
    assert {"latest", "cmpa0001", "cmpb0002", "zzz00003", "warm-river-1", "wide-sky-3"} <= set(got)
    assert _bash(["runwrap", "plot", "cmp"], shell_env) == ["cmpa0001", "cmpb0002"]
    assert _bash(["runwrap", "export", "wi"], shell_env) == ["wide-sky-3"]
    # --project narrows the candidates
    assert _bash(["runwrap", "rm", "--project", "speech", ""], shell_env) == ["latest", "zzz00003", "wide-sky-3"]


def test_bash_completes_projects(shell_env):
    assert _bash(["runwrap", "compare", "--project", ""], shell_env) == ["speech", "vision"]


def test_zsh_completes_run_ids_with_names_as_descriptions(shell_env):
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed (apt-get install -y zsh)")
    # Outside a completion widget compadd/_describe cannot run, so stand-ins print what the
    # script hands them; everything else is the real script calling the real program.
    script = f"""
autoload -U compinit && compinit -u -D
source {COMPLETIONS / '_runwrap'}
compadd() {{ print -l -- "${{completions[@]}}" }}
_describe() {{ print -l -- "${{completions_with_descriptions[@]}}" }}
words=(runwrap diff cmpa "")
CURRENT=3
_runwrap_completion
"""
    result = subprocess.run(["zsh", "-f", "-c", script], env=shell_env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["cmpa0001:warm-river-1 (vision)"]


def test_fish_completes_run_ids_and_names(shell_env):
    if not shutil.which("fish"):
        pytest.skip("fish is not installed (apt-get install -y fish)")
    env = dict(shell_env, HOME=str(Path(shell_env["RUNWRAP_DIR"]).parent))
    script = f"source {COMPLETIONS / 'runwrap.fish'}; complete -C 'runwrap plot c'"
    result = subprocess.run(["fish", "--no-config", "-c", script], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "cmpa0001\twarm-river-1 (vision)" in result.stdout.splitlines()
    assert "cold-lake-2\tcmpb0002 (vision)" in result.stdout.splitlines()
