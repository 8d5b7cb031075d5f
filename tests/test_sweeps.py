"""Sweeps end to end: the real `runwrap sweep` and `runwrap agent`, a small real program, real
agents racing in separate processes, real signals."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import List

import pytest

from sweep_support import (agent_argv, create, run_json, sweep_dir, trials, wait_at_gate,
                           write_config, write_program)
from tools_support import child_env, runwrap

from mlflow_server import mlflow_server  # noqa: F401  (the session fixture)
from postgres_server import postgres_url  # noqa: F401  (a server per test)

# Real processes, several per test: generous under a loaded machine.
pytestmark = pytest.mark.timeout(600)

GRID = {"program": "train.py", "method": "grid",
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {"lr": {"values": [0.1, 0.03, 0.01]}, "depth": {"values": [2, 4]},
                       "epochs": {"value": 2}}}


def run_agent(store: Path, sweep_id: str, cwd: Path, *extra: str,
              timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(agent_argv(store, sweep_id, *extra), cwd=cwd, env=child_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)


def test_grid_runs_every_point_once_with_four_agents_racing(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    sweep_id = create(store, write_config(work, GRID), cwd=work)
    agents = [subprocess.Popen(agent_argv(store, sweep_id), cwd=work, env=child_env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for a in agents:
        _, err = a.communicate(timeout=300)
        assert a.returncode == 0, err
    done = trials(store, sweep_id)
    points = Counter((t["params"]["lr"], t["params"]["depth"]) for t in done)
    assert sorted(points) == sorted((lr, d) for lr in (0.1, 0.03, 0.01) for d in (2, 4))
    assert set(points.values()) == {1}, points
    for t in done:
        assert t["state"] == "finished"
        meta = run_json(store, t)
        assert meta["group"] == sweep_id and meta["status"] == "finished"
        config = json.loads(json.dumps(
            __import__("yaml").safe_load((store / t["project"] / t["run_id"] /
                                          "config.yaml").read_text())))
        assert config == {"lr": t["params"]["lr"], "depth": t["params"]["depth"], "epochs": 2}
        # The value is the last `loss=` the program printed, read by the console parser.
        expected = (t["params"]["lr"] - 0.03) ** 2 * 100 + 1 / t["params"]["depth"] + 1 / 2
        assert t["value"] == pytest.approx(expected, rel=1e-5)
    show = runwrap("sweep", "show", sweep_id, "--dir", store)
    assert show.returncode == 0, show.stderr
    assert "best: loss=0.75 (trial" in show.stdout
    assert "lr: 0.03" in show.stdout and "depth: 4" in show.stdout


def test_random_search_with_a_seed_draws_the_same_points(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = {"program": "train.py", "method": "random",
              "metric": {"name": "loss", "goal": "minimize"},
              "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-3,
                                    "max": 1.0},
                             "depth": {"distribution": "int_uniform", "min": 1, "max": 8},
                             "epochs": {"value": 1}}}
    drawn = []
    for _ in range(2):
        sweep_id = create(store, write_config(work, config), "--seed", "7", cwd=work)
        result = run_agent(store, sweep_id, work, "--count", "3")
        assert result.returncode == 0, result.stderr
        drawn.append([t["params"] for t in trials(store, sweep_id)])
    other = create(store, write_config(work, config), "--seed", "8", cwd=work)
    assert run_agent(store, other, work, "--count", "3").returncode == 0
    assert drawn[0] == drawn[1] and len(drawn[0]) == 3
    assert [t["params"] for t in trials(store, other)] != drawn[0]
    for params in drawn[0]:
        assert 1e-3 <= params["lr"] <= 1.0 and 1 <= params["depth"] <= 8


def test_hyperband_stops_bad_trials_early_and_their_runs_say_so(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    # The good point runs first (grid order); the bad ones are worse at every epoch, so at
    # the first bracket (iteration 2) they are outside the best 1/2 and stop there.
    config = {"program": "train.py", "method": "grid",
              "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
              "parameters": {"lr": {"values": [0.03, 0.5, 0.9]}, "depth": {"value": 4},
                             "epochs": {"value": 30}, "sleep": {"value": 0.15}}}
    sweep_id = create(store, write_config(work, config), cwd=work)
    result = run_agent(store, sweep_id, work)
    assert result.returncode == 0, result.stderr
    done = trials(store, sweep_id)
    assert [t["state"] for t in done] == ["finished", "stopped", "stopped"], result.stderr
    for t in done[1:]:
        meta = run_json(store, t)
        assert meta["status"] == "stopped"
        assert meta["stopped"]["by"] == f"sweep {sweep_id}"
        assert "hyperband" in meta["stopped"]["reason"]
        assert t["iteration"] < 30  # stopped long before its 30 epochs
    assert run_json(store, done[0])["status"] == "finished"
    shown = runwrap("show", done[1]["run_id"], "--dir", store)
    assert "stopped  exit" in shown.stdout and f"by sweep {sweep_id}: hyperband" in shown.stdout
    ls = runwrap("ls", "--dir", store, "--status", "stopped", "--json")
    assert ls.returncode == 0, ls.stderr
    assert {r["id"] for r in json.loads(ls.stdout)} == {t["run_id"] for t in done[1:]}


def test_args_json_file_and_nested_parameters_reach_the_program(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    (work / "fit.py").write_text(
        "import json, sys\n"
        "params = json.load(open(sys.argv[2]))\n"
        "opt = params['optimizer']\n"
        "print(f\"score={opt['lr'] * 10 + len(opt['name'])}\", flush=True)\n"
        "print('ARGV', sys.argv[3:], flush=True)\n")
    config = {"program": "fit.py", "method": "grid",
              "metric": {"name": "score", "goal": "maximize"},
              "command": ["${env}", "${interpreter}", "${program}", "--params",
                          "${args_json_file}", "${args_no_hyphens}"],
              "parameters": {"optimizer": {"parameters": {
                  "name": {"values": ["sgd", "adam"]}, "lr": {"value": 0.5}}}}}
    sweep_id = create(store, write_config(work, config), cwd=work)
    result = run_agent(store, sweep_id, work)
    assert result.returncode == 0, result.stderr
    done = trials(store, sweep_id)
    assert [t["params"] for t in done] == [{"optimizer": {"name": "sgd", "lr": 0.5}},
                                           {"optimizer": {"name": "adam", "lr": 0.5}}]
    assert [t["value"] for t in done] == [8.0, 9.0]
    import yaml

    for t in done:
        run = store / t["project"] / t["run_id"]
        assert yaml.safe_load((run / "config.yaml").read_text()) == t["params"]
        # ${args_no_hyphens} writes a nested parameter as wandb's agent does: its dict.
        assert f"optimizer={t['params']['optimizer']}" in (run / "output.log").read_text()
    show = json.loads(runwrap("sweep", "show", sweep_id, "--dir", store, "--json").stdout)
    assert show["best"]["params"] == {"optimizer": {"name": "adam", "lr": 0.5}}


def test_an_agent_killed_mid_trial_leaves_it_crashed_and_its_point_runs_again_once(
        tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = dict(GRID, parameters={"lr": {"values": [0.1, 0.03]}, "epochs": {"value": 1}})
    sweep_id = create(store, write_config(work, config), cwd=work)
    gate = tmp_path / "gate"
    env = child_env(WAIT_FOR=str(gate))
    agent = subprocess.Popen(agent_argv(store, sweep_id), cwd=work, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    wait_at_gate(store, sweep_id, agent)  # the first trial's program is held at the gate
    agent.send_signal(signal.SIGKILL)
    agent.wait()
    first = trials(store, sweep_id)[0]
    run = store / first["project"] / first["run_id"]
    deadline = time.monotonic() + 60
    while json.loads((run / "run.json").read_text())["status"] == "running":
        assert time.monotonic() < deadline, "the wrapper outlived its agent"
        time.sleep(0.05)
    gate.touch()
    result = run_agent(store, sweep_id, work)
    assert result.returncode == 0, result.stderr
    done = trials(store, sweep_id)
    states = [(t["number"], t["state"], t["params"]["lr"], t["retry_of"]) for t in done]
    assert states[0][1] == "crashed" and "died" in done[0]["reason"]
    finished = [t for t in done if t["state"] == "finished"]
    assert sorted(t["params"]["lr"] for t in finished) == [0.03, 0.1], states
    retries = [t for t in done if t["retry_of"] is not None]
    assert [t["retry_of"] for t in retries] == [0], states
    # A third agent finds nothing left: the crashed point ran again once, not twice.
    assert run_agent(store, sweep_id, work).returncode == 0
    assert len(trials(store, sweep_id)) == len(done)


def test_a_standby_killed_mid_trial_ends_that_trial_killed_and_the_next_one_runs(
        tmp_path: Path) -> None:
    import psutil

    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = dict(GRID, parameters={"lr": {"values": [0.1, 0.03]}, "epochs": {"value": 1}})
    sweep_id = create(store, write_config(work, config), cwd=work)
    gate = tmp_path / "gate"
    agent = subprocess.Popen(agent_argv(store, sweep_id), cwd=work,
                             env=child_env(WAIT_FOR=str(gate)), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first = wait_at_gate(store, sweep_id, agent)
    # The agent's standby: its child that forked the trial's wrapper.
    [standby] = [p for p in psutil.Process(agent.pid).children()
                 if "runwrap.cli.standby" in " ".join(p.cmdline()) and p.children()]
    standby.kill()
    # The wrapper gets SIGTERM with its standby gone, and records its run.
    deadline = time.monotonic() + 60
    while run_json(store, first)["status"] == "running":
        assert time.monotonic() < deadline, "the wrapper outlived its standby"
        time.sleep(0.05)
    assert run_json(store, first)["status"] == "killed"
    gate.touch()  # for the next trial
    _, err = agent.communicate(timeout=300)
    assert agent.returncode == 0, err
    done = trials(store, sweep_id)
    assert [t["state"] for t in done] == ["killed", "finished"], (done, err)


def test_an_agent_leaves_no_process_behind(tmp_path: Path) -> None:
    import psutil

    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = dict(GRID, parameters={"lr": {"values": [0.1, 0.03, 0.01]}, "epochs": {"value": 1}})
    sweep_id = create(store, write_config(work, config), cwd=work)
    mark = f"agent-of-{tmp_path.name}"
    result = subprocess.run(agent_argv(store, sweep_id, "--parallel", "2"), cwd=work,
                            env=child_env(SWEEP_TEST_MARK=mark), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert [t["state"] for t in trials(store, sweep_id)] == ["finished"] * 3

    def marked(p: "psutil.Process") -> bool:
        try:
            return p.environ().get("SWEEP_TEST_MARK") == mark
        except (psutil.Error, OSError):
            return False

    # Its standbys (one per slot) and their wrappers ended with it.
    assert [p.cmdline() for p in psutil.process_iter() if marked(p)] == []


def test_stop_and_resume(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    sweep_id = create(store, write_config(work, GRID), cwd=work)
    assert runwrap("sweep", "stop", sweep_id, "--dir", store).returncode == 0
    result = run_agent(store, sweep_id, work)
    assert result.returncode == 0 and trials(store, sweep_id) == []
    assert "no trial left" in result.stderr
    assert runwrap("sweep", "resume", sweep_id, "--dir", store).returncode == 0
    assert run_agent(store, sweep_id, work, "--count", "2", "--parallel", "2").returncode == 0
    assert len(trials(store, sweep_id)) == 2


def test_shell_form_runs_a_quick_grid(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    result = subprocess.run(
        [sys.executable, "-m", "runwrap", "sweep", "--dir", str(store), "-p", "lr=0.1,0.03",
         "-p", "depth=2,4", "--minimize", "loss", "--", sys.executable, "train.py",
         "--epochs", "1"], cwd=work, env=child_env(), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    sweep_id = result.stdout.split()[2]
    done = trials(store, sweep_id)
    assert sorted((t["params"]["lr"], t["params"]["depth"]) for t in done) == [
        (0.03, 2), (0.03, 4), (0.1, 2), (0.1, 4)]
    assert all(t["state"] == "finished" for t in done)
    assert "runwrap agent " + sweep_id in result.stdout


@pytest.mark.parametrize("config, named", [
    ({"method": "grid", "parameters": {"a": {"values": [1]}}, "metrics": {}}, "'metrics'"),
    ({"method": "hyperopt", "parameters": {"a": {"values": [1]}}}, "'hyperopt'"),
    ({"method": "random", "parameters": {"a": {"min": 0, "max": 1, "mu": 0}}}, "'mu'"),
    ({"method": "grid", "parameters": {"a": {"min": 0.0, "max": 1.0}}}, "'a'"),
    ({"method": "random", "parameters": {"a": {"distribution": "zipf", "min": 0,
                                               "max": 1}}}, "'zipf'"),
    ({"method": "bayes", "parameters": {"a": {"values": [1]}}}, "metric"),
    ({"method": "grid", "parameters": {"a": {"values": [1]}},
      "early_terminate": {"type": "envelope"}, "metric": {"name": "x"}}, "'envelope'"),
])
def test_a_config_runwrap_does_not_support_is_refused_naming_the_key(
        tmp_path: Path, config: dict, named: str) -> None:
    store = tmp_path / "store"
    result = runwrap("sweep", str(write_config(tmp_path, config)), "--dir", store)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and named in result.stderr, result.stderr
    assert not (store / ".sweeps").exists() or not any((store / ".sweeps").iterdir())


@pytest.mark.mlflow
@pytest.mark.timeout(300)
def test_trials_sync_to_mlflow_as_child_runs_of_the_sweeps_parent_run(
        tmp_path: Path, mlflow_server) -> None:  # noqa: F811
    from runwrap.sync import resolve_config, sync_run

    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = dict(GRID, parameters={"lr": {"values": [0.1, 0.03]}, "epochs": {"value": 1}})
    sweep_id = create(store, write_config(work, config), "--project", "sweepsync", cwd=work)
    assert run_agent(store, sweep_id, work).returncode == 0
    done = trials(store, sweep_id)
    sync = resolve_config(tracking_uri=mlflow_server.uri, environ={})
    from runwrap.sync.cursor import SyncState

    children = []
    for t in done:
        run_dir = store / t["project"] / t["run_id"]
        assert sync_run(run_dir, sync).state == "synced"
        children.append(mlflow_server.run(SyncState(run_dir, sync.uri).run_id))
    parents = {mlflow_server_tags(c)["mlflow.parentRunId"] for c in children}
    assert len(parents) == 1
    parent = mlflow_server.run(parents.pop())
    tags = mlflow_server_tags(parent)
    assert tags["runwrap.sweep_id"] == sweep_id and tags["runwrap.sweep_parent"] == "true"
    assert parent["info"]["run_name"] == sweep_id
    assert parent["info"]["experiment_id"] == children[0]["info"]["experiment_id"]


def mlflow_server_tags(run: dict) -> dict:
    return {t["key"]: t["value"] for t in run["data"].get("tags", [])}


def test_a_sweep_in_postgresql_runs_every_grid_point_once_with_agents_racing(
        tmp_path: Path, postgres_url: str) -> None:  # noqa: F811
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    sweep_id = create(store, write_config(work, GRID), "--storage", postgres_url, cwd=work)
    recorded = json.loads((sweep_dir(store, sweep_id) / "sweep.json").read_text())
    assert "secret" not in recorded["storage"] and recorded["storage"].endswith("/postgres")
    assert not (sweep_dir(store, sweep_id) / "journal.log").exists()
    agents = [subprocess.Popen(agent_argv(store, sweep_id, "--storage", postgres_url), cwd=work,
                               env=child_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
              for _ in range(3)]
    for a in agents:
        _, err = a.communicate(timeout=300)
        assert a.returncode == 0, err
    points = Counter((t["params"]["lr"], t["params"]["depth"]) for t in trials(store, sweep_id))
    assert len(points) == 6 and set(points.values()) == {1}, points
    # Without the URL's password the agent says where the sweep lives and what to pass.
    refused = run_agent(store, sweep_id, work)
    assert refused.returncode == 2 and "--storage" in refused.stderr


@pytest.mark.parametrize("parallel", ["1", "2"])
def test_ctrl_c_stops_the_agent_and_its_trials_end_killed_not_crashed(
        tmp_path: Path, parallel: str) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = dict(GRID, parameters={"lr": {"values": [0.1]}, "epochs": {"value": 1}})
    sweep_id = create(store, write_config(work, config), cwd=work)
    gate = tmp_path / "gate"
    # Its own session, like a terminal's foreground job: ^C reaches the whole group.
    agent = subprocess.Popen(agent_argv(store, sweep_id, "--parallel", parallel), cwd=work,
                             env=child_env(WAIT_FOR=str(gate)), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    wait_at_gate(store, sweep_id, agent)
    os.killpg(agent.pid, signal.SIGINT)
    _, err = agent.communicate(timeout=120)
    assert agent.returncode == 130, err
    [trial] = trials(store, sweep_id)
    assert trial["state"] == "killed", (trial, err)
    assert run_json(store, trial)["status"] == "killed", err
    # Not crashed: a later agent does not run the point again.
    assert run_agent(store, sweep_id, work).returncode == 0
    assert len(trials(store, sweep_id)) == 1


def test_run_options_after_dashes_reach_every_trials_wrapper(tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    # The metric is only in a metrics file, which the wrapper reads when told to.
    (work / "fit.py").write_text(
        "import json, sys\n"
        "lr = float(sys.argv[1].split('=')[1])\n"
        "with open('metrics.jsonl', 'w') as f:\n"
        "    for step in range(3):\n"
        "        f.write(json.dumps({'step': step, 'val_loss': lr * (3 - step)}) + '\\n')\n")
    config = {"program": "fit.py", "method": "grid",
              "metric": {"name": "val_loss", "goal": "minimize"},
              "parameters": {"lr": {"values": [1.0, 2.0]}}}
    sweep_id = create(store, write_config(work, config), cwd=work)
    result = run_agent(store, sweep_id, work, "--", "--metrics-file", "metrics.jsonl")
    assert result.returncode == 0, result.stderr
    assert [t["value"] for t in trials(store, sweep_id)] == [1.0, 2.0]
    refused = run_agent(store, sweep_id, work, "--", "--project", "elsewhere")
    assert refused.returncode == 2 and "--project" in refused.stderr


def test_ls_has_a_header_and_a_grid_done_reads_finished_and_latest_is_named_by_its_id(
        tmp_path: Path) -> None:
    work, store = tmp_path / "work", tmp_path / "store"
    write_program(work)
    config = dict(GRID, parameters={"lr": {"values": [0.1, 0.03]}, "depth": {"value": 2},
                                    "epochs": {"value": 1}})
    sweep_id = create(store, write_config(work, config), cwd=work)

    def listed() -> List[List[str]]:
        done = runwrap("sweep", "ls", "--dir", store)
        assert done.returncode == 0, done.stderr
        return [line.split() for line in done.stdout.splitlines()]

    header, row = listed()
    assert header == ["ID", "PROJECT", "NAME", "SEARCH", "STATE", "TRIALS"]
    assert row[0] == sweep_id and row[-2:] == ["running", "0"]
    first = run_agent(store, "latest", work, "--count", "1")
    assert first.returncode == 0 and f"runwrap sweep show {sweep_id}" in first.stderr
    assert listed()[1][-2:] == ["running", "1"]  # one grid point still to run
    assert run_agent(store, "latest", work).returncode == 0
    assert listed()[1][-2:] == ["finished", "2"]
    show = runwrap("sweep", "show", "latest", "--dir", store)
    assert "· finished · 2 trials" in show.stdout
    last = run_agent(store, "latest", work, "--count", "1")
    assert last.returncode == 0
    assert f"sweep {sweep_id} has no trial left to run" in last.stderr
