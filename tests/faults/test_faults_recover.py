"""runwrap SIGKILLed while its program goes on writing metrics files and TensorBoard events:
`runwrap recover RUN` reads those sources again and adds exactly what the run lacks, once."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from faults_support import (RUNWRAP, clean_env, figures, no_traceback, run_dirs, wait_for,
                            wait_gone, write_script)

pytest.importorskip("tensorboardX")

PROGRAM = """
    import json, os, pathlib, sys, time
    import tensorboardX

    run_dir = pathlib.Path(os.environ["RUNWRAP_RUN_DIR"])
    wrapper = int(os.environ["RUNWRAP_WRAPPER_PID"])
    writer = tensorboardX.SummaryWriter("tb", max_queue=1, flush_secs=1)

    def log(steps):
        with open("metrics.jsonl", "a") as f:
            for step in steps:
                f.write(json.dumps({"step": step, "acc": step / 10}) + "\\n")
        for step in steps:
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.flush()

    def lines(name):
        path = run_dir / "streams" / name
        return path.read_bytes().count(b"\\n") if path.exists() else 0

    log(range(3))
    while lines("files.jsonl") < 3 or lines("tensorboard.jsonl") < 3:  # recorded live
        time.sleep(0.05)
    print("recorded", flush=True)
    while True:  # until runwrap is gone
        try:
            os.kill(wrapper, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    log(range(3, 6))  # nobody reads these now
    writer.close()
    pathlib.Path("done").write_text(str(os.getpid()))
"""


def test_recover_adds_what_the_program_wrote_after_runwrap_was_killed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    script = write_script(work, "train.py", PROGRAM)
    store = tmp_path / "store"
    wrapper = subprocess.Popen(RUNWRAP + ["--dir", str(store), "--stats-interval", "0",
                                          "--no-scalars", "--project", "k", "--metrics-file",
                                          "metrics.jsonl", "--tensorboard", "tb",
                                          sys.executable, str(script)],
                               cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert wrapper.stdout.readline().strip() == b"recorded", wrapper.stderr.read()[-2000:]
    [run_dir] = run_dirs(store)
    alive = subprocess.run(RUNWRAP + ["recover", run_dir.name, "--dir", str(store)],
                           env=clean_env(), cwd=tmp_path, capture_output=True, text=True,
                           timeout=120)
    assert alive.returncode == 2 and "still being recorded" in alive.stderr, alive.stderr
    wrapper.send_signal(signal.SIGKILL)
    wrapper.wait()
    wrapper.stdout.close()
    wrapper.stderr.close()
    wait_for(lambda: (work / "done").exists(), timeout=60)
    assert wait_gone(int((work / "done").read_text()), timeout=30)

    def recover() -> subprocess.CompletedProcess:
        return subprocess.run(RUNWRAP + ["recover", run_dir.name, "--dir", str(store), "--json"],
                              env=clean_env(), cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)

    def streams() -> tuple:
        files = [json.loads(x) for x in (run_dir / "streams" / "files.jsonl").read_text().splitlines()]
        tb = [json.loads(x) for x in (run_dir / "streams" / "tensorboard.jsonl").read_text().splitlines()]
        return (sorted(r["_step"] for r in files),
                sorted(r["_step"] for r in tb for k in r if not k.startswith("_")))

    before = streams()
    first, again = recover(), recover()
    after = streams()
    status = subprocess.run(RUNWRAP + ["ls", "--json", "--dir", str(store)], env=clean_env(),
                            capture_output=True, text=True, timeout=60)
    line = figures("recover_after_sigkill", before=before, after=after, first=first.stdout.strip(),
                   again=again.stdout.strip(), status=json.loads(status.stdout)[0].get("status"))
    assert before == ([0, 1, 2], [0, 1, 2]), line  # what runwrap had read when it died
    assert first.returncode == 0 and no_traceback(first.stderr), (line, first.stderr)
    assert json.loads(first.stdout)["added"] == {"files": 3, "tensorboard": 3}, line
    assert after == (list(range(6)), list(range(6))), line  # every step once
    assert json.loads(again.stdout)["added"] == {"files": 0, "tensorboard": 0}, line
