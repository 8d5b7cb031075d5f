"""The system sampler: machine figures and the wrapped program's whole process tree, from real
processes, written to streams/system.jsonl."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from runwrap.collectors.system import sampler as system
from runwrap.collectors.base import CollectorContext
from runwrap.collectors.system.sampler import SystemSampler, tree_pids
from runwrap.store.streams import read_records, stream_path
from runwrap.wrap.collect import build_collectors
from runwrap.wrap.request import WrapOptions

MACHINE_KEYS = [system.CPU_PERCENT, system.MEMORY_USED, system.MEMORY_PERCENT,
                system.NETWORK_SENT, system.NETWORK_RECEIVED]
PROCESS_KEYS = [system.PROCESS_CPU_PERCENT, system.PROCESS_RSS, system.PROCESS_THREADS,
                system.PROCESS_COUNT]

# A program with a process tree: two workers, one of which starts a grandchild; one worker
# spins so the tree's CPU is visibly above zero. It writes `ready` once all are running.
FORKING_PROGRAM = r"""
import subprocess, sys, time, pathlib
ready = pathlib.Path(sys.argv[1])
spin = "import time\nend = time.time() + 30\nwhile time.time() < end: pass"
nest = "import subprocess, sys, time; p = subprocess.Popen(['sleep', '30']); time.sleep(30)"
workers = [subprocess.Popen([sys.executable, "-c", spin]),
           subprocess.Popen([sys.executable, "-c", nest])]
time.sleep(0.5)  # let the nested worker start its own child
ready.write_text("ok")
time.sleep(30)
"""


def context(tmp_path: Path, child_pid: int = None) -> CollectorContext:
    return CollectorContext(run_dir=tmp_path / "run", start_time=time.time(), cwd=tmp_path,
                            store_root=tmp_path, child_pid=child_pid)


def records(tmp_path: Path) -> List[Dict[str, Any]]:
    return list(read_records(stream_path(tmp_path / "run", "system")))


def kill_tree(proc: subprocess.Popen) -> None:
    for pid in reversed(tree_pids(proc.pid)):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    proc.wait()


def test_sleeping_child_yields_system_records_every_interval(tmp_path):
    child = subprocess.Popen(["sleep", "5"])
    try:
        sampler = SystemSampler(context(tmp_path, child.pid), interval=0.1, nvml=None)
        sampler.start()
        time.sleep(0.75)
        sampler.stop()
    finally:
        child.kill()
        child.wait()
    recs = records(tmp_path)
    assert 3 <= len(recs) <= 8  # 7 on time; fewer when a loaded machine wakes us late
    for rec in recs:
        assert isinstance(rec["_time"], float)
        assert 0 < rec["_runtime"] < 2
        assert "_step" not in rec
        for key in MACHINE_KEYS + PROCESS_KEYS:
            assert isinstance(rec[key], (int, float)), key
        assert all(key.startswith("system/") for key in rec if not key.startswith("_"))
        assert rec[system.PROCESS_COUNT] == 1
        assert rec[system.PROCESS_THREADS] >= 1
        assert rec[system.PROCESS_RSS] > 0
        assert 0 <= rec[system.MEMORY_PERCENT] <= 100
    times = [r["_time"] for r in recs]
    assert times == sorted(times)
    assert sampler.problems() == {}


def test_process_tree_counts_every_descendant_and_sums_their_cpu(tmp_path):
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", FORKING_PROGRAM, str(ready)])
    try:
        deadline = time.time() + 20
        while not ready.exists():
            assert time.time() < deadline, "the forking program never got ready"
            time.sleep(0.05)
        sampler = SystemSampler(context(tmp_path, child.pid), interval=0.2, nvml=None)
        sampler.start()
        time.sleep(1.3)
        sampler.stop()
    finally:
        kill_tree(child)
    recs = records(tmp_path)
    assert len(recs) >= 3
    # program + spinning worker + nesting worker + its `sleep`
    assert [r[system.PROCESS_COUNT] for r in recs] == [4] * len(recs)
    assert all(r[system.PROCESS_THREADS] >= 4 for r in recs)
    # One worker spins; even on a busy shared machine it gets a fair slice of a core.
    assert max(r[system.PROCESS_CPU_PERCENT] for r in recs) > 20


def test_process_keys_disappear_when_the_program_has_exited(tmp_path):
    child = subprocess.Popen(["sleep", "0.3"])
    sampler = SystemSampler(context(tmp_path, child.pid), interval=0.1, nvml=None)
    sampler.start()
    child.wait()
    time.sleep(0.4)
    sampler.stop()
    recs = records(tmp_path)
    assert system.PROCESS_COUNT in recs[0]
    last = recs[-1]
    assert all(key not in last for key in PROCESS_KEYS)
    assert all(key in last for key in MACHINE_KEYS)


def test_a_program_not_started_yet_is_picked_up_once_its_pid_is_known(tmp_path):
    ctx = context(tmp_path, child_pid=None)
    sampler = SystemSampler(ctx, interval=0.1, nvml=None)
    sampler.start()
    time.sleep(0.25)
    child = subprocess.Popen(["sleep", "5"])
    ctx.child_pid = child.pid
    time.sleep(0.35)
    sampler.stop()
    child.kill()
    child.wait()
    recs = records(tmp_path)
    assert system.PROCESS_COUNT not in recs[0]
    assert recs[-1][system.PROCESS_COUNT] == 1


def test_disk_and_network_figures_count_from_the_start_of_the_run(tmp_path):
    sampler = SystemSampler(context(tmp_path), interval=0.1, nvml=None)
    sampler.start()
    time.sleep(0.35)
    sampler.stop()
    recs = records(tmp_path)
    for key in (system.NETWORK_SENT, system.NETWORK_RECEIVED):
        values = [r[key] for r in recs]
        assert values == sorted(values) and values[0] >= 0
        assert values[0] < 1024  # bytes since the start, not since boot (MiB)


def test_stats_interval_zero_starts_no_sampler_and_writes_nothing(tmp_path):
    ctx = context(tmp_path)
    chosen = build_collectors(WrapOptions(command=["true"], stats_interval=0), ctx)
    assert not any(isinstance(c, SystemSampler) for c in chosen)
    assert any(isinstance(c, SystemSampler)
               for c in build_collectors(WrapOptions(command=["true"]), ctx))
    idle = SystemSampler(ctx, interval=0)
    idle.start()
    idle.stop()
    assert not stream_path(tmp_path / "run", "system").exists()


def test_tree_of_a_missing_process_is_empty():
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert tree_pids(proc.pid) == []


@pytest.mark.slow
def test_wrapped_sleeping_program_yields_system_records(tmp_path):
    store = tmp_path / "store"
    out = subprocess.run([sys.executable, "-m", "runwrap", "--dir", str(store),
                          "--stats-interval", "0.2", sys.executable, "-c",
                          "import time; time.sleep(1.5)"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # No NVML on a machine is normal and not worth a word.
    assert "gpu" not in out.stderr.lower() and "nvml" not in out.stderr.lower()
    runs = [p for p in store.glob("*/*") if (p / "run.json").exists()]
    assert len(runs) == 1
    recs = list(read_records(stream_path(runs[0], "system")))
    assert len(recs) >= 4
    assert all(r[system.PROCESS_COUNT] >= 1 for r in recs[:3])
    assert all(0 < r["_runtime"] < 5 for r in recs)
