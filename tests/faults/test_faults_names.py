"""Names too long for the file system: a media key of 300 characters (or of many long
sections) gets a safe, stable file name with a hash of the key, while the record keeps the real
key; names that wandb itself limits (artifacts) and that name folders (project, id) are refused
with one line naming the limit; a media file that cannot be written is named as the cause."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from faults_support import (RUNWRAP, clean_env, figures, no_traceback, run_dirs, stream_lines,
                            warning_lines, wrap_cmd, write_script)
from tools_support import runwrap

LONG = "k" * 300
SECTIONS = "/".join(["é" * 150] * 12) + "/x"  # 12 parts of 300 bytes: past PATH_MAX's reach too

PROGRAM = f"""
    import json, sys, numpy as np, runwrap
    run = runwrap.init()
    image = np.zeros((4, 4, 3), dtype=np.uint8)
    for step in range(2):
        run.log({{{LONG!r}: runwrap.Image(image), {SECTIONS!r}: runwrap.Image(image + step),
                  "t" * 300: runwrap.Table(columns=["a"], data=[[step]]), "loss": step}})
    try:
        runwrap.Artifact("a" * 300, type="dataset")
        print("artifact accepted")
    except Exception as e:
        print("artifact:", type(e).__name__, e)
    run.finish()
"""


def test_media_keys_too_long_for_a_file_name_get_safe_stable_names_and_keep_the_key(tmp_path):
    store = tmp_path / "store"
    script = write_script(tmp_path / "work", "long.py", PROGRAM)
    done = subprocess.run(wrap_cmd(store, sys.executable, str(script)),
                          cwd=tmp_path / "work", env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    [run_dir] = run_dirs(store)
    records, torn, _ = stream_lines(run_dir)
    files = sorted(os.path.relpath(os.path.join(d, f), run_dir)
                   for d, _, fs in os.walk(run_dir / "media") for f in fs)
    longest_part = max(len(p.encode()) for f in files for p in f.split("/"))
    line = figures("long-media-keys", exit=done.returncode, records=len(records),
                   files=len(files), longest_part_bytes=longest_part,
                   warnings=len(warning_lines(done.stderr)))
    assert done.returncode == 0 and no_traceback(done.stderr), (line, done.stderr[-2000:])
    assert not warning_lines(done.stderr), (line, done.stderr)
    assert [r["loss"] for r in records] == [0, 1] and torn == 0, line
    for record in records:
        for key in (LONG, SECTIONS, "t" * 300):
            assert (run_dir / record[key]["path"]).is_file(), (line, key[:20])
    assert len(files) == 6 and longest_part <= 255, (line, files)
    # Stable: the same key gets the same name at every step (only step and digest differ).
    first, second = (r[LONG]["path"].rsplit("_", 2)[0] for r in records)
    assert first == second, line
    assert "artifact: UsageError" in done.stdout and "128" in done.stdout, (line, done.stdout)
    shown = runwrap("show", "--dir", store, run_dir.name, "--json")
    assert shown.returncode == 0, shown.stderr
    assert LONG in shown.stdout and json.loads(shown.stdout), line


def test_project_names_past_200_bytes_are_one_line_before_the_program(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(RUNWRAP + ["--dir", str(tmp_path / "store"), "--project", "é" * 128,
                                     sys.executable, "-c", "open('ran', 'w')"],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    line = figures("long-project", exit=done.returncode, stderr=done.stderr.strip()[:120])
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, (line, done.stderr)
    assert "200 bytes" in done.stderr and not (work / "ran").exists(), line


def test_a_media_file_that_cannot_be_written_is_named_as_the_cause(tmp_path):
    store = tmp_path / "store"
    script = write_script(tmp_path / "work", "blocked.py", """
        import os, numpy as np, runwrap
        run = runwrap.init()
        open(os.path.join(os.environ["RUNWRAP_RUN_DIR"], "media"), "w").close()  # not a folder
        run.log({"img": runwrap.Image(np.zeros((4, 4, 3), dtype=np.uint8)), "a": 1})
        run.log({"a": 2})
        run.finish()
    """)
    done = subprocess.run(wrap_cmd(store, sys.executable, str(script)),
                          cwd=tmp_path / "work", env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    [run_dir] = run_dirs(store)
    records, torn, _ = stream_lines(run_dir)
    warnings = warning_lines(done.stderr)
    line = figures("media-write-fails", exit=done.returncode, warnings=warnings)
    assert done.returncode == 0 and no_traceback(done.stderr), (line, done.stderr)
    assert len(warnings) == 1 and "media" in warnings[0], line
    assert "sdk" not in warnings[0] and ".jsonl" not in warnings[0], line
    assert [r["a"] for r in records] == [2] and torn == 0, line
