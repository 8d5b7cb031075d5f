"""The listing index is a cache: `runwrap ls` stays right when runs are added, changed or
deleted behind its back, and a damaged index is rebuilt."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tools_support import runwrap

HOUR_NS = 3600 * 10**9


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    for run_id in ("aaa", "bbb", "ccc"):
        result = runwrap("--dir", root, "--project", "p", "--id", run_id, "--name", run_id,
                         "--quiet", "--stats-interval", "0", "--", sys.executable, "-c", "pass")
        assert result.returncode == 0, result.stderr
    return root


def ls(root: Path, *args: str) -> list:
    result = runwrap("ls", "--dir", root, "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def backdate(run_json: Path, ns: int) -> None:
    """Give run.json an mtime far before the index is written, as a run of last week has."""
    os.utime(run_json, ns=(time.time_ns() - ns, time.time_ns() - ns))


def edit(run_json: Path, **changes) -> None:
    doc = json.loads(run_json.read_text())
    doc.update(changes)
    run_json.write_text(json.dumps(doc, indent=2))


def test_listing_builds_an_index_and_lists_newest_first(store: Path) -> None:
    assert [r["id"] for r in ls(store)] == ["ccc", "bbb", "aaa"]
    assert [r["id"] for r in ls(store, "--limit", "2")] == ["ccc", "bbb"]
    index = json.loads((store / ".index" / "p.json").read_text())
    assert index["ids"] == ["ccc", "bbb", "aaa"]


def settle(store: Path) -> None:
    """Make the store look a week old and let one listing trust it: the index is then used
    without checking runs one by one, unless something says a project changed."""
    for run_json in store.glob("p/*/run.json"):
        backdate(run_json, HOUR_NS)
    backdate(store / "p", HOUR_NS)
    ls(store)
    assert ls(store)  # written again now that nothing is "racy": trusted from here on


def test_runs_added_and_deleted_behind_the_index_are_listed_right(store: Path) -> None:
    settle(store)
    shutil.rmtree(store / "p" / "aaa")
    shutil.copytree(store / "p" / "ccc", store / "p" / "ddd")
    edit(store / "p" / "ddd" / "run.json", id="ddd", start_time=time.time() + 60)
    assert [r["id"] for r in ls(store)] == ["ddd", "ccc", "bbb"]
    assert [r["id"] for r in ls(store, "--limit", "1")] == ["ddd"]


def test_a_run_changed_by_another_runwrap_is_listed_right(store: Path) -> None:
    settle(store)
    # Another host resumes the oldest run and tags it: its start time moves to the top.
    result = runwrap("--dir", store, "--project", "p", "--id", "aaa", "--resume", "allow",
                     "--tags", "again", "--quiet", "--stats-interval", "0", "--",
                     sys.executable, "-c", "raise SystemExit(3)")
    assert result.returncode == 3
    rows = ls(store, "--limit", "1")
    assert [(r["id"], r["status"]) for r in rows] == [("aaa", "failed")]
    assert [r["id"] for r in ls(store, "--status", "failed")] == ["aaa"]
    assert [r["id"] for r in ls(store, "--tag", "again")] == ["aaa"]


def test_a_run_json_edited_by_hand_is_found_by_the_next_full_check(store: Path) -> None:
    settle(store)
    # An in-place edit, no folder changes: nothing but run.json's own stamp moves.
    edit(store / "p" / "bbb" / "run.json", status="failed", tags=["late"])
    backdate(store / "p" / "bbb" / "run.json", HOUR_NS // 2)
    # Naming the project checks its runs one by one.
    assert [r["id"] for r in ls(store, "--project", "p", "--status", "failed")] == ["bbb"]
    edit(store / "p" / "bbb" / "run.json", status="killed")
    backdate(store / "p" / "bbb" / "run.json", HOUR_NS // 3)
    # The whole-store listing re-checks a project whose last full check is old.
    index = store / ".index" / "p.json"
    doc = json.loads(index.read_text())
    doc["checked"] = time.time() - 86400
    index.write_text(json.dumps(doc, separators=(",", ":")))
    assert [r["id"] for r in ls(store, "--status", "killed")] == ["bbb"]


def test_a_change_in_the_same_timestamp_tick_as_the_index_is_not_trusted(store: Path) -> None:
    ls(store)  # index written right after the runs: every entry is still "racy"
    run_json = store / "p" / "bbb" / "run.json"
    before = os.stat(run_json)
    # The same size and the same mtime: only the racy rule can notice this change.
    text = run_json.read_text().replace('"finished"', '"failed"  ')
    run_json.write_text(text)
    os.utime(run_json, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(run_json).st_size == before.st_size
    assert {r["id"]: r["status"] for r in ls(store)}["bbb"] == "failed"


@pytest.mark.parametrize("damage", [
    b"", b"{not json", b"[]", b'{"version": 99, "ids": [], "start": [], "facts": []}',
    b'{"version": 3, "folder": 1, "checked": 1, "ids": ["aaa"], "start": ["x"], "facts": ["y"]}',
])
def test_a_damaged_index_is_rebuilt(store: Path, damage: bytes) -> None:
    ls(store)
    index = store / ".index" / "p.json"
    index.write_bytes(damage)
    assert [r["id"] for r in ls(store)] == ["ccc", "bbb", "aaa"]
    assert json.loads(index.read_text())["ids"] == ["ccc", "bbb", "aaa"]


def test_a_read_only_store_is_listed_without_an_index(store: Path) -> None:
    shutil.rmtree(store / ".index", ignore_errors=True)
    os.chmod(store, 0o555)
    try:
        assert [r["id"] for r in ls(store)] == ["ccc", "bbb", "aaa"]
    finally:
        os.chmod(store, 0o755)


def test_a_run_is_found_by_its_name_through_the_index(store: Path) -> None:
    result = runwrap("--dir", store, "--project", "q", "--id", "eee", "--name", "named-one",
                     "--quiet", "--stats-interval", "0", "--", sys.executable, "-c", "pass")
    assert result.returncode == 0, result.stderr
    settle(store)
    shown = runwrap("show", "named-one", "--dir", store, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["run"]["id"] == "eee"
    # Renamed by hand (no folder change): the name is looked up in run.json, not trusted.
    edit(store / "q" / "eee" / "run.json", name="other-name")
    backdate(store / "q" / "eee" / "run.json", HOUR_NS // 2)
    assert runwrap("show", "named-one", "--dir", store).returncode == 2
