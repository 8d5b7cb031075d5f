"""Numbers float64 cannot hold, from every way a value enters, and already on disk.

The rule: an int past float64's range is stored as ±Infinity, as wandb shows it (wandb makes
`10**400` `inf`); NaN and ±Infinity are stored as "NaN"/"Infinity"/"-Infinity". Never a crash,
never a record written by a call that raised. Every reader copes with a 400-digit int that an
older runwrap (or a hand) left in a stream.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from faults_support import (clean_env, figures, no_traceback, run_dirs, stream_lines,
                            wrap_cmd, write_script, RUNWRAP)
from tools_support import child_env, make_run, runwrap
from ui_support import UiServer

HUGE = 10 ** 400

SDK = f"""
    import math, sys, runwrap
    run = runwrap.init(config={{"cbig": 10**400}})
    for i in range(3):
        run.log({{"x": i, "big": 1.5}})
    run.log({{"x": 3, "big": 10**400, "neg": -10**400, "nan": math.nan, "mid": 2**70}})
    run.log({{"x": 4, "big": 10**400}})   # the fast path of a key set seen before
    run.summary["sbig"] = 10**400
    run.config.update({{"later": -10**400}})
    run.finish()
    print("step 1 loss=" + "9" * 400, flush=True)   # the console: the same rule
    print("ok", flush=True)
"""


def test_sdk_log_summary_config_of_an_int_past_float64_store_infinity(tmp_path):
    store = tmp_path / "store"
    script = write_script(tmp_path / "work", "big.py", SDK)
    done = subprocess.run(RUNWRAP + ["--dir", str(store), "--stats-interval", "0",
                                     "--no-tensorboard-discovery", sys.executable, str(script)],
                          cwd=tmp_path / "work", env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    [run_dir] = run_dirs(store)
    records, torn, _ = stream_lines(run_dir)
    console, _, _ = stream_lines(run_dir, "stdout*.jsonl")
    config = (run_dir / "config.yaml").read_text()
    user = json.loads((run_dir / "summary-user.json").read_text())
    line = figures("sdk-huge-int", exit=done.returncode, records=len(records), torn=torn)
    assert done.returncode == 0 and done.stdout.endswith("ok\n"), (line, done.stderr)
    assert [r["loss"] for r in console] == ["Infinity"], console
    assert no_traceback(done.stderr), (line, done.stderr)
    assert [r["x"] for r in records] == [0, 1, 2, 3, 4] and torn == 0, line
    assert records[3]["big"] == "Infinity" and records[3]["neg"] == "-Infinity", records[3]
    assert records[3]["nan"] == "NaN" and records[3]["mid"] == 2 ** 70, records[3]
    assert records[4]["big"] == "Infinity", records[4]
    assert "cbig: .inf" in config and "later: -.inf" in config, config
    assert user["sbig"] == "Infinity", user
    shown = runwrap("show", "--dir", store, run_dir.name)
    assert shown.returncode == 0 and no_traceback(shown.stderr), shown.stderr


def test_a_400_digit_int_in_a_metrics_file_is_infinity_and_the_exit_code_is_the_programs(
        tmp_path):
    store = tmp_path / "store"
    work = tmp_path / "work"
    script = write_script(work, "writer.py", f"""
        with open("metrics.jsonl", "w") as f:
            f.write('{{"step": 1, "loss": {HUGE}}}\\n')
            f.write('{{"step": {HUGE}, "loss": 0.5}}\\n')
            f.write('{{"step": 3, "loss": 0.25}}\\n')
    """)
    done = subprocess.run(wrap_cmd(store, "--metrics-file", "metrics.jsonl",
                                   sys.executable, str(script)),
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    [run_dir] = run_dirs(store)
    records, torn, _ = stream_lines(run_dir, "files*.jsonl")
    meta = json.loads((run_dir / "run.json").read_text())
    line = figures("metrics-file-huge-int", exit=done.returncode, status=meta["status"],
                   records=len(records))
    assert done.returncode == 0 and meta["status"] == "finished", (line, done.stderr)
    assert no_traceback(done.stderr), (line, done.stderr)
    assert [r["loss"] for r in records] == ["Infinity", 0.5, 0.25] and torn == 0, records


def test_every_reader_copes_with_a_400_digit_int_already_on_disk(tmp_path):
    store = tmp_path / "store"
    run_dir = make_run(store, [{"loss": 1.0}, {"loss": 0.5}], run_id="huge0001", name="huge")
    other = make_run(store, [{"loss": 2.0}], run_id="huge0002", name="other")
    # As an older runwrap wrote it: a bare 400-digit int in the middle of the stream.
    [stream] = (run_dir / "streams").glob("sdk*.jsonl")
    lines = stream.read_text().splitlines()
    lines.insert(1, json.dumps({"loss": HUGE, "neg": -HUGE, "_step": 7, "_time": 1.0e9,
                                "_runtime": 0.5}))
    stream.write_text("\n".join(lines) + "\n")
    (run_dir / "summary.json").unlink()  # readers summarize the streams themselves
    results = {}
    for name, args in {"show": ["show", "huge0001"], "ls": ["ls"],
                       "compare": ["compare", "huge0001", "huge0002"],
                       "export-csv": ["export", "huge0001", "--format", "csv"],
                       "export-jsonl": ["export", "huge0001", "--format", "jsonl"],
                       "tail": ["tail", "huge0001"]}.items():
        done = runwrap(args[0], "--dir", store, *args[1:])
        results[name] = (done.returncode, no_traceback(done.stderr), done.stderr[-300:])
    server = UiServer(store)
    try:
        status = {path: server.get(path)[0] for path in
                  ["/api/runs", "/api/run?run=proj/huge0001",
                   "/api/series?metric=loss&run=proj/huge0001&x=step&width=100",
                   "/api/metrics?run=proj/huge0001"]}
    finally:
        server.close()
    line = figures("readers-huge-int", **{k: v[0] for k, v in results.items()}, ui=status)
    for name, (code, clean, err) in results.items():
        assert code == 0 and clean, (line, name, err)
    assert set(status.values()) == {200}, line
    assert other.exists()
