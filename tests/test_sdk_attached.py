"""init() under the wrapper: the same run, its own stream file per process, config merged."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

from runwrap.store.documents import write_json

from sdk_harness import all_runs, child_env, config, meta, only_run, records, run_script


def wrapper_run(store, run_id="wrap1", project="wp", **fields):
    """A run directory as the wrapper leaves it for its child, and the child's environment."""
    run_dir = store / project / run_id
    (run_dir / "streams").mkdir(parents=True)
    doc = {"id": run_id, "project": project, "status": "running", "name": "wrapped",
           "tags": ["cli"], "start_time": time.time(), "owner": {"kind": "wrapper"}}
    doc.update(fields)
    write_json(run_dir / "run.json", doc)
    (run_dir / "config.yaml").write_text("lr: 0.5\n")
    environ = {"RUNWRAP_RUN_ID": run_id, "RUNWRAP_RUN_DIR": str(run_dir),
               "RUNWRAP_PROJECT": project, "RUNWRAP_NAME": "wrapped", "RUNWRAP_TAGS": "cli",
               "RUNWRAP_CONFIG_FILE": str(run_dir / "config.yaml")}
    return run_dir, environ


def test_attached_init_joins_the_wrappers_run_without_touching_its_status(tmp_path):
    run_dir, environ = wrapper_run(tmp_path / "store")
    done = run_script(tmp_path, """
        import os, runwrap
        run = runwrap.init(project="ignored", config={"lr": 0.1, "epochs": 2}, tags=["sdk"],
                           notes="from init")
        print(run.id, run.project, run.config.lr, run.config.epochs)
        run.log({"loss": 1.0}); run.log({"loss": 0.5})
        run.config.extra = "x"
        run.finish()
        print(os.getpid())
    """, extra_env=environ)
    assert done.returncode == 0, done.stderr
    run_id, project, lr, epochs, pid = done.stdout.split()
    assert (run_id, project, lr, epochs) == ("wrap1", "wp", "0.5", "2")  # --config wins
    assert "ignored" in done.stderr and "overridden" in done.stderr
    assert all_runs(tmp_path / "store") == [run_dir]  # no second run
    doc = meta(run_dir)
    assert doc["status"] == "running"  # the wrapper owns the status
    assert doc["tags"] == ["cli", "sdk"] and doc["notes"] == "from init"
    assert doc["init"][pid]["stream"] == f"sdk.{pid}.jsonl"
    assert doc["init"][pid]["options"]["id"]["source"] == "wrapper"
    assert config(run_dir) == {"lr": 0.5, "epochs": 2, "extra": "x"}
    rows = records(run_dir, f"sdk.{pid}.jsonl")
    assert [(r["_step"], r["loss"]) for r in rows] == [(0, 1.0), (1, 0.5)]
    assert not (run_dir / "summary.json").exists()  # the wrapper summarizes at its end


def test_ranks_write_their_own_streams_and_merge_config(tmp_path):
    run_dir, environ = wrapper_run(tmp_path / "store")
    script = tmp_path / "rank.py"
    script.write_text(textwrap.dedent("""
        import os, runwrap
        rank = int(os.environ["RANK"])
        run = runwrap.init(config={f"rank{rank}_batch": 8})
        for i in range(500):
            run.log({"loss": float(i), "rank": rank})
        run.finish()
    """))
    procs = [subprocess.Popen([sys.executable, str(script)], cwd=tmp_path,
                              env=child_env(tmp_path / "store", dict(environ, RANK=str(r))))
             for r in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    for r in range(3):
        rows = records(run_dir, f"sdk.rank{r}.jsonl")
        assert len(rows) == 500 and {row["rank"] for row in rows} == {r}
    assert config(run_dir) == {"lr": 0.5, "rank0_batch": 8, "rank1_batch": 8, "rank2_batch": 8}


def test_a_forked_child_writes_its_own_stream_never_the_parents(tmp_path):
    run_dir, environ = wrapper_run(tmp_path / "store")
    done = run_script(tmp_path, """
        import os, runwrap
        run = runwrap.init()
        run.log({"who": 0})
        pid = os.fork()
        if pid == 0:
            for i in range(200):
                run.log({"child": i})
            os._exit(0)
        for i in range(200):
            run.log({"parent": i})
        os.waitpid(pid, 0)
        run.finish()
        print(os.getpid(), pid)
    """, extra_env=environ)
    assert done.returncode == 0, done.stderr
    parent, child = done.stdout.split()
    mine = records(run_dir, f"sdk.{parent}.jsonl")
    theirs = records(run_dir, f"sdk.{child}.jsonl")
    assert all("child" not in r for r in mine) and len(mine) == 201
    assert [r["child"] for r in theirs] == list(range(200))


def test_a_forked_standalone_child_that_exits_normally_does_not_finish_the_parents_run(tmp_path):
    done = run_script(tmp_path, """
        import os, sys, runwrap
        run = runwrap.init(project="p")
        pid = os.fork()
        if pid == 0:
            run.log({"child": 1})
            sys.exit(5)
        os.waitpid(pid, 0)
        run.log({"parent": 1})
        import json; print(json.load(open(os.path.join(run.run_dir, "run.json")))["status"])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "running"
    run = only_run(tmp_path / "store")
    assert meta(run)["status"] == "finished" and meta(run)["exit_code"] == 0


def test_sync_tensorboard_attached_records_the_writer_log_dirs(tmp_path):
    run_dir, environ = wrapper_run(tmp_path / "store")
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(sync_tensorboard=True)
        from tensorboardX import SummaryWriter   # imported after init: hooked on import
        w = SummaryWriter(logdir="tb/exp1")
        w.add_scalar("loss", 0.25, 3); w.close()
        run.finish()
    """, extra_env=environ)
    assert done.returncode == 0, done.stderr
    assert meta(run_dir)["tensorboard_dirs"] == [str(tmp_path / "work" / "tb" / "exp1")]


def test_sync_tensorboard_standalone_imports_event_files(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        from tensorboardX import SummaryWriter   # imported before init: patched at init
        run = runwrap.init(project="p", sync_tensorboard=True)
        w = SummaryWriter(logdir="tb")
        for step in range(5):
            w.add_scalar("train/loss", step / 4, step)  # exact in float32
        w.close()
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    rows = records(run, "tensorboard.jsonl")
    assert [(r["_step"], r["train/loss"]) for r in rows] == [(s, s / 4) for s in range(5)]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["tensorboard"]["train/loss"]["last"] == 1.0


def test_init_inside_the_real_wrapper(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "script.py").write_text(textwrap.dedent("""
        import runwrap
        with runwrap.init(config={"lr": 0.01}) as run:
            for i in range(3):
                run.log({"acc": 0.5 + i / 10})
            print("run", run.id)
    """))
    done = subprocess.run([sys.executable, "-m", "runwrap", "--project", "wrapped",
                           "--config", "batch=4", sys.executable, "script.py"],
                          cwd=work, env=child_env(tmp_path / "store"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    run_dir = only_run(tmp_path / "store", "wrapped")
    assert f"run {run_dir.name}" in done.stdout
    assert meta(run_dir)["status"] == "finished"
    assert config(run_dir)["lr"] == 0.01
    rows = [r for p in (run_dir / "streams").glob("sdk.*.jsonl") for r in records(run_dir, p.name)]
    assert [r["acc"] for r in rows] == [0.5, 0.6, 0.7]


def test_a_reinit_loop_under_the_real_wrapper_names_its_own_earlier_trial(tmp_path):
    """Each init() joins the wrapper's one run: a trial's config value that the previous trial
    of the same process set is refused with that cause and the fix, not blamed on --config;
    allow_val_change=True changes it; --config still wins."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "script.py").write_text(textwrap.dedent("""
        import runwrap as wandb
        for wd, allow in ((0.1, False), (0.01, False), (0.001, True)):
            run = wandb.init(config={"wd": wd, "batch": 8}, allow_val_change=allow)
            print(run.config.wd, run.config.batch)
            run.finish()
    """))
    done = subprocess.run([sys.executable, "-m", "runwrap", "--project", "loop",
                           "--config", "batch=4", sys.executable, "script.py"],
                          cwd=work, env=child_env(tmp_path / "store"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0.1", "4", "0.1", "4", "0.001", "4"]
    own = [line for line in done.stderr.splitlines() if "wd=0.01" in line]
    assert len(own) == 1 and "earlier init() of this process" in own[0], done.stderr
    assert "allow_val_change=True" in own[0] and "its own runwrap run" in own[0]
    assert "--config" not in own[0]
    batch = [line for line in done.stderr.splitlines() if "batch=8" in line]
    assert len(batch) == 3 and all("runwrap --config" in line for line in batch), done.stderr
    assert config(only_run(tmp_path / "store", "loop")) == {"batch": 4, "wd": 0.001}
