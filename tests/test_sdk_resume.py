"""resume, resume_from and fork_from: which run continues, its step, config and summary."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from sdk_harness import (all_runs, child_env, config, meta, metrics, only_run, records,
                         run_script, summary)

FIRST = """
    import runwrap
    run = runwrap.init(project="p", id="r1", config={"lr": 0.1})
    run.log({"grad": float("inf")}, commit=False)
    for i in range(5):
        run.log({"loss": 10.0 - i})
    run.summary["note"] = "first life"
    run.finish()
"""


def test_resume_allow_continues_steps_config_and_summary(tmp_path):
    assert run_script(tmp_path, FIRST).returncode == 0
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", id="r1", resume="allow")
        print(run.resumed, run.step, run.config.lr, run.summary["note"], run.summary["loss"])
        run.log({"loss": 1.0, "grad": 2.0})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "5", "0.1", "first", "life", "6.0"]
    run = only_run(tmp_path / "store")
    assert [r["_step"] for r in records(run)] == [0, 0, 1, 2, 3, 4, 5]
    assert summary(run)["sdk"]["grad"]["max"] == "Infinity"
    stats = summary(run)["sdk"]["loss"]
    assert stats["count"] == 6 and stats["min"] == 1.0 and stats["max"] == 10.0
    assert config(run) == {"lr": 0.1}
    assert meta(run)["resumed"] is True and meta(run)["status"] == "finished"


def test_resume_allow_without_an_existing_run_creates_it(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        print(runwrap.init(project="p", id="new1", resume="allow").resumed)
    """)
    assert done.stdout.strip() == "False"
    assert only_run(tmp_path / "store").name == "new1"


def test_resume_never_and_must_refuse_before_writing(tmp_path):
    assert run_script(tmp_path, FIRST).returncode == 0
    done = run_script(tmp_path, """
        import runwrap
        for kwargs in (dict(id="r1", resume="never"), dict(id="r1"), dict(id="zz", resume="must"),
                       dict(resume="must")):
            try:
                runwrap.init(project="p", **kwargs)
            except runwrap.UsageError as e:
                print(e)
    """)
    lines = done.stdout.splitlines()
    assert "resume='never'" in lines[0]
    assert "resume='allow'" in lines[1]
    assert "no run 'zz'" in lines[2]
    assert "needs id=" in lines[3]
    assert len(all_runs(tmp_path / "store")) == 1


def test_resume_auto_continues_a_crashed_run_of_the_same_program(tmp_path):
    code = """
        import os, signal, sys, runwrap
        run = runwrap.init(project="p", resume="auto")
        run.log({"x": run.step})
        print(run.id, run.resumed, run.step, flush=True)
        if len(sys.argv) > 1:
            os.kill(os.getpid(), signal.SIGKILL)
    """
    first = run_script(tmp_path, code, args=["crash"])
    assert first.returncode == -signal.SIGKILL
    second = run_script(tmp_path, code)
    third = run_script(tmp_path, code)
    id1, resumed1, _ = first.stdout.split()
    id2, resumed2, step2 = second.stdout.split()
    id3, resumed3, _ = third.stdout.split()
    assert resumed1 == "False" and (id2, resumed2, step2) == (id1, "True", "2")
    assert id3 != id1 and resumed3 == "False"  # the resumed run finished cleanly


def test_resume_auto_never_continues_a_run_that_is_still_running(tmp_path):
    # The first life fails; a second start continues it and stays running; a third start
    # meanwhile must not write into it as well: it gets a new run.
    code = """
        import os, sys, time, runwrap
        run = runwrap.init(project="p", resume="auto")
        print(run.id, run.resumed, flush=True)
        if sys.argv[1:] == ["fail"]:
            sys.exit(3)
        if sys.argv[1:] == ["hold"]:
            while not os.path.exists("release"):
                time.sleep(0.02)
    """
    assert run_script(tmp_path, code, args=["fail"]).returncode == 3
    failed_id = only_run(tmp_path / "store").name
    work = tmp_path / "work"
    holder = subprocess.Popen([sys.executable, str(work / "train.py"), "hold"], cwd=work,
                              env=child_env(tmp_path / "store"), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().split() == [failed_id, "True"]  # a failed run continues
        third = run_script(tmp_path, code)
        assert third.returncode == 0, third.stderr
        third_id, resumed = third.stdout.split()
        assert third_id != failed_id and resumed == "False"
    finally:
        (work / "release").write_text("")
        holder.wait(30)
    assert meta(tmp_path / "store" / "p" / failed_id)["status"] == "finished"


def test_resume_from_rewinds_and_archives_the_later_history(tmp_path):
    assert run_script(tmp_path, FIRST).returncode == 0
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", resume_from="r1?_step=2")
        print(run.id, run.step, run.summary["loss"])
        run.log({"loss": 0.5})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["r1", "3", "8.0"]
    run = only_run(tmp_path / "store")
    assert [(r["_step"], r.get("loss")) for r in records(run)] == [
        (0, None), (0, 10.0), (1, 9.0), (2, 8.0), (3, 0.5)]
    archived = list((run / "archive").glob("rewind-*/sdk.jsonl"))
    assert len(archived) == 1
    assert [json.loads(l)["_step"] for l in archived[0].read_text().splitlines()] == [3, 4]
    assert meta(run)["rewinds"][0]["step"] == 2


def test_fork_from_starts_a_new_run_with_the_parents_history_up_to_the_step(tmp_path):
    assert run_script(tmp_path, FIRST).returncode == 0
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", fork_from="r1?_step=1", id="child")
        print(run.step, run.config.lr)
        run.log({"loss": 0.1})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "0.1"]
    child = tmp_path / "store" / "p" / "child"
    assert [(r["_step"], r.get("loss")) for r in records(child)] == [
        (0, None), (0, 10.0), (1, 9.0), (2, 0.1)]
    assert meta(child)["fork"] == {"run_id": "r1", "project": "p", "step": 1, "records": 3}
    assert len(records(tmp_path / "store" / "p" / "r1")) == 6  # the parent is untouched


def test_resume_point_errors(tmp_path):
    assert run_script(tmp_path, FIRST).returncode == 0
    done = run_script(tmp_path, """
        import runwrap
        for kwargs in (dict(fork_from="r1?_step=1", id="r1"), dict(fork_from="r1@3"),
                       dict(resume_from="r1?step=x"), dict(resume="allow", fork_from="r1?_step=1"),
                       dict(resume_from="nope?_step=1")):
            try:
                runwrap.init(project="p", **kwargs)
            except runwrap.UsageError as e:
                print(e)
    """)
    lines = done.stdout.splitlines()
    assert "needs a new id" in lines[0]
    assert "malformed; use '{run_id}?_step={step}'" in lines[1]
    assert "resume_from='r1?step=x' is malformed" in lines[2]
    assert "mutually exclusive" in lines[3]
    assert "no run 'nope'" in lines[4]
    assert len(all_runs(tmp_path / "store")) == 1
