"""Malformed input, one table: each CLI row exits 2 with one line that names the input; each
init() row raises UsageError with a one-line message that names it. Nothing is written."""
from __future__ import annotations

import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import runwrap
from runwrap.errors import UsageError
from runwrap.store.create import create_run

from faults_support import RUNWRAP, clean_env, figures, no_traceback

LONG = "a" * 129
# (arguments after `runwrap`, text the error must contain). {store}, {file} are filled in.
CLI: List[Tuple[List[str], str]] = [
    (["--id", "a/b", "true"], "a/b"),
    (["--id", "", "true"], "--id"),
    (["--id", LONG, "true"], "129 characters"),
    (["--project", "../up", "true"], "../up"),
    (["--project", "a/b", "true"], "a/b"),
    (["--entity", "e/f", "true"], "e/f"),
    (["--mode", "bogus", "true"], "bogus"),
    (["--resume", "sometimes", "true"], "sometimes"),
    (["--resume", "must", "true"], "--id"),
    (["--resume", "must", "--id", "nosuchrun", "true"], "nosuchrun"),
    (["--project", "p", "--id", "exists1", "true"], "exists1"),
    (["--config", "missing.yaml", "true"], "missing.yaml"),
    (["--config", "bad.yaml", "true"], "bad.yaml"),
    (["--config", "list.yaml", "true"], "list.yaml"),
    (["--config", "=1", "true"], "'=1'"),
    (["--stats-interval", "-1", "true"], "--stats-interval"),
    (["--stats-interval", "nan", "true"], "--stats-interval nan"),
    (["--stats-interval", "abc", "true"], "abc"),
    (["--sync-timeout", "-2", "true"], "--sync-timeout"),
    (["--scalars", "(", "true"], "--scalars '('"),
    (["--scalars", "abc", "true"], "'abc'"),
    (["--dir", "{file}", "true"], "{file}"),
    ([], "COMMAND"),
    (["sweep"], "see `runwrap sweep --help`"),
    (["tail"], "Missing argument 'RUN' (see `runwrap tail --help`)"),
    (["ls", "--bogus"], "see `runwrap ls --help`"),
    (["show", "nosuchrun"], "nosuchrun"),
    (["tail", "nosuchrun"], "nosuchrun"),
    (["ls", "--status", "weird"], "weird"),
    (["sync", "--tracking-uri", "http://127.0.0.1:9"], "--all"),
    (["sync", "--all", "exists1", "--tracking-uri", "http://127.0.0.1:9"], "--all"),
    (["sync", "--all"], "--tracking-uri"),
    (["diff", "exists1"], "RUN"),
    (["export", "exists1", "--format", "bogus"], "bogus"),
    (["export", "nosuchrun"], "nosuchrun"),
    (["rm", "nosuchrun"], "nosuchrun"),
    (["gc", "--older-than", "yesterday"], "yesterday"),
]
# init() keyword arguments, and text the UsageError must contain.
INIT: List[Tuple[Dict[str, object], str]] = [
    ({"id": "a/b"}, "a/b"),
    ({"id": ""}, "id"),
    ({"id": "x" * 200}, "200 characters"),
    ({"project": "x/y"}, "x/y"),
    ({"entity": "e/f"}, "e/f"),
    ({"anonymous": "sometimes"}, "sometimes"),
    ({"reinit": "bogus"}, "bogus"),
    ({"resume": "sometimes"}, "sometimes"),
    ({"resume": "must", "id": "nosuchrun"}, "nosuchrun"),
    ({"resume_from": "nostep"}, "nostep"),
    ({"resume_from": "abc?_step=-1"}, "abc?_step=-1"),
    ({"fork_from": "x"}, "fork_from='x'"),
    ({"resume": "allow", "resume_from": "r?_step=1"}, "mutually exclusive"),
    ({"config": "missing.yaml"}, "missing.yaml"),
    ({"config": "bad.yaml"}, "bad.yaml"),
    ({"config": "list.yaml"}, "list.yaml"),
    ({"config": {"a.b": 1}}, "a.b"),
    ({"config": 42}, "config"),
    ({"config_include_keys": ["a"], "config_exclude_keys": ["b"]}, "config_include_keys"),
    ({"config_exclude_keys": 5}, "config_exclude_keys=5"),
    ({"tags": ["x" * 100]}, "x" * 64),
    ({"tags": [""]}, "tag ''"),
    ({"tags": 0}, "tags=0"),
    ({"settings": {"no_such_setting": 1}}, "no_such_setting"),
    ({"settings": 42}, "settings"),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with the bad files the rows name, and a store holding run `exists1`."""
    work = tmp_path_factory.mktemp("bad-input")
    (work / "bad.yaml").write_text("a: [unclosed\n")
    (work / "list.yaml").write_text("- 1\n- 2\n")
    (work / "a-file").write_text("not a directory\n")
    create_run(work / "store", "p", "exists1", {"name": "first"}, owner_kind="wrapper")
    return work


def _fill(args: List[str], work: Path) -> List[str]:
    return [a.replace("{file}", str(work / "a-file")) for a in args]


@pytest.fixture(scope="module")
def cli_results(workdir) -> Dict[int, subprocess.CompletedProcess]:
    """Every CLI row run once as `python -m runwrap ...`, four at a time (start-up bound)."""
    env = clean_env(workdir / "store")
    before = sorted(str(p) for p in (workdir / "store").rglob("*"))

    def run(i: int) -> subprocess.CompletedProcess:
        return subprocess.run(RUNWRAP + _fill(CLI[i][0], workdir), cwd=workdir, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)

    with ThreadPoolExecutor(4) as pool:
        results = dict(enumerate(pool.map(run, range(len(CLI)))))
    after = sorted(str(p) for p in (workdir / "store").rglob("*"))
    figures("bad-input-cli", rows=len(CLI), exit_2=sum(r.returncode == 2 for r in
                                                        results.values()),
            store_changed=before != after)
    assert before == after, "a bad input wrote into the store"
    return results


@pytest.mark.parametrize("row", range(len(CLI)), ids=[" ".join(a)[:40] or "(none)"
                                                       for a, _ in CLI])
def test_bad_cli_input_exits_2_with_one_line_naming_it(cli_results, workdir, row):
    args, needle = CLI[row]
    needle = _fill([needle], workdir)[0]
    done = cli_results[row]
    # The start notice ("recording run ...") may precede an error found while creating the run.
    lines = [l for l in done.stderr.splitlines() if not l.startswith("runwrap: recording run")]
    line = figures("bad-input", row=row, args=_fill(args, workdir)[:6], exit=done.returncode,
                   message=lines)
    assert done.returncode == 2, line
    assert len(lines) == 1 and lines[0].startswith("runwrap: "), line
    assert needle in lines[0], line
    assert no_traceback(done.stderr) and done.stdout == "", line


@pytest.mark.parametrize("kwargs,needle", INIT, ids=[",".join(k)[:40] for k, _ in INIT])
def test_bad_init_argument_raises_usage_error_naming_it(workdir, tmp_path, monkeypatch, kwargs,
                                                        needle):
    monkeypatch.chdir(workdir)
    store = tmp_path / "store"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UsageError) as caught:
            runwrap.init(**dict({"mode": "offline", "dir": str(store), "project": "p"},
                                **kwargs))
    message = str(caught.value)
    line = figures("bad-input-init", kwargs=sorted(kwargs), message=message[:160])
    assert needle in message and "\n" not in message, line
    assert not list(store.glob("*/*/run.json")), line  # checked before anything is written
