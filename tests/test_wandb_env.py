"""wandb's environment variables, run.settings and the process-level calls (login, setup,
teardown, term*, mark_preempting, AlertLevel, Api), as wandb's reference documents them."""
from __future__ import annotations

from sdk_harness import config, meta, only_run, run_script


def test_wandb_variables_name_the_run_and_are_recorded_with_their_source(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        run = wandb.init()
        s = run.settings
        print(run.project, run.id, run.name, run.notes, run.group, run.job_type, list(run.tags))
        print(s.project, s.run_id, s.run_name, s.mode, s.run_group, s.sweep_id, s.files_dir == run.dir)
        run.finish()
    """, extra_env={"WANDB_PROJECT": "envproj", "WANDB_RUN_ID": "envid1", "WANDB_NAME": "n1",
                    "WANDB_NOTES": "some notes", "WANDB_RUN_GROUP": "g", "WANDB_JOB_TYPE": "train",
                    "WANDB_TAGS": "a,b", "WANDB_SWEEP_ID": "sw1", "WANDB_MODE": "offline"})
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "envproj envid1 n1 some notes g train ['a', 'b']"
    assert second == "envproj envid1 n1 offline g sw1 True"
    doc = meta(only_run(tmp_path / "store", "envproj"))
    assert doc["options"]["project"] == {"value": "envproj", "source": "environment:WANDB_PROJECT"}
    assert doc["options"]["id"]["source"] == "environment:WANDB_RUN_ID"
    assert doc["options"]["sweep_id"]["value"] == "sw1"


def test_runwrap_variable_is_read_before_wandb_and_arguments_before_both(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        run = wandb.init(name="from-arg")
        print(run.project, run.name)
        run.finish()
    """, extra_env={"RUNWRAP_PROJECT": "rw", "WANDB_PROJECT": "wb", "WANDB_NAME": "from-env"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["rw", "from-arg"]
    options = meta(only_run(tmp_path / "store"))["options"]
    assert options["project"]["source"] == "environment:RUNWRAP_PROJECT"
    assert options["name"]["source"] == "argument"


def test_wandb_dir_is_the_store_and_wandb_resume_continues_a_run(tmp_path):
    code = """
        import runwrap as wandb
        run = wandb.init(project="p")
        run.log({"x": 1})
        print(run.resumed, run.step)
        run.finish()
    """
    env = {"WANDB_DIR": str(tmp_path / "wbdir"), "WANDB_RUN_ID": "r1", "WANDB_RESUME": "allow",
           "RUNWRAP_DIR": ""}
    assert run_script(tmp_path, code, extra_env=env).stdout.split() == ["False", "1"]
    assert run_script(tmp_path, code, extra_env=env).stdout.split() == ["True", "2"]
    run = only_run(tmp_path / "wbdir")
    assert run.name == "r1" and not (tmp_path / "store").exists()


def test_wandb_disabled_and_wandb_mode_disabled_record_nothing(tmp_path):
    for variable, value in (("WANDB_DISABLED", "true"), ("WANDB_MODE", "disabled")):
        done = run_script(tmp_path, """
            import runwrap as wandb
            run = wandb.init(project="p")
            run.log({"x": 1})
            print(run.disabled, run.settings.mode)
            run.finish()
        """, extra_env={variable: value})
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["True", "disabled"]
    assert not (tmp_path / "store").exists()


def test_wandb_config_paths_load_yaml_under_init_config(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "a.yaml").write_text("lr: 0.1\nbatch: 8\n")
    (tmp_path / "work" / "b.yaml").write_text("wandb_version: 1\nbatch:\n  desc: null\n  value: 16\n")
    done = run_script(tmp_path, """
        import runwrap as wandb
        run = wandb.init(project="p", config={"lr": 0.5})
        print(dict(run.config))
        run.finish()
    """, extra_env={"WANDB_CONFIG_PATHS": "a.yaml,b.yaml"})
    assert done.returncode == 0, done.stderr
    assert config(only_run(tmp_path / "store")) == {"lr": 0.5, "batch": 16}


def test_missing_wandb_config_path_is_one_clear_error_before_anything_is_written(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        wandb.init(project="p")
    """, extra_env={"WANDB_CONFIG_PATHS": "nope.yaml"})
    assert done.returncode == 1
    assert "nope.yaml" in done.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "store").exists()


def test_cloud_only_variables_get_one_notice_and_never_reach_disk(tmp_path):
    secret = "k" * 40
    done = run_script(tmp_path, """
        import runwrap as wandb
        for _ in range(2):
            run = wandb.init(project="p", reinit="create_new")
            run.log({"x": 1})
            print(run.settings.api_key)
            run.finish()
        print(wandb.login(key="another-secret-key"))
    """, extra_env={"WANDB_API_KEY": secret, "WANDB_BASE_URL": "https://api.example"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None", "False"]
    notices = [l for l in done.stderr.splitlines() if "WANDB_API_KEY" in l]
    assert len(notices) == 1 and "WANDB_BASE_URL" in notices[0] and secret not in done.stderr
    for path in (tmp_path / "store").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and b"another-secret-key" not in data, path


def test_wandb_silent_quiets_notices_and_termlog(tmp_path):
    code = """
        import runwrap as wandb
        wandb.termlog("hello")
        wandb.termwarn("careful")
        wandb.termerror("bad")
        wandb.termlog("once", repeat=False)
        wandb.termlog("once", repeat=False)
        run = wandb.init(project="p")
        run.finish()
    """
    loud = run_script(tmp_path, code, extra_env={"WANDB_API_KEY": "x"})
    assert loud.returncode == 0, loud.stderr
    lines = loud.stderr.splitlines()
    assert lines[:4] == ["runwrap: hello", "runwrap: WARNING careful", "runwrap: ERROR bad",
                         "runwrap: once"]
    assert sum("WANDB_API_KEY" in l for l in lines) == 1
    quiet = run_script(tmp_path, code, extra_env={"WANDB_API_KEY": "x", "WANDB_SILENT": "true"})
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_run_settings_are_read_only_and_name_unknown_keys(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        run = wandb.init(project="p", settings=wandb.Settings(console="off"))
        print(run.settings.console, run.settings.base_url, run.settings.root_dir)
        try:
            run.settings.mode = "online"
        except wandb.UsageError as e:
            print("read-only" in str(e))
        try:
            run.settings.run_nmae
        except wandb.UsageError as e:
            print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    first, second, third = done.stdout.splitlines()
    assert first == f"off None {tmp_path / 'store'}"
    assert second == "True" and "run_name" in third


def test_setup_teardown_mark_preempting_and_alert_level(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        s = wandb.setup(settings={"mode": "offline"})
        print(s.settings.mode, wandb.setup() is s)
        run = wandb.init(project="p")
        wandb.mark_preempting()
        run.alert(title="t", text="x", level=wandb.AlertLevel.WARN)
        wandb.teardown(exit_code=3)
        print(wandb.run is None, wandb.AlertLevel.ERROR.value)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["offline", "True", "True", "ERROR"]
    doc = meta(only_run(tmp_path / "store"))
    assert doc["preempting"] is True and doc["status"] == "failed" and doc["exit_code"] == 3
    assert doc["alerts"][0]["level"] == "WARN"


def test_api_reads_local_runs_history_config_and_summary(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        run = wandb.init(project="p", id="abc", config={"lr": 0.1})
        run.define_metric("acc", summary="max")
        for i in range(3):
            run.log({"loss": 1.0 / (i + 1), "acc": i / 10})
            run.log({"extra": i}, commit=False) if i == 1 else None
        run.finish()
        api = wandb.Api()
        runs = api.runs("p")
        r = api.run("p/abc")
        print(len(runs), r.id, r.state, r.config["lr"], r.summary["acc"]["max"], r.summary["loss"])
        rows = list(r.scan_history())
        print([row["_step"] for row in rows], [row.get("extra") for row in rows])
        print(r.history(keys=["loss"], pandas=False))
        print(api.run("someone/p/runs/abc").id)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "1 abc finished 0.1 0.2 0.3333333333333333"
    assert lines[1] == "[0, 1, 2] [None, None, 1]"
    assert lines[2] == ("[{'_step': 0, 'loss': 1.0}, {'_step': 1, 'loss': 0.5}, "
                        "{'_step': 2, 'loss': 0.3333333333333333}]")
    assert lines[3] == "abc"


def test_wandb_variables_do_not_move_an_attached_init(tmp_path):
    """The wrapper may set WANDB_MODE/WANDB_DIR for a program using the real wandb; an attached
    runwrap.init() still records into the wrapper's run."""
    import subprocess
    import sys
    import textwrap

    from sdk_harness import child_env, sdk_records

    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(textwrap.dedent("""
        import runwrap as wandb
        run = wandb.init()
        run.log({"x": 1})
        run.finish()
    """))
    env = child_env(tmp_path / "store", {"WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path / "wb"),
                                         "WANDB_RUN_ID": "other", "WANDB_PROJECT": "other"})
    done = subprocess.run([sys.executable, "-m", "runwrap", "--project", "mine", sys.executable,
                           "train.py"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store", "mine")
    assert [r["x"] for r in sdk_records(run)] == [1]
    assert not (tmp_path / "wb").exists() and not (tmp_path / "store" / "other").exists()


def test_save_lays_files_out_as_wandb_does(tmp_path):
    from wandb_reference import both

    result = both(tmp_path, """
        import json, os
        for d in ("these/are/myfiles", "files/a", "files/b", "abs/run123"):
            os.makedirs(d, exist_ok=True)
        for f in ("these/are/myfiles/x.txt", "these/are/myfiles/y.txt", "files/a/saveme.txt",
                  "files/b/saveme.txt", "abs/run123/m.txt", "files/myfile[1].txt"):
            open(f, "w").write(f)
        import wandb
        run = wandb.init(project="p")
        rel = lambda paths: sorted(os.path.relpath(p, run.dir) for p in paths)
        out = [rel(run.save("these/are/myfiles/*")),
               rel(run.save("these/are/myfiles/*", base_path="these")),
               rel(run.save(os.path.abspath("abs/run123") + "/*.txt")),
               rel(run.save("files/*/saveme.txt")),
               rel(run.save("files/myfile[1].txt", glob=False))]
        for bad in (lambda: run.save("../outside/*"), lambda: run.save("x/*", base_path="y"),
                    lambda: run.save("*/x.txt", base_path="."), lambda: run.save("x", policy="never")):
            try:
                bad()
                out.append("no error")
            except Exception as e:
                out.append(isinstance(e, ValueError) or type(e).__name__ == "UsageError")
        run.finish()
        print(json.dumps(out))
    """)
    assert result[:5] == [["these/are/myfiles/x.txt", "these/are/myfiles/y.txt"],
                          ["are/myfiles/x.txt", "are/myfiles/y.txt"], ["run123/m.txt"],
                          ["files/a/saveme.txt", "files/b/saveme.txt"], ["files/myfile[1].txt"]]
    assert result[5:] == [True, True, True, True]


def test_wandb_ignore_globs_keeps_files_out_of_save(tmp_path):
    (tmp_path / "work" / "out").mkdir(parents=True)
    done = run_script(tmp_path, """
        import runwrap as wandb
        for name in ("a.txt", "b.log", "c.txt"):
            open("out/" + name, "w").write(name)
        run = wandb.init(project="p")
        print(len(run.save("out/*")))
        run.finish()
    """, extra_env={"WANDB_IGNORE_GLOBS": "*.log,c.*"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    assert sorted(p.name for p in (only_run(tmp_path / "store") / "files" / "out").iterdir()) == ["a.txt"]
