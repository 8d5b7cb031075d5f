"""`runwrap tail RUN [-f]`, run as the real command against real run directories; in follow mode
against a separate process that writes the run as a wrapper would."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

from runwrap.store.create import create_run
from runwrap.store.documents import update_json
from runwrap.store.layout import RUN_JSON
from runwrap.store.streams import StreamWriter, stream_path

T0 = 1_700_000_000.0

# Plays the wrapper: creates the run, writes one record, waits for the test to have seen it,
# then writes more (a new stream file, a record torn in two writes) and marks the run finished.
WRITER = r"""
import pathlib, sys, time
from runwrap.store.create import create_run
from runwrap.store.documents import update_json
from runwrap.store.streams import StreamWriter, stream_path
root, ack = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
run = create_run(root, "proj", "live1", {"name": "live"}, owner_kind="wrapper")
out = StreamWriter(stream_path(run, "stdout"))
out.write({"_time": time.time(), "_step": 1, "loss": 0.5})
while not ack.exists():
    time.sleep(0.02)
out.write({"_time": time.time(), "_step": 2, "loss": 0.25})
StreamWriter(stream_path(run, "files")).write({"_time": time.time(), "acc": 0.9})
out.write_bytes(b'{"_time": %r, "_step": 3, "lo' % time.time())
time.sleep(0.4)
out.write_bytes(b'ss": 0.125}\n')
update_json(run / "run.json", lambda doc: doc.update(status="finished", exit_code=0))
"""


def tail(store: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runwrap", "tail", "--dir", str(store), *args],
                          capture_output=True, text=True, timeout=60, **kw)


def finished_run(store: Path, run_id: str = "done1") -> Path:
    run = create_run(store, "proj", run_id, {"name": "done"}, owner_kind="wrapper")
    out = StreamWriter(stream_path(run, "stdout"))
    out.write({"_time": T0 + 1, "_runtime": 1.0, "_step": 3, "loss": 0.41, "acc": 0.93})
    out.write({"_time": T0 + 3, "_runtime": 3.0, "_step": 4, "loss": float("nan")})
    system = StreamWriter(stream_path(run, "system"))
    system.write({"_time": T0 + 2, "_runtime": 2.0, "system/cpu/usage (%)": 12.5})
    sdk = StreamWriter(stream_path(run, "sdk", "rank1"))
    sdk.write({"_time": T0 + 4, "_step": 0, "lr": 1e-4, "phase": "warm up"})
    update_json(run / RUN_JSON, lambda doc: doc.update(status="finished", exit_code=0))
    return run


def test_tail_of_a_finished_run_prints_every_record_one_line_each_in_time_order(tmp_path):
    finished_run(tmp_path)
    out = tail(tmp_path, "done1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "[stdout] step=3 loss=0.41 acc=0.93",
        "[system] system/cpu/usage (%)=12.5",
        "[stdout] step=4 loss=nan",
        '[sdk.rank1] step=0 lr=0.0001 phase="warm up"',
    ]
    assert out.stderr == ""


def test_tail_json_prints_the_stored_records_with_their_source(tmp_path):
    finished_run(tmp_path)
    out = tail(tmp_path, "latest", "--json")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["_source"] for r in records] == ["stdout", "system", "stdout", "sdk.rank1"]
    assert records[0] == {"_source": "stdout", "_time": T0 + 1, "_runtime": 1.0, "_step": 3,
                          "loss": 0.41, "acc": 0.93}
    assert records[2]["loss"] == "NaN"  # strict JSON, as stored


def test_tail_source_and_lines_narrow_the_output(tmp_path):
    finished_run(tmp_path)
    out = tail(tmp_path, "done1", "--source", "stdout")
    assert out.stdout.splitlines() == ["[stdout] step=3 loss=0.41 acc=0.93",
                                       "[stdout] step=4 loss=nan"]
    out = tail(tmp_path, "done1", "-n", "2")
    assert [line.split()[0] for line in out.stdout.splitlines()] == ["[stdout]", "[sdk.rank1]"]


def test_tail_of_an_unknown_run_exits_2_naming_it(tmp_path):
    finished_run(tmp_path)
    out = tail(tmp_path, "nosuchrun")
    assert out.returncode == 2
    assert "nosuchrun" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def read_line(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    assert line, f"tail ended early: {proc.stderr.read()}"
    return line.rstrip("\n")


def test_tail_follow_prints_records_as_they_land_and_ends_when_the_run_ends(tmp_path):
    store, ack = tmp_path / "store", tmp_path / "ack"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store), str(ack)])
    run_json = store / "proj" / "live1" / RUN_JSON
    deadline = time.time() + 30
    while not (run_json.exists() and (run_json.parent / "streams" / "stdout.jsonl").exists()):
        assert time.time() < deadline and writer.poll() is None
        time.sleep(0.02)
    follower = subprocess.Popen([sys.executable, "-m", "runwrap", "tail", "--dir", str(store),
                                 "-f", "--poll", "0.05", "live1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The first record shows while the writer still waits: the view is live.
        assert read_line(follower) == "[stdout] step=1 loss=0.5"
        assert writer.poll() is None
        ack.write_text("seen")
        rest: List[str] = [line.rstrip("\n") for line in follower.stdout]
        assert follower.wait(timeout=30) == 0
    finally:
        for p in (writer, follower):
            if p.poll() is None:
                p.kill()
                p.wait()
    assert writer.wait() == 0
    assert rest == ["[stdout] step=2 loss=0.25", "[files] acc=0.9",
                    "[stdout] step=3 loss=0.125"]


def test_tail_follow_of_a_run_whose_owner_died_stops_after_printing_it(tmp_path):
    run = finished_run(tmp_path, "crash1")
    gone = subprocess.Popen(["true"])
    gone.wait()
    update_json(run / RUN_JSON, lambda doc: doc.update(
        status="running", owner=dict(doc["owner"], pid=gone.pid, pid_start=None)))
    t = time.monotonic()
    out = tail(tmp_path, "crash1", "-f")
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 4
    assert time.monotonic() - t < 20


def test_ctrl_c_ends_tail_follow_quietly_with_130(tmp_path):
    # Owned by this (live) test process, so the run stays `running` and tail keeps following.
    finished_run(tmp_path, "live2")
    update_json(tmp_path / "proj" / "live2" / RUN_JSON, lambda doc: doc.update(status="running"))
    follower = subprocess.Popen([sys.executable, "-m", "runwrap", "tail", "--dir", str(tmp_path),
                                 "-f", "--poll", "0.05", "live2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert read_line(follower).startswith("[stdout] step=3")
        time.sleep(0.2)
        os.kill(follower.pid, signal.SIGINT)
        assert follower.wait(timeout=20) == 130
        assert follower.stderr.read() == ""
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()


def test_tail_follow_of_a_real_wrapped_run_shows_its_system_records_and_ends_with_it(tmp_path):
    store = tmp_path / "store"
    wrapper = subprocess.Popen([sys.executable, "-m", "runwrap", "--dir", str(store),
                                "--stats-interval", "0.2", "--", "sleep", "1.5"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while not list(store.glob("*/*/run.json")):
        assert time.time() < deadline and wrapper.poll() is None
        time.sleep(0.02)
    follower = subprocess.Popen([sys.executable, "-m", "runwrap", "tail", "--dir", str(store),
                                 "-f", "--poll", "0.05", "--source", "system", "latest"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = read_line(follower)
        assert wrapper.poll() is None  # seen while the run is still going
        rest = follower.stdout.read().splitlines()
        assert follower.wait(timeout=30) == 0
        assert wrapper.wait(timeout=30) == 0
        run_json = json.loads(next(store.glob("*/*/run.json")).read_text())
        assert run_json["status"] == "finished"  # tail ended because the run did
    finally:
        for p in (wrapper, follower):
            if p.poll() is None:
                p.kill()
                p.wait()
    lines = [first] + rest
    assert len(lines) >= 4
    assert all(line.startswith("[system] system/cpu/usage (%)=") for line in lines)
    assert "system/process/count=1" in first
