"""Every init() argument, as wandb documents it; bad input is a UsageError before any write."""
from __future__ import annotations

import json
import subprocess

from sdk_harness import all_runs, config, meta, only_run, run_script


def test_identity_arguments_are_recorded(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(entity="team", project="proj", id="run-1", name="first", notes="why",
                           tags=["a", "b"], group="cv", job_type="train")
        print(run.id, run.name, run.notes, run.tags, run.group, run.job_type, run.project,
              run.entity, run.path)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["run-1", "first", "why", "('a',", "'b')", "cv", "train",
                                   "proj", "team", "team/proj/run-1"]
    run = only_run(tmp_path / "store", "proj")
    doc = meta(run)
    assert (doc["id"], doc["name"], doc["notes"], doc["tags"], doc["group"], doc["job_type"],
            doc["entity"]) == ("run-1", "first", "why", ["a", "b"], "cv", "train", "team")
    assert doc["options"]["name"] == {"value": "first", "source": "argument"}


def test_tags_added_after_init_persist(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", tags=("a",))
        run.tags += ("x",)
        run.name = "renamed"
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    doc = meta(only_run(tmp_path / "store"))
    assert doc["tags"] == ["a", "x"] and doc["name"] == "renamed"


def test_default_project_is_the_git_root_folder_name(tmp_path):
    (tmp_path / "work" / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(tmp_path / "work")], check=True)
    done = run_script(tmp_path, """
        import runwrap
        print(runwrap.init().project)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "work"


def test_git_state_is_recorded_as_the_wrapper_records_it(tmp_path):
    """Outside a repository run.json says `"git": null` (looked, found none); inside, the
    facts. The wrapper writes the same shape (tests/test_wrapper_record.py)."""
    program = """
        import runwrap
        runwrap.init(project="p").finish()
    """
    done = run_script(tmp_path, program)
    assert done.returncode == 0, done.stderr
    doc = meta(only_run(tmp_path / "store", "p"))
    assert "git" in doc and doc["git"] is None
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo" / "work")], check=True)
    done = run_script(tmp_path / "repo", program.replace('"p"', '"q"'))
    assert done.returncode == 0, done.stderr
    assert meta(only_run(tmp_path / "repo" / "store", "q"))["git"]["dirty"] is False


def test_dir_argument_beats_the_environment_and_is_recorded(tmp_path):
    done = run_script(tmp_path, f"""
        import runwrap
        runwrap.init(project="p", dir={str(tmp_path / 'elsewhere')!r}).finish()
    """)
    assert done.returncode == 0, done.stderr
    assert all_runs(tmp_path / "store") == []
    run = only_run(tmp_path / "elsewhere")
    assert meta(run)["options"]["dir"]["source"] == "argument"


def test_precedence_arguments_then_settings_then_environment_then_defaults(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(name="from-arg", settings={"run_name": "from-settings",
                           "run_group": "g-settings", "project": "p"})
        run.finish()
    """, extra_env={"RUNWRAP_NAME": "from-env", "RUNWRAP_GROUP": "g-env",
                    "RUNWRAP_JOB_TYPE": "jt-env"})
    assert done.returncode == 0, done.stderr
    doc = meta(only_run(tmp_path / "store", "p"))
    assert (doc["name"], doc["group"], doc["job_type"]) == ("from-arg", "g-settings", "jt-env")
    options = doc["options"]
    assert options["name"]["source"] == "argument"
    assert options["group"]["source"] == "settings"
    assert options["job_type"]["source"] == "environment:RUNWRAP_JOB_TYPE"
    assert options["notes"]["source"] == "default"


def test_forbidden_characters_in_id_project_entity_and_bad_tags_are_usage_errors(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        for kwargs in ({"id": "a/b"}, {"id": "a:b"}, {"project": "x#y"}, {"entity": "e?"},
                       {"tags": ["x" * 65]}, {"tags": [""]}):
            try:
                runwrap.init(**kwargs)
            except runwrap.UsageError as e:
                print("ok", e)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ok ") == 6
    assert not (tmp_path / "store").exists()


def test_config_forms_namespace_absl_flags_and_yaml_path(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "c.yaml").write_text("lr: 0.5\nwandb_version: 1\n")
    done = run_script(tmp_path, """
        import argparse, runwrap
        ns = argparse.Namespace(lr=0.1, epochs=3)
        class Flags:
            def flag_values_dict(self): return {"batch": 64}
        for cfg in (ns, Flags(), "c.yaml"):
            run = runwrap.init(project="p", config=cfg, reinit="create_new")
            print(sorted(run.config.as_dict().items()))
            run.finish()
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[('epochs', 3), ('lr', 0.1)]"
    assert lines[1] == "[('batch', 64)]"
    assert lines[2] == "[('lr', 0.5)]"


def test_wandb_config_defaults_layout_is_unwrapped(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "c.yaml").write_text("wandb_version: 1\nlr:\n  desc: rate\n  value: 0.3\n")
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", config="c.yaml"); run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert config(only_run(tmp_path / "store")) == {"lr": 0.3}


def test_config_errors_name_the_problem(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "bad.yaml").write_text("a: [1, 2\n")
    done = run_script(tmp_path, """
        import runwrap
        cases = [dict(config="missing.yaml"), dict(config="bad.yaml"),
                 dict(config={"a.b": 1}), dict(config={"big": "x" * (11 * 1024 * 1024)}),
                 dict(config={"a": 1}, config_include_keys=["a"], config_exclude_keys=["b"])]
        for kwargs in cases:
            try:
                runwrap.init(project="p", **kwargs)
            except runwrap.UsageError as e:
                print(e)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5
    assert "'missing.yaml' does not exist" in lines[0]
    assert "'bad.yaml' is not valid YAML" in lines[1]
    assert "'a.b' contains '.'" in lines[2]
    assert "10 MB" in lines[3]
    assert "mutually exclusive" in lines[4]
    assert not (tmp_path / "store").exists()


def test_include_and_exclude_keys_filter_the_config(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        a = runwrap.init(project="p", config={"a": 1, "b": 2, "c": 3},
                         config_include_keys=["a", "b"], reinit="create_new")
        b = runwrap.init(project="q", config={"a": 1, "b": 2, "c": 3},
                         config_exclude_keys=["a"], reinit="create_new")
        print(a.config.as_dict(), b.config.as_dict())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'a': 1, 'b': 2} {'b': 2, 'c': 3}"
    assert config(only_run(tmp_path / "store", "q")) == {"b": 2, "c": 3}


def test_changing_a_config_value_needs_allow_val_change(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", config={"lr": 0.1})
        run.config.lr = 0.1                   # same value: fine
        try:
            run.config.lr = 0.2
        except runwrap.UsageError as e:
            print(e)
        run.config.update({"lr": 0.3}, allow_val_change=True)
        run.config.setdefaults({"lr": 9, "new": 1})
        run.config["other"] = [1, 2]
        run.finish()
        other = runwrap.init(project="q", config={"lr": 0.1}, allow_val_change=True)
        other.config.lr = 0.5
        print(other.config.lr)
    """)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert "'lr' is already 0.1" in first and "0.2" in first and "allow_val_change" in first
    assert second == "0.5"
    assert config(only_run(tmp_path / "store", "p")) == {"lr": 0.3, "new": 1, "other": [1, 2]}


def test_mode_disabled_does_nothing_and_writes_nothing(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        with runwrap.init(mode="disabled", config={"a": 1}) as run:
            run.log({"x": 1}); run.log({"x": 2}, step=5)
            run.config.b = 2; run.summary["s"] = 1
            run.tags += ("t",); run.define_metric("x", summary="max")
            run.save("*.py"); run.alert("t", "x"); run.mark_preempting()
            runwrap.log({"y": 1})
            print(run.config.a, run.config.b, run.summary["s"], run.tags, run.disabled)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 2 1 ('t',) True"
    assert not (tmp_path / "store").exists()


def test_invalid_mode_anonymous_reinit_and_resume_values_are_usage_errors(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        for kwargs in (dict(mode="fast"), dict(anonymous="sometimes"), dict(reinit="maybe"),
                       dict(resume="yes")):
            try:
                runwrap.init(**kwargs)
            except runwrap.UsageError as e:
                print(e)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "online, offline, disabled" in lines[0]
    assert "never, allow, must" in lines[1]
    assert "return_previous" in lines[2]
    assert "allow, never, must, auto" in lines[3]
    assert not (tmp_path / "store").exists()


def test_force_without_a_tracking_server_is_a_comm_error(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        try:
            runwrap.init(force=True)
        except runwrap.CommError as e:
            print("CommError", e)
    """)
    assert done.stdout.startswith("CommError force=True but no tracking server")
    assert not (tmp_path / "store").exists()


def test_online_without_a_server_falls_back_to_offline_with_one_notice(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p", mode="online", anonymous="allow")
        print(run.offline)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert done.stderr.count("recording offline") == 1
    doc = meta(only_run(tmp_path / "store"))
    assert doc["mode"] == "offline" and doc["options"]["anonymous"]["value"] == "allow"


def test_reinit_return_previous_says_the_arguments_were_ignored(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        a = runwrap.init(project="p")
        b = runwrap.init(project="q", name="other")
        print(a is b)
        c = runwrap.init(project="q", reinit="finish_previous")
        d = runwrap.init(project="r", reinit="create_new")
        e = runwrap.init(project="s", reinit=True)
        print(c is not a, d is not c, runwrap.run is e)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True", "True"]
    assert "were ignored" in done.stderr and "name, project" in done.stderr
    statuses = {meta(r)["project"]: meta(r)["status"] for r in all_runs(tmp_path / "store")}
    assert statuses == {"p": "finished", "q": "finished", "r": "finished", "s": "finished"}


def test_settings_object_and_unknown_setting_suggests_the_closest(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        try:
            runwrap.init(settings={"run_nme": "x"})
        except runwrap.UsageError as e:
            print(e)
        try:
            runwrap.Settings(mod="offline")
        except runwrap.UsageError as e:
            print(e)
        run = runwrap.init(settings=runwrap.Settings(project="sp", run_name="n",
                                                     start_method="thread"))
        print(run.project, run.name)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "unknown setting 'run_nme'; did you mean 'run_name'?"
    assert lines[1] == "unknown setting 'mod'; did you mean 'mode'?"
    assert lines[2] == "sp n"


def test_save_code_copies_the_main_script_with_its_hash(tmp_path):
    import hashlib
    code = """
        import runwrap
        runwrap.init(project="p", save_code=True).finish()
    """
    done = run_script(tmp_path, code)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    saved = (run / "code" / "train.py").read_bytes()
    assert saved == (tmp_path / "work" / "train.py").read_bytes()
    assert meta(run)["code"]["sha256"] == hashlib.sha256(saved).hexdigest()


def test_save_code_from_the_environment(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        runwrap.init(project="p").finish()
    """, extra_env={"RUNWRAP_SAVE_CODE": "true"})
    assert done.returncode == 0, done.stderr
    assert (only_run(tmp_path / "store") / "code" / "train.py").exists()


def test_monitor_gym_without_gym_warns_once(tmp_path):
    done = run_script(tmp_path, """
        import sys
        sys.modules["gymnasium"] = None; sys.modules["gym"] = None  # neither importable
        import runwrap
        runwrap.init(project="p", monitor_gym=True).finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("neither gymnasium nor gym") == 1


def test_deprecated_resume_true_and_tensorboard_warn(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        runwrap.init(project="p", resume=True, tensorboard=False).finish()
    """)
    assert done.returncode == 0, done.stderr
    assert "resume=True is deprecated" in done.stderr
    assert "tensorboard=...) is deprecated" in done.stderr
