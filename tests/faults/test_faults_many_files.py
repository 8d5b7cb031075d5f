"""A program that writes one metrics file per evaluation, more files than runwrap may hold
open: every file is recorded, also lines added to a file long after it went idle, and under
--quiet nothing of runwrap's own reaches the terminal, warnings included."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

from faults_support import clean_env, figures, run_dirs, wrap_cmd, write_script

FILES = 300  # past the 256 files once followed at most
DESCRIPTORS = 64  # the wrapper's (and program's) limit: far fewer than FILES

EVALUATE = f"""
    import json, os, pathlib, time
    os.makedirs("evals", exist_ok=True)
    for i in range({FILES}):
        with open(f"evals/eval_{{i:04d}}.jsonl", "w") as f:
            f.write(json.dumps({{"step": i, "acc": i / {FILES}}}) + "\\n")
    with open("evals/eval_0000.jsonl", "a") as f:
        f.write("not json\\n")  # a warning runwrap would owe, were it not --quiet
    # Wait until runwrap has recorded every first line (and so has parked most files), then
    # add a second line to every file.
    stream = pathlib.Path(os.environ["RUNWRAP_RUN_DIR"]) / "streams" / "files.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if stream.exists() and stream.read_bytes().count(b"\\n") >= {FILES}:
            break
        time.sleep(0.05)
    for i in range({FILES}):
        with open(f"evals/eval_{{i:04d}}.jsonl", "a") as f:
            f.write(json.dumps({{"step": i + {FILES}, "acc": 1.0}}) + "\\n")
"""


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


def test_every_one_of_300_metrics_files_is_followed_and_quiet_means_quiet(tmp_path: Path) -> None:
    work = tmp_path / "work"
    script = write_script(work, "evaluate.py", EVALUATE)
    store = tmp_path / "store"
    done = subprocess.run(wrap_cmd(store, "--quiet", "--project", "p", "--metrics-file",
                                   "evals/*.jsonl", sys.executable, str(script)),
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=180,
                          preexec_fn=_limit_descriptors)
    [run_dir] = run_dirs(store)
    records = [json.loads(line) for line in
               (run_dir / "streams" / "files.jsonl").read_text().splitlines()]
    files = {r["_file"] for r in records}
    second = [r for r in records if r.get("_step", 0) >= FILES]
    skipped = json.loads((run_dir / "run.json").read_text()).get("skipped", {})
    line = figures("many_metrics_files", files_written=FILES, files_recorded=len(files),
                   records=len(records), second_lines=len(second), exit=done.returncode,
                   stderr=done.stderr[:300], skipped=skipped)
    assert done.returncode == 0, line
    assert len(files) == FILES, line
    assert len(second) == FILES, line  # every file, opened again when it changed
    assert len(records) == 2 * FILES, line  # nothing twice
    assert done.stderr == "", line  # --quiet: not even the bad line's warning
    assert skipped.get("MetricsFiles", {}).get("bad_line") == 1, line  # counted, not said
