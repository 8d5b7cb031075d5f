"""Every log() that has returned is on disk: SIGKILL at random moments loses none of them."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from runwrap.store.streams import read_records

from sdk_harness import child_env, only_run

CHILD = textwrap.dedent("""
    import sys, runwrap
    run = runwrap.init(project="kill", id=sys.argv[1])
    i = 0
    while True:
        run.log({"step": i, "loss": 1.0 / (i + 1), "acc": i * 0.001})
        sys.stdout.write(f"{i}\\n"); sys.stdout.flush()   # after log() returned
        i += 1
""")


def test_sigkill_at_random_moments_loses_no_returned_log(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    rng = random.Random(4)
    store = tmp_path / "store"
    for trial in range(20):
        proc = subprocess.Popen([sys.executable, str(script), f"t{trial}"], cwd=tmp_path,
                                env=child_env(store), stdout=subprocess.PIPE)
        wanted = rng.randint(1, 3000)
        seen = 0
        while seen < wanted:
            if not proc.stdout.readline():
                break
            seen += 1
        time.sleep(rng.random() * 0.01)  # kill somewhere inside the next log() or print
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read().split()
        proc.wait()
        printed = seen + len(rest)
        assert proc.returncode == -signal.SIGKILL
        run_dir = store / "kill" / f"t{trial}"
        steps = [r["step"] for r in read_records(run_dir / "streams" / "sdk.jsonl")]
        assert steps[:printed] == list(range(printed)), f"trial {trial}: lost a returned log()"
