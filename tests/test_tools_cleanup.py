"""`runwrap rm` and `runwrap gc`: what they remove, what they never remove, what they report."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from runwrap.store.cleanup import parse_age, run_size
from runwrap.store.documents import update_json
from tools_support import child_env, curve, make_run, runwrap

DAY = 86400.0


def _age(run_dir, days):
    """Make a run look as if it ended `days` ago (what time would do)."""
    def older(doc):
        doc["start_time"] = time.time() - days * DAY - 60
        doc["end_time"] = time.time() - days * DAY
    update_json(run_dir / "run.json", older)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    store = tmp_path_factory.mktemp("cleanup") / "store"
    old_failed = make_run(store, curve(5), run_id="oldfail1", name="old-failed")
    update_json(old_failed / "run.json", lambda d: d.update(status="failed", exit_code=1))
    _age(old_failed, 40)
    old_tagged = make_run(store, curve(5), run_id="oldtag01", name="old-tagged", tags="best")
    _age(old_tagged, 40)
    make_run(store, curve(5), run_id="newrun01", name="new")
    return store


@pytest.fixture
def store(template, tmp_path):
    """A fresh copy of the three runs for each test (tests remove things)."""
    copy = tmp_path / "store"
    shutil.copytree(template, copy, symlinks=True)
    return copy


def _ids(store):
    return sorted(p.name for p in store.glob("*/*") if (p / "run.json").exists())


@pytest.fixture
def running(store):
    """A real wrapper around `sleep`, still running; killed with SIGKILL at the end."""
    proc = subprocess.Popen([sys.executable, "-m", "runwrap", "--dir", str(store), "--project",
                             "proj", "--id", "running1", "--quiet", "--stats-interval", "0",
                             "--", "sleep", "60"], env=child_env(), start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not (store / "proj" / "running1" / "run.json").exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_gc_dry_run_lists_and_removes_nothing(store):
    before = {p: p.stat().st_mtime for p in store.rglob("*")}
    result = runwrap("gc", "--older-than", "30d", "--dry-run", "--dir", store)
    assert result.returncode == 0, result.stderr
    assert "oldfail1" in result.stdout and "oldtag01" in result.stdout
    assert "newrun01" not in result.stdout
    assert "would remove 2 run(s)" in result.stdout
    assert {p: p.stat().st_mtime for p in store.rglob("*")} == before


def test_gc_removes_old_runs_keeps_tagged_and_reports_space_freed(store):
    expected = run_size(store / "proj" / "oldfail1")
    result = runwrap("gc", "--older-than", "30d", "--keep-tagged", "--yes", "--json", "--dir", store)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [r["id"] for r in report["removed"]] == ["oldfail1"]
    assert report["bytes"] == expected > 0
    assert _ids(store) == ["newrun01", "oldtag01"]


def test_gc_by_status_only_takes_that_status(store):
    result = runwrap("gc", "--status", "failed,crashed", "--yes", "--dir", store)
    assert result.returncode == 0, result.stderr
    assert "removed 1 run(s), freed" in result.stdout
    assert _ids(store) == ["newrun01", "oldtag01"]


def test_gc_needs_a_criterion_and_rejects_bad_ones(store):
    assert runwrap("gc", "--dir", store).returncode == 2
    bad = runwrap("gc", "--older-than", "soon", "--dir", store)
    assert bad.returncode == 2 and "--older-than 'soon'" in bad.stderr
    bad = runwrap("gc", "--status", "running", "--yes", "--dir", store)
    assert bad.returncode == 2
    assert _ids(store) == ["newrun01", "oldfail1", "oldtag01"]


def test_rm_asks_first_and_keeps_the_run_when_told_no(store):
    result = runwrap("rm", "new", "--dir", store, input="n\n")
    assert result.returncode == 1
    assert "newrun01" in result.stderr and "nothing removed" in result.stderr
    assert "newrun01" in _ids(store)
    result = runwrap("rm", "new", "--dir", store, input="y\n")
    assert result.returncode == 0, result.stderr
    assert "removed 1 run(s)" in result.stdout
    assert "newrun01" not in _ids(store)


def test_rm_with_yes_removes_several_and_moves_latest(store):
    assert os.readlink(store / "latest").endswith("newrun01")
    result = runwrap("rm", "newrun01", "oldtag", "--yes", "--dir", store)
    assert result.returncode == 0, result.stderr
    assert _ids(store) == ["oldfail1"]
    assert os.readlink(store / "latest").endswith("oldfail1")
    assert runwrap("show", "latest", "--dir", store).returncode == 0


def test_rm_never_removes_a_running_run(store, running):
    result = runwrap("rm", "running1", "newrun01", "--yes", "--dir", store)
    assert result.returncode == 2
    assert "running1 is running" in result.stderr
    assert "running1" in _ids(store) and "newrun01" in _ids(store)  # nothing at all removed
    gc = runwrap("gc", "--older-than", "0s", "--yes", "--dir", store)
    assert gc.returncode == 0
    assert _ids(store) == ["running1"]


def test_a_crashed_run_is_collected_by_status(store, running):
    os.killpg(running.pid, signal.SIGKILL)
    running.wait()
    result = runwrap("gc", "--status", "crashed", "--yes", "--json", "--dir", store)
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["removed"]] == ["running1"]


def test_ages_read_units():
    assert parse_age("30d") == 30 * DAY and parse_age("12h") == 12 * 3600
    assert parse_age("90m") == 5400 and parse_age("2w") == 14 * DAY and parse_age("7") == 7 * DAY


def test_run_size_counts_blocks_of_every_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "big").write_bytes(b"x" * 100_000)
    (tmp_path / "small").write_bytes(b"x")
    assert run_size(tmp_path) >= 100_001


def test_ls_size_shows_each_runs_size_on_disk(store):
    result = runwrap("ls", "--size", "--json", "--dir", store)
    assert result.returncode == 0, result.stderr
    sizes = {r["id"]: r["size"] for r in json.loads(result.stdout)}
    assert sizes["newrun01"] == run_size(store / "proj" / "newrun01") > 0
    table = runwrap("ls", "--size", "--dir", store).stdout.splitlines()
    assert table[0].split()[-1] == "SIZE" and table[1].endswith("KB")
