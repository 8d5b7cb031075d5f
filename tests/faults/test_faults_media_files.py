"""Special and huge files given as media: a FIFO, /dev/zero (or a link to it), a folder are
refused with one clear error when the data type is made (never a hang, never memory without
bound); a large file is copied in chunks when logged, so memory stays bounded by its size."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from faults_support import (clean_env, figures, no_traceback, run_dirs, stream_lines, wrap_cmd,
                            write_script)

BIG = 256 << 20  # a sparse file: costs no disk to make, all of it to read

PROGRAM = """
    import hashlib, json, os, resource, sys, runwrap
    run = runwrap.init()
    outcomes = {}
    for name, make in [
            ("fifo_image", lambda: runwrap.Image("pipe.png")),
            ("fifo_audio", lambda: runwrap.Audio("pipe.wav")),
            ("zero_link_audio", lambda: runwrap.Audio("zero.wav")),
            ("zero_link_image", lambda: runwrap.Image("zero.png")),
            ("zero_link_video", lambda: runwrap.Video("zero.mp4")),
            ("folder_molecule", lambda: runwrap.Molecule("folder.pdb")),
            ("fifo_html", lambda: runwrap.Html(__import__("pathlib").Path("pipe.html"))),
            ("big_html", lambda: runwrap.Html(__import__("pathlib").Path("big.html")))]:
        try:
            make()
            outcomes[name] = "accepted"
        except runwrap.errors.Error as e:
            outcomes[name] = str(e)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run.log({"video": runwrap.Video("big.mp4"), "loss": 1.0})
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run.finish()
    print(json.dumps({"outcomes": outcomes, "rss_growth_kib": after - before}), flush=True)
"""


def test_special_files_are_refused_and_a_large_file_is_streamed(tmp_path):
    work = tmp_path / "work"
    script = write_script(work, "media.py", PROGRAM)
    for name in ("pipe.png", "pipe.wav", "pipe.html"):
        os.mkfifo(work / name)
    for name in ("zero.wav", "zero.png", "zero.mp4"):
        os.symlink("/dev/zero", work / name)
    (work / "folder.pdb").mkdir()
    with open(work / "big.mp4", "wb") as f:
        f.truncate(BIG)
    with open(work / "big.html", "wb") as f:
        f.truncate(BIG)
    store = tmp_path / "store"
    done = subprocess.run(wrap_cmd(store, sys.executable, str(script)), cwd=work, env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and no_traceback(done.stderr), done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    outcomes, growth = result["outcomes"], result["rss_growth_kib"]
    [run_dir] = run_dirs(store)
    records, torn, _ = stream_lines(run_dir)
    line = figures("media-special-files", rss_growth_mib=round(growth / 1024, 1),
                   **{k: v[:50] for k, v in outcomes.items()})
    for name, message in outcomes.items():
        assert message != "accepted" and "\n" not in message, (line, name)
    for name in ("fifo_image", "fifo_audio"):
        assert "FIFO" in outcomes[name], (line, name)
    for name in ("zero_link_audio", "zero_link_image", "zero_link_video"):
        assert "character device" in outcomes[name], (line, name)
    assert "folder" in outcomes["folder_molecule"], line
    assert "MiB" in outcomes["big_html"], line
    assert growth < 64 * 1024, line  # the 256 MiB video went through a small buffer
    [record] = records
    stored = run_dir / record["video"]["path"]
    assert stored.stat().st_size == BIG and record["video"]["size"] == BIG, line
    assert torn == 0, line
