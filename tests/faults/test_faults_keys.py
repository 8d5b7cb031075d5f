"""Memory per distinct key: a program that prints 100,000 distinct metric names. Each source
creates at most MAX_KEYS names (past it: counted in run.json, one warning), the summary holds
at most MAX_KEYS per source, and the wrapper's peak memory stays bounded."""
from __future__ import annotations

import json
import subprocess
import sys

from faults_support import (RUNWRAP, clean_env, figures, no_traceback, run_dirs, warning_lines,
                            write_script)

from runwrap.store.streams import MAX_KEYS

N = 100_000

# The wrapper's peak RSS, as the kernel counts it: the largest of the processes this launcher
# waited for (the wrapper, which waits for the program: a few MiB).
PEAK = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE, text=True)
print(json.dumps({"exit": done.returncode, "stderr": done.stderr,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def test_a_hundred_thousand_distinct_console_keys_keep_the_wrapper_small(tmp_path):
    work = tmp_path / "work"
    script = write_script(work, "keys.py", f"""
        import sys
        for i in range({N}):
            sys.stdout.write(f"metric_{{i}}=1.5\\n")
        for i in range(3):
            sys.stdout.write(f"metric_0={{i}}\\n")   # a name it has keeps being recorded
    """)
    peak = write_script(work, "peak.py", PEAK)
    store = tmp_path / "store"
    done = subprocess.run([sys.executable, str(peak)] + RUNWRAP + [
        "--dir", str(store), "--stats-interval", "0", "--no-tensorboard-discovery",
        sys.executable, str(script)], cwd=work, env=clean_env(), capture_output=True,
        text=True, timeout=300)
    result = json.loads(done.stdout)
    [run_dir] = run_dirs(store)
    meta = json.loads((run_dir / "run.json").read_text())
    names = set()
    metric_0 = []
    for line in (run_dir / "streams" / "stdout.jsonl").read_text().splitlines():
        record = json.loads(line)
        names.update(k for k in record if not k.startswith("_"))
        if "metric_0" in record:
            metric_0.append(record["metric_0"])
    summary = json.loads((run_dir / "summary.json").read_text())
    warnings = warning_lines(result["stderr"])
    past = (meta.get("skipped") or {}).get("StdoutScalars", {}).get("names_past_limit")
    line = figures("distinct-keys", printed=N, names=len(names), past_limit=past,
                   summary_keys=len(summary.get("stdout", {})),
                   wrapper_peak_mib=round(result["peak_kib"] / 1024, 1), warnings=len(warnings))
    assert result["exit"] == 0 and no_traceback(result["stderr"]), (line, result["stderr"])
    assert len(names) == MAX_KEYS and past == N - MAX_KEYS, line
    assert metric_0 == [1.5, 0, 1, 2], line
    assert len(summary["stdout"]) == MAX_KEYS, line
    assert len(warnings) == 1 and f"{MAX_KEYS:,}" in warnings[0], (line, warnings)
    assert result["peak_kib"] < 120 * 1024, line


def test_the_summary_of_a_stream_with_more_names_than_the_limit_is_bounded(tmp_path):
    """A program's own log() calls are recorded as given; the summary, read by every
    consumer, keeps the first MAX_KEYS names per source."""
    work = tmp_path / "work"
    script = write_script(work, "sdk.py", f"""
        import runwrap
        run = runwrap.init()
        for i in range({MAX_KEYS + 500}):
            run.log({{f"m{{i}}": i}})
        run.finish()
    """)
    store = tmp_path / "store"
    subprocess.run(RUNWRAP + ["--dir", str(store), "--stats-interval", "0", "--no-scalars",
                              "--no-tensorboard-discovery", sys.executable, str(script)],
                   cwd=work, env=clean_env(), capture_output=True, timeout=300, check=True)
    [run_dir] = run_dirs(store)
    summary = json.loads((run_dir / "summary.json").read_text())
    line = figures("sdk-distinct-keys", logged=MAX_KEYS + 500, summary_keys=len(summary["sdk"]))
    assert len(summary["sdk"]) == MAX_KEYS, line
