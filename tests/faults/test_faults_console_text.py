"""Stored text meets the user's console: run names, metric keys, config keys, tags and notes
with characters the console's encoding lacks, or with escape sequences a terminal would act on.

Every reader command prints what it can (replacement characters for what the encoding lacks)
and exits 0; nothing stored reaches a real terminal as a control character: it is shown
escaped (`\\u001b`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from faults_support import RUNWRAP, clean_env, figures, no_traceback, write_script
from wrapper_harness import Terminal

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[8m\x9b5m"  # title, clear screen, conceal, C1 CSI
MAKE_RUNS = f"""
    import runwrap
    for lr in (0.1, 0.2):
        run = runwrap.init(project="p", name="résumé-🚀" + {HOSTILE!r} + str(lr),
                           config={{"lr_é": lr, "note" + {HOSTILE!r}: "x" + {HOSTILE!r}}},
                           tags=["t" + {HOSTILE!r}], notes="n" + {HOSTILE!r}, dir="store")
        for i in range(3):
            run.log({{"损失/é": 1.0 / (i + 1), "acc" + {HOSTILE!r}: 0.5}})
        run.finish()
"""


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("console_text")
    script = write_script(work, "make_runs.py", MAKE_RUNS)
    store = work / "store"
    done = subprocess.run([sys.executable, str(script)], cwd=work, env=clean_env(store),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return store


def reader_commands(run: str, other: str) -> List[List[str]]:
    """Every command that reads the store and prints, in its usual forms."""
    key = "acc" + HOSTILE
    return [["ls"], ["ls", "--json"], ["ls", "--size"], ["show", run], ["show", run, "--json"],
            ["tail", run], ["tail", run, "--json"], ["compare", run, other],
            ["compare", run, other, "--json"], ["compare", run, other, "--csv"],
            ["compare", run, other, "-m", key], ["diff", run, other], ["export", run],
            ["export", run, "--format", "jsonl"], ["export", run, "--wide"],
            ["plot", run, "-m", key], ["plot", run, "-m", "损失/é"],
            ["gc", "--dry-run", "--older-than", "0m"], ["gc", "--dry-run", "--json", "--status", "finished"],
            ["sync", "--dry-run", run], ["sync", "--dry-run", "--json", run],
            ["artifacts"], ["artifacts", "--json"], ["ls", "--project", "p", "--limit", "1"]]


def _run_ids(store: Path) -> List[str]:
    return sorted(p.parent.name for p in store.glob("p/*/run.json"))


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_every_reader_command_prints_under_a_non_utf8_console(hostile_store: Path,
                                                               encoding: str) -> None:
    run, other = _run_ids(hostile_store)
    env = clean_env(hostile_store, PYTHONIOENCODING=encoding, COLUMNS="200")
    failed = []
    for args in reader_commands(run, other):
        done = subprocess.run(RUNWRAP + args, env=env, cwd=hostile_store.parent,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        if done.returncode != 0 or not no_traceback(done.stderr.decode("utf-8", "replace")):
            failed.append((args[:2], done.returncode,
                           done.stderr.decode("utf-8", "replace")[-300:]))
    line = figures(f"reader_commands_{encoding}", commands=len(reader_commands(run, other)),
                   failed=len(failed), first_failures=failed[:3])
    assert not failed, line


def test_stored_escape_sequences_reach_a_terminal_escaped(hostile_store: Path) -> None:
    run, other = _run_ids(hostile_store)
    env = clean_env(hostile_store, COLUMNS="200", TERM="xterm")
    leaked = []
    shown = []
    for args in reader_commands(run, other):
        term = Terminal(args, cwd=hostile_store.parent, env=env, cols=200)
        try:
            code = term.wait(timeout=120)
        finally:
            term.close()
        screen = term.output
        for raw in (b"\x1b]", b"\x1b[2J", b"\x1b[8m", b"\xc2\x9b", b"\x07"):
            if raw in screen:
                leaked.append((args[:2], raw, code))
        if b"\\u001b]0;pwned" in screen:
            shown.append(args[0])
    line = figures("escape_sequences_on_a_terminal", commands=len(reader_commands(run, other)),
                   leaked=len(leaked), first_leaks=leaked[:4], shown_escaped=sorted(set(shown)))
    assert not leaked, line
    assert {"ls", "show", "compare", "tail"} <= set(shown), line
