"""What a wrapped run leaves in the store: run.json, config.yaml, git state, and listings."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import yaml

from wrapper_harness import only_run, run_json, runwrap

PY = sys.executable


def test_run_json_records_the_run(store, tmp_path):
    done = runwrap("--quiet", "--project", "p", "--name", "first", "--tags", "a,b", "--tags", "c",
                   "--group", "g", "--job-type", "train", "--notes", "n", PY, "-c", "print(1)",
                   cwd=tmp_path)
    assert done.returncode == 0
    run_dir = only_run(store)
    meta = run_json(run_dir)
    assert run_dir.parent.name == "p" and run_dir.name == meta["id"]
    assert len(meta["id"]) == 8 and meta["id"].isalnum() and meta["id"].islower() or meta["id"].isdigit()
    assert meta["name"] == "first" and meta["tags"] == ["a", "b", "c"]
    assert (meta["group"], meta["job_type"], meta["notes"]) == ("g", "train", "n")
    assert meta["command"] == [PY, "-c", "print(1)"]
    assert meta["cwd"] == str(tmp_path)
    assert meta["status"] == "finished" and meta["exit_code"] == 0
    for key in ("host", "user", "python", "platform", "start_time", "end_time", "duration",
                "runwrap_version", "child_pid", "owner"):
        assert meta.get(key) is not None, key
    assert meta["owner"]["kind"] == "wrapper"
    assert meta["options"]["project"] == {"value": "p", "source": "flag"}
    assert meta["options"]["stats_interval"]["source"] == "default"
    assert os.readlink(store / "latest") == os.path.join("p", meta["id"])


def test_option_from_environment_is_recorded_as_such(store):
    env = dict(os.environ, RUNWRAP_PROJECT="from-env")
    runwrap("--quiet", "true", env=env)
    meta = run_json(only_run(store))
    assert meta["project"] == "from-env"
    assert meta["options"]["project"]["source"] == "environment"


def test_generated_names_are_two_words_and_a_number(store):
    runwrap("--quiet", "true")
    name = run_json(only_run(store))["name"]
    first, second, number = name.split("-")
    assert first.isalpha() and second.isalpha() and number.isdigit()


def test_secrets_in_argv_are_masked(store):
    runwrap("--quiet", PY, "-c", "pass", "--api-key", "sk-123", "--hf_token=abc", "--lr", "1",
            "--db-password", "pw")
    command = run_json(only_run(store))["command"]
    assert command == [PY, "-c", "pass", "--api-key", "***", "--hf_token=***", "--lr", "1",
                       "--db-password", "***"]
    assert "sk-123" not in (only_run(store) / "run.json").read_text()


def test_environment_values_are_never_recorded(store):
    env = dict(os.environ, MY_SECRET_VALUE="zz-top-secret-zz")
    runwrap("--quiet", "true", env=env)
    for path in only_run(store).rglob("*"):
        if path.is_file():
            assert b"zz-top-secret-zz" not in path.read_bytes(), path


def test_config_from_yaml_file_and_key_values(store, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("lr: 0.1\nmodel:\n  depth: 3\n")
    runwrap("--quiet", "--config", str(cfg), "--config", "lr=1e-3", "--config", "model.width=64",
            "--config", "name=resnet", "--config", "flag=true", "true")
    config = yaml.safe_load((only_run(store) / "config.yaml").read_text())
    assert config == {"lr": 1e-3, "model": {"depth": 3, "width": 64}, "name": "resnet",
                      "flag": True}


def test_wandb_config_defaults_layout_is_unwrapped(store, tmp_path):
    cfg = tmp_path / "config-defaults.yaml"
    cfg.write_text("epochs:\n  desc: how long\n  value: 10\nlr:\n  value: 0.5\n")
    runwrap("--quiet", "--config", str(cfg), "true")
    assert yaml.safe_load((only_run(store) / "config.yaml").read_text()) == {"epochs": 10, "lr": 0.5}


def test_a_json_config_file_is_read_as_json(store, tmp_path):
    """JSON's 1e-05 is a number (PyYAML alone would read it as the string '1e-05'): a sweep
    hands each trial its parameters in a .json file."""
    cfg = tmp_path / "params.json"
    cfg.write_text(json.dumps({"lr": 1e-05, "depth": 4, "opt": "adam"}))
    runwrap("--quiet", "--config", str(cfg), "true")
    config = yaml.safe_load((only_run(store) / "config.yaml").read_text())
    assert config == {"lr": 1e-05, "depth": 4, "opt": "adam"}
    cfg.write_text('{"lr": 1e-05,')
    done = runwrap("--quiet", "--config", str(cfg), "true")
    assert done.returncode == 2
    assert "is not valid JSON at line 1" in done.stderr.decode()


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_git_state_and_diff_of_a_dirty_tree(store, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    _git(repo, "remote", "add", "origin", "https://user:ghp_secret@example.com/team/repo.git")
    (repo / "train.py").write_text("print('v1')\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-qm", "one")
    (repo / "train.py").write_text("print('v2')\n")
    done = runwrap("--quiet", PY, "train.py", cwd=repo)
    assert done.stdout == b"v2\n"
    run_dir = only_run(store)
    git = run_json(run_dir)["git"]
    assert len(git["commit"]) == 40 and git["branch"] == "main" and git["dirty"] is True
    assert git["remote"] == "https://example.com/team/repo.git"
    assert "+print('v2')" in (run_dir / "diff.patch").read_text()
    assert run_json(run_dir)["project"] == "repo"  # wandb's default: the git root's name


def test_git_state_is_found_from_a_subfolder_of_the_repository(store, tmp_path):
    repo = tmp_path / "repo"
    (repo / "src" / "deep").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q",
         "--allow-empty", "-m", "one")
    done = runwrap("--quiet", PY, "-c", "pass", cwd=repo / "src" / "deep")
    assert done.returncode == 0
    assert run_json(only_run(store))["git"]["branch"] == "main"


def test_outside_a_repository_no_git_process_is_started(store, tmp_path):
    # A `git` first on PATH that notes each call: outside any repository it is never called.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "git-calls"
    fake = bin_dir / "git"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\nexit 128\n")
    fake.chmod(0o755)
    work = tmp_path / "scratch"
    work.mkdir()
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    env.pop("GIT_DIR", None)
    done = runwrap("--quiet", PY, "-c", "pass", cwd=work, env=env)
    assert done.returncode == 0
    assert run_json(only_run(store)).get("git") is None
    assert not calls.exists()
    (work / ".git").mkdir()  # now git could find one: it is asked
    done = runwrap("--quiet", PY, "-c", "pass", cwd=work, env=env)
    assert done.returncode == 0 and calls.exists()


def test_eight_runs_at_once_get_eight_directories(store):
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: runwrap("--quiet", "--project", "same", PY, "-c",
                                                  f"print({i})"), range(8)))
    assert all(r.returncode == 0 for r in results)
    dirs = list(store.glob("same/*/run.json"))
    assert len(dirs) == 8
    outputs = sorted((d.parent / "output.log").read_text() for d in dirs)
    assert outputs == sorted(f"{i}\n" for i in range(8))


def test_resume_allow_continues_the_same_run(store):
    runwrap("--quiet", "--id", "resum1", "--config", "a=1", PY, "-c", "print('first')")
    done = runwrap("--quiet", "--id", "resum1", "--resume", "allow", "--config", "b=2", PY, "-c",
                   "print('second')")
    assert done.returncode == 0
    run_dir = only_run(store)
    meta = run_json(run_dir)
    assert meta["resumed"] is True and meta["resume_count"] == 1
    assert meta["first_start_time"] <= meta["start_time"]
    assert (run_dir / "output.log").read_text() == "first\nsecond\n"
    assert yaml.safe_load((run_dir / "config.yaml").read_text()) == {"a": 1, "b": 2}


def test_resume_auto_picks_up_this_machines_killed_run(store, tmp_path):
    import signal
    script = tmp_path / "train.py"
    script.write_text("import os, time\nprint('ready', flush=True)\n"
                      "if not os.path.exists('go'): time.sleep(30)\n")
    cmd = [PY, "-m", "runwrap", "--quiet", "--project", "p", "--resume", "auto", PY, "train.py"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGTERM)  # preempted
    assert proc.wait(20) == 143
    first = only_run(store)
    assert run_json(first)["status"] == "killed"
    (tmp_path / "go").write_text("")
    assert subprocess.run(cmd, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=30).returncode == 0
    assert only_run(store) == first  # the same run, continued
    meta = run_json(first)
    assert meta["status"] == "finished" and meta["resumed"] is True
    # A finished run is not resumed again: the next one is new.
    assert subprocess.run(cmd, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=30).returncode == 0
    assert len(list(store.glob("p/*/run.json"))) == 2


def test_resume_auto_continues_a_failed_run_of_the_same_program_whatever_its_arguments(
        store, tmp_path):
    (tmp_path / "train.py").write_text("import sys\nsys.exit(1 if sys.argv[1:] == ['fail'] else 0)\n")
    auto = [PY, "-m", "runwrap", "--quiet", "--project", "p", "--resume", "auto", PY, "train.py"]
    assert subprocess.run(auto + ["fail"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          timeout=30).returncode == 1
    first = only_run(store)
    assert run_json(first)["status"] == "failed" and run_json(first)["program"] == "train"
    # Another program of the same project is not the one that failed.
    (tmp_path / "eval.py").write_text("")
    assert subprocess.run(auto[:-1] + ["eval.py"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          timeout=30).returncode == 0
    assert len(list(store.glob("p/*/run.json"))) == 2
    assert subprocess.run(auto + ["--lr", "1"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          timeout=30).returncode == 0
    meta = run_json(first)
    assert meta["status"] == "finished" and meta["resumed"] is True
    assert len(list(store.glob("p/*/run.json"))) == 2


def test_a_collector_that_cannot_start_leaves_the_others_recording(store, tmp_path):
    # A real import failure: the metrics-files collector needs the csv module, and a broken
    # csv.py ahead of the standard library on PYTHONPATH makes importing it fail.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "csv.py").write_text("raise ImportError('csv is broken on purpose')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(shadow)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = runwrap("--project", "p", "--metrics-file", "m.jsonl", PY, "-c",
                   "print('loss: 0.5', flush=True)", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    notices = [line for line in done.stderr.decode().splitlines() if "warning" in line]
    assert len(notices) == 1 and "metrics files" in notices[0], done.stderr
    assert "csv is broken on purpose" in notices[0]
    run = only_run(store)
    records = [json.loads(line) for line in (run / "streams" / "stdout.jsonl").read_text().splitlines()]
    assert [r["loss"] for r in records] == [0.5]  # the console scalars still recorded
    assert run_json(run)["status"] == "finished"


def test_ls_filters_and_json(store):
    runwrap("--quiet", "--project", "a", "--tags", "keep", "--group", "g1", "true")
    runwrap("--quiet", "--project", "b", PY, "-c", "raise SystemExit(1)")
    rows = json.loads(runwrap("ls", "--json").stdout)
    assert [r["project"] for r in rows] == ["b", "a"]  # newest first
    assert [r["status"] for r in rows] == ["failed", "finished"]
    assert [r["project"] for r in json.loads(runwrap("ls", "--json", "--status", "failed").stdout)] == ["b"]
    assert [r["project"] for r in json.loads(runwrap("ls", "--json", "--tag", "keep").stdout)] == ["a"]
    assert [r["project"] for r in json.loads(runwrap("ls", "--json", "--group", "g1").stdout)] == ["a"]
    assert [r["project"] for r in json.loads(runwrap("ls", "--json", "--project", "b").stdout)] == ["b"]
    assert len(json.loads(runwrap("ls", "--json", "--limit", "1").stdout)) == 1
    table = runwrap("ls").stdout.decode()
    assert "ID" in table and "STATUS" in table and "failed" in table
    assert runwrap("runs", "--json").stdout == runwrap("ls", "--json").stdout


def test_show_by_id_prefix_name_and_latest(store):
    runwrap("--quiet", "--id", "abcd1234", "--name", "alpha", "--config", "lr=0.5", "true")
    runwrap("--quiet", "--id", "abce5678", "--name", "beta", "true")
    for ref, expect in [("abcd1234", "alpha"), ("abcd", "alpha"), ("beta", "beta"),
                        ("latest", "beta")]:
        info = json.loads(runwrap("show", ref, "--json").stdout)
        assert info["run"]["name"] == expect, ref
    info = json.loads(runwrap("show", "alpha", "--json").stdout)
    assert info["config"] == {"lr": 0.5}
    text = runwrap("show", "alpha").stdout.decode()
    assert "lr" in text and "0.5" in text and "finished" in text


def test_show_unknown_or_ambiguous_exits_2_naming_candidates(store):
    runwrap("--quiet", "--id", "abcd1234", "true")
    runwrap("--quiet", "--id", "abce5678", "true")
    done = runwrap("show", "abc")
    assert done.returncode == 2
    assert "abcd1234" in done.stderr.decode() and "abce5678" in done.stderr.decode()
    done = runwrap("show", "zzz")
    assert done.returncode == 2 and "zzz" in done.stderr.decode()
