"""Code written against wandb's folders finds what it logged under `run.dir`: media under
`files/media/...` and files saved with `policy="end"` visible at once. The expectations are
taken from real wandb, run offline on the same program."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from faults_support import RUNWRAP, clean_env, figures, no_traceback, write_script
from wandb_support import no_account_env

PROGRAM = """
    import glob, json, os, sys
    import numpy as np
    if sys.argv[1] == "wandb":
        import wandb
    else:
        import runwrap as wandb
    with open("notes.txt", "w") as f:
        f.write("first")
    run = wandb.init(project="layout")
    run.log({"img": wandb.Image(np.zeros((4, 4, 3), dtype=np.uint8)),
             "tab": wandb.Table(columns=["a"], data=[[1]])})
    run.save("notes.txt", policy="end")
    during = sorted(os.path.relpath(p, run.dir) for p in
                    glob.glob(os.path.join(run.dir, "**", "*"), recursive=True)
                    if os.path.isfile(p))
    with open(os.path.join(run.dir, "notes.txt")) as f:
        seen = f.read()
    with open("notes.txt", "w") as f:
        f.write("last")
    files = run.dir
    run.finish()
    with open(os.path.join(files, "notes.txt")) as f:
        kept = f.read()
    print(json.dumps({"during": during, "seen": seen, "kept": kept}))
"""

# Files wandb keeps in run.dir that are its own business, not the program's.
WANDB_OWN = {"requirements.txt", "output.log", "wandb-metadata.json", "wandb-summary.json",
             "config.yaml", "conda-environment.yaml", "diff.patch"}


def _shape(path: str) -> str:
    """A media file name without its content digest (the PNG encoders differ)."""
    return re.sub(r"_[0-9a-f]{20}\.", "_<digest>.", path)


def test_run_dir_holds_media_and_end_saves_as_in_wandb(tmp_path):
    pytest.importorskip("wandb")
    wandb_work = tmp_path / "wandb"
    script = write_script(wandb_work, "prog.py", PROGRAM)
    real = subprocess.run([sys.executable, str(script), "wandb"], cwd=wandb_work,
                          env=no_account_env(tmp_path, WANDB_MODE="offline", WANDB_SILENT="true"),
                          capture_output=True, text=True, timeout=180)
    assert real.returncode == 0, real.stderr[-2000:]
    expected = json.loads(real.stdout.splitlines()[-1])
    ours_work = tmp_path / "ours"
    script = write_script(ours_work, "prog.py", PROGRAM)
    done = subprocess.run(RUNWRAP + ["--dir", str(tmp_path / "store"), "--stats-interval", "0",
                                     sys.executable, str(script), "runwrap"],
                          cwd=ours_work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and no_traceback(done.stderr), done.stderr[-2000:]
    ours = json.loads(done.stdout.splitlines()[-1])
    want = sorted(_shape(p) for p in expected["during"] if p not in WANDB_OWN)
    got = sorted(_shape(p) for p in ours["during"] if p not in WANDB_OWN)
    line = figures("wandb-run-dir", wandb=want, runwrap=got)
    assert got == want, line
    assert ours["seen"] == expected["seen"] == "first", line
    # wandb keeps a link (the file as it is when read); runwrap copies it at the end, so the
    # run keeps it even when the source is removed later.
    assert ours["kept"] == "last", (line, ours)
