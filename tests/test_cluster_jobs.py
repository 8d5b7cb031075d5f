"""One job, one run: the tasks a launcher starts (SLURM, torchrun, Open MPI) join one run as
parts, all at the same instant. Nodes are simulated on this machine with the launchers'
environment variables per task and RUNWRAP_HOST for the node's name."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from mlflow_server import mlflow_server  # noqa: F401  (the session fixture)
from wrapper_harness import RUNWRAP, wait_for

REPO = Path(__file__).resolve().parents[1]

# Each task logs five points of its own (loss = 1/(step+1) + rank); the task named in
# FAIL_RANK exits with FAIL_CODE, the one in KILL_RANK SIGKILLs itself. The first task on a
# node waits for its node's first system sample, so the one-sampler-per-host rule is seen at work.
PROGRAM = """
import os, signal, sys, time
rank = int(os.environ["TASK_RANK"])
for step in range(5):
    print(f"step: {step} loss: {1.0 / (step + 1) + rank:.4f}", flush=True)
if os.environ.get("WAIT_SYSTEM"):
    system = os.path.join(os.environ["RUNWRAP_RUN_DIR"], "streams", os.environ["WAIT_SYSTEM"])
    deadline = time.time() + 30
    while time.time() < deadline and not (os.path.exists(system) and os.path.getsize(system)):
        time.sleep(0.02)
if str(rank) == os.environ.get("KILL_RANK"):
    os.kill(os.getpid(), signal.SIGKILL)
sys.exit(int(os.environ.get("FAIL_CODE", "1")) if str(rank) == os.environ.get("FAIL_RANK") else 0)
"""

# A task that logs through runwrap.init() as well: it attaches to its own part.
SDK_PROGRAM = """
import os
import runwrap
run = runwrap.init(config={"lr": 0.1, "rank_seen": int(os.environ["RANK"])})
for step in range(3):
    run.log({"acc": step + 10 * int(os.environ["RANK"])})
run.finish()
"""

# Waits for one byte on the inherited pipe, then becomes runwrap: every task starts at once.
BARRIER = """
import os, sys
os.read(int(sys.argv[1]), 1)
os.execv(sys.executable, [sys.executable] + sys.argv[2:])
"""


def base_env(store: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLURM", "OMPI_", "PMIX", "PMI_", "TORCHELASTIC", "RUNWRAP_",
                                "PBS_", "LSB_"))
           and k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["RUNWRAP_DIR"] = str(store)
    return env


def launch(tmp: Path, tasks: List[Dict[str, str]], args: List[str],
           program: str = PROGRAM) -> List[subprocess.CompletedProcess]:
    """Start one `runwrap ARGS -- python program` per task environment, all released at the
    same instant, and wait for them all."""
    return finish(start(tmp, tasks, args, program))


def start(tmp: Path, tasks: List[Dict[str, str]], args: List[str],
          program: str) -> List[subprocess.Popen]:
    script = tmp / "task.py"
    script.write_text(program)
    barrier = tmp / "barrier.py"
    barrier.write_text(BARRIER)
    r, w = os.pipe()
    procs = []
    try:
        for env in tasks:
            cmd = [sys.executable, str(barrier), str(r)] + RUNWRAP[1:] + args + [
                "--quiet", "--", sys.executable, str(script)]
            procs.append(subprocess.Popen(cmd, env=env, cwd=tmp, pass_fds=(r,),
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
        os.write(w, b"x" * len(tasks))
    finally:
        os.close(r)
        os.close(w)
    return procs


def finish(procs: List[subprocess.Popen]) -> List[subprocess.CompletedProcess]:
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


def slurm_tasks(store: Path, nodes: int = 2, per_node: int = 2, job: str = "4242",
                wait_system: bool = False, **extra: str) -> List[Dict[str, str]]:
    tasks = []
    for node in range(nodes):
        for local in range(per_node):
            rank = node * per_node + local
            env = base_env(store)
            env.update(SLURM_JOB_ID=job, SLURM_STEP_ID="0", SLURM_PROCID=str(rank),
                       SLURM_LOCALID=str(local), SLURM_NODEID=str(node),
                       SLURM_NTASKS=str(nodes * per_node), SLURMD_NODENAME=f"node{node}",
                       RUNWRAP_HOST=f"node{node}", TASK_RANK=str(rank), **extra)
            if local == 0 and wait_system:
                env["WAIT_SYSTEM"] = f"system.node{node}.jsonl"
            tasks.append(env)
    return tasks


def ls(store: Path, **env: str) -> list:
    out = subprocess.run(RUNWRAP + ["ls", "--json", "--dir", str(store)], capture_output=True,
                         text=True, env=dict(base_env(store), **env), check=True).stdout
    return json.loads(out)


def show(store: Path, run_id: str, **env: str) -> dict:
    out = subprocess.run(RUNWRAP + ["show", run_id, "--json", "--dir", str(store)],
                         capture_output=True, text=True, env=dict(base_env(store), **env),
                         check=True).stdout
    return json.loads(out)


def points(run_dir: Path, stream: str) -> List[dict]:
    return [json.loads(line) for line in (run_dir / "streams" / stream).read_text().splitlines()]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def test_a_healthy_two_node_slurm_job_is_one_finished_run_with_four_parts(tmp_path, store):
    results = launch(tmp_path, slurm_tasks(store, wait_system=True),
                     ["--project", "job", "--stats-interval", "0.1", "--config", "lr=0.1"])
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    [row] = ls(store)
    assert (row["id"], row["status"], row["parts"], row["exit_code"]) == (
        "slurm-4242.0", "finished", 4, 0)
    run_dir = store / "job" / "slurm-4242.0"
    for rank in range(4):
        assert [p["loss"] for p in points(run_dir, f"stdout.{rank}.jsonl")] == pytest.approx(
            [1.0 / (s + 1) + rank for s in range(5)], abs=1e-4)
        assert f"step: 4 loss: {0.2 + rank:.4f}" in (run_dir / f"output.{rank}.log").read_text()
    streams = sorted(p.name for p in (run_dir / "streams").iterdir())
    assert [s for s in streams if s.startswith("system")] == [
        "system.node0.jsonl", "system.node1.jsonl"]  # one sampler per host, not per task
    parts = show(store, "slurm-4242.0")["run"]["parts"]
    assert [(p["part"], p["host"], p["rank"], p["status"], p["exit_code"]) for p in parts] == [
        ("0", "node0", 0, "finished", 0), ("1", "node0", 1, "finished", 0),
        ("2", "node1", 2, "finished", 0), ("3", "node1", 3, "finished", 0)]
    assert all(p["end_time"] >= p["start_time"] > 0 and p["signal"] is None for p in parts)
    assert (run_dir / "config.yaml").read_text() == "lr: 0.1\n"
    assert not (run_dir / "output.log").exists() and not (run_dir / "summary.json").exists()
    # tail reads every part; --part keeps one task's streams and its host's system metrics.
    tail = subprocess.run(RUNWRAP + ["tail", "slurm-4242.0", "--dir", str(store)],
                          capture_output=True, text=True, env=base_env(store), check=True)
    labels = {line.split("]")[0][1:] for line in tail.stdout.splitlines()}
    assert {f"stdout.{rank}" for rank in range(4)} <= labels
    tail = subprocess.run(RUNWRAP + ["tail", "slurm-4242.0", "--part", "2", "--dir", str(store)],
                          capture_output=True, text=True, env=base_env(store), check=True)
    labels = {line.split("]")[0][1:] for line in tail.stdout.splitlines()}
    assert labels == {"stdout.2", "system.node1"}
    export = subprocess.run(RUNWRAP + ["export", "slurm-4242.0", "--part", "2", "--source",
                                       "stdout", "--long", "--dir", str(store)],
                            capture_output=True, text=True, env=base_env(store), check=True)
    losses = [float(line.split(",")[-1]) for line in export.stdout.splitlines()[1:]
              if line.split(",")[-2] == "loss"]
    assert losses == pytest.approx([1.0 / (s + 1) + 2 for s in range(5)], abs=1e-4)


def test_one_failing_task_fails_the_run_and_each_runwrap_exits_with_its_own_status(
        tmp_path, store):
    results = launch(tmp_path, slurm_tasks(store, FAIL_RANK="2", FAIL_CODE="3"),
                     ["--project", "job", "--stats-interval", "0"])
    assert [r.returncode for r in results] == [0, 0, 3, 0]
    [row] = ls(store)
    assert (row["status"], row["exit_code"], row["parts"]) == ("failed", 3, 4)
    parts = show(store, row["id"])["run"]["parts"]
    assert [p["status"] for p in parts] == ["finished", "finished", "failed", "finished"]
    run_dir = store / "job" / row["id"]
    assert len(points(run_dir, "stdout.2.jsonl")) == 5  # the failing task's points are all there


def test_one_sigkilled_task_makes_the_run_killed(tmp_path, store):
    results = launch(tmp_path, slurm_tasks(store, KILL_RANK="1"),
                     ["--project", "job", "--stats-interval", "0"])
    assert [r.returncode for r in results] == [0, 128 + 9, 0, 0]
    [row] = ls(store)
    assert row["status"] == "killed"
    parts = show(store, row["id"])["run"]["parts"]
    assert [(p["status"], p["signal"]) for p in parts] == [
        ("finished", None), ("killed", "SIGKILL"), ("finished", None), ("finished", None)]


def test_a_torchrun_launch_on_one_machine_is_one_run_and_init_attaches_to_its_part(
        tmp_path, store):
    tasks = []
    for rank in range(2):
        env = base_env(store)
        # What torch.distributed.run gives each worker without --rdzv-id.
        env.update(TORCHELASTIC_RUN_ID="none", RANK=str(rank), LOCAL_RANK=str(rank),
                   GROUP_RANK="0", WORLD_SIZE="2", LOCAL_WORLD_SIZE="2",
                   TORCHELASTIC_RESTART_COUNT="0", MASTER_ADDR="127.0.0.1", MASTER_PORT="29500")
        tasks.append(env)
    results = launch(tmp_path, tasks, ["--project", "tr", "--stats-interval", "0",
                                       "--config", "lr=0.1"], program=SDK_PROGRAM)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    [row] = ls(store)
    assert row["id"].startswith("torchrun-") and row["parts"] == 2
    assert row["status"] == "finished"
    run_dir = store / "tr" / row["id"]
    for rank in range(2):
        assert [p["acc"] for p in points(run_dir, f"sdk.{rank}.jsonl")] == [
            s + 10 * rank for s in range(3)]
    # Config from the first task; what a later task's init() differs in is in its part.
    [first] = [p for p in show(store, row["id"])["run"]["parts"] if p["first"]]
    [later] = [p for p in show(store, row["id"])["run"]["parts"] if not p["first"]]
    config = show(store, row["id"])["config"]
    assert config == {"lr": 0.1, "rank_seen": first["rank"]}
    assert later["config"] == {"rank_seen": later["rank"]} and "config" not in first


def test_tasks_given_one_id_join_it_and_no_job_keeps_them_apart(tmp_path, store):
    results = launch(tmp_path, slurm_tasks(store, nodes=1), ["--project", "j", "--id", "mine",
                                                              "--stats-interval", "0"])
    assert [r.returncode for r in results] == [0, 0]
    assert [(r["id"], r["parts"]) for r in ls(store)] == [("mine", 2)]
    shutil.rmtree(store)
    results = launch(tmp_path, slurm_tasks(store, nodes=1), ["--project", "j", "--no-job",
                                                              "--stats-interval", "0"])
    assert [r.returncode for r in results] == [0, 0]
    rows = ls(store)
    assert len(rows) == 2 and all(r["parts"] is None for r in rows)


def test_a_job_id_used_again_by_a_later_launch_becomes_a_new_run(tmp_path, store):
    for _ in range(2):
        results = launch(tmp_path, slurm_tasks(store, nodes=1), ["--project", "j",
                                                                  "--stats-interval", "0"])
        assert [r.returncode for r in results] == [0, 0]
    assert sorted((r["id"], r["parts"]) for r in ls(store)) == [
        ("slurm-4242.0", 2), ("slurm-4242.0.2", 2)]


@pytest.mark.parametrize("resume", [None, "allow"])
def test_one_id_started_four_times_at_once_runs_once_and_says_why_in_cli_words(
        tmp_path, store, resume):
    """Without a launcher: exactly one runs the program; the others exit 2 before starting it,
    with the command line's words (never init()'s `resume='allow'`)."""
    tasks = []
    for rank in range(4):
        env = base_env(store)
        env.update(TASK_RANK=str(rank), WAIT_SYSTEM="never-there", RUNWRAP_HOST="h")
        tasks.append(env)
    args = ["--project", "p", "--id", "same", "--stats-interval", "0"]
    release = tmp_path / "release"
    # The one that runs keeps running until the others have given up.
    program = ("import os, time\ndeadline = time.time() + 60\n"
               f"while not os.path.exists({str(release)!r}) and time.time() < deadline:\n"
               "    time.sleep(0.02)\n")
    procs = start(tmp_path, tasks, args + (["--resume", resume] if resume else []), program)
    assert wait_for(lambda: sum(p.poll() is not None for p in procs) == 3, timeout=60)
    release.touch()
    results = finish(procs)
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 2, 2, 2], [r.stderr for r in results]
    for r in results:
        if r.returncode == 2:
            assert "resume='allow'" not in r.stderr
            if resume:
                assert "still running" in r.stderr and "--id" in r.stderr, r.stderr
            else:
                assert "pass --resume allow" in r.stderr, r.stderr
    assert [row["id"] for row in ls(store)] == ["same"]


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed")
def test_mpirun_tasks_join_one_run(tmp_path, store):
    (tmp_path / "task.py").write_text(PROGRAM)
    env = base_env(store)
    env.update(TASK_RANK="0", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    # TASK_RANK from Open MPI's own variable, inside each task.
    cmd = ["mpirun", "--oversubscribe", "-n", "2", sys.executable, "-c",
           "import os, sys; os.environ['TASK_RANK'] = os.environ['OMPI_COMM_WORLD_RANK']; "
           "os.execv(sys.executable, [sys.executable] + sys.argv[1:])"] + RUNWRAP[1:] + [
        "--project", "mpi", "--stats-interval", "0", "--quiet", "--", sys.executable,
        str(tmp_path / "task.py")]
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    [row] = ls(store)
    assert row["id"].startswith("mpi-") and row["parts"] == 2 and row["status"] == "finished"
    run_dir = store / "mpi" / row["id"]
    assert sorted(p.name for p in (run_dir / "streams").glob("stdout.*")) == [
        "stdout.0.jsonl", "stdout.1.jsonl"]


@pytest.mark.mlflow
@pytest.mark.timeout(300)
def test_sync_uploads_every_parts_points_once_and_system_metrics_per_host(
        tmp_path, store, mlflow_server):
    results = launch(tmp_path, slurm_tasks(store, wait_system=True),
                     ["--project", "job", "--stats-interval", "0.1"])
    assert [r.returncode for r in results] == [0, 0, 0, 0]
    sync = RUNWRAP + ["sync", "slurm-4242.0", "--dir", str(store), "--tracking-uri",
                      mlflow_server.uri]
    for _ in range(2):  # the second sync finds nothing left to send
        done = subprocess.run(sync, env=base_env(store), capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    mlflow_id = json.loads((store / "job" / "slurm-4242.0" / "run.json").read_text())[
        "sync"]["run_id"]
    points_by_key = mlflow_server.all_points(mlflow_id)
    assert sorted(p["value"] for p in points_by_key["loss"]) == pytest.approx(sorted(
        1.0 / (s + 1) + rank for rank in range(4) for s in range(5)), abs=1e-4)
    hosts = {key.split("/")[1] for key in points_by_key if key.startswith("system/")}
    assert hosts == {"node0", "node1"}
    assert mlflow_server.run(mlflow_id)["info"]["status"] == "FINISHED"


def test_a_task_whose_runwrap_dies_makes_the_run_crashed(tmp_path, store):
    """The task's own runwrap is SIGKILLed mid-run: nobody records its end, and a reader on
    its node sees its part crashed (its owner is gone), so the run is crashed once the other
    task finishes. (A reader on another node cannot tell, and trusts the record: running.)"""
    release = tmp_path / "release"
    program = ("import os, time\ndeadline = time.time() + 60\n"
               f"while not os.path.exists({str(release)!r}) and time.time() < deadline:\n"
               "    time.sleep(0.02)\n")
    procs = start(tmp_path, slurm_tasks(store, nodes=1), ["--project", "job",
                                                         "--stats-interval", "0"], program)
    record = store / "job" / "slurm-4242.0" / "parts" / "1.json"

    def child_pid():
        try:
            return json.loads(record.read_text()).get("child_pid")
        except (OSError, ValueError):
            return None
    assert wait_for(lambda: child_pid() is not None, timeout=60)
    os.kill(procs[1].pid, signal.SIGKILL)  # the barrier exec'd runwrap: this is its pid
    os.kill(child_pid(), signal.SIGKILL)  # its orphaned program, so nothing outlives the test
    assert wait_for(lambda: procs[1].poll() is not None)
    assert ls(store)[0]["status"] == "running"  # the other task still runs
    release.touch()
    results = finish(procs)
    assert [r.returncode for r in results] == [0, -signal.SIGKILL]
    [row] = ls(store, RUNWRAP_HOST="node0")
    assert row["status"] == "crashed"
    parts = show(store, row["id"], RUNWRAP_HOST="node0")["run"]["parts"]
    assert [p["status"] for p in parts] == ["finished", "crashed"]
    assert ls(store, RUNWRAP_HOST="elsewhere")[0]["status"] == "running"
