"""Structures nested past what runwrap records (MAX_DEPTH levels): refused with one clear
error naming the key, never a RecursionError; nothing half-written; readers skip such data
already on disk."""
from __future__ import annotations

import json
import subprocess
import sys

from faults_support import (QUIET_COLLECTORS, RUNWRAP, clean_env, figures, no_traceback,
                            run_dirs, stream_lines, wrap_cmd, write_script)
from tools_support import runwrap

from runwrap.store.values import MAX_DEPTH

PROGRAM = """
    import json, sys, runwrap
    from runwrap.errors import Error

    def deep(n):
        d = {"leaf": 1}
        for _ in range(n):
            d = {"k": d}
        return d

    cyclic = {}
    cyclic["self"] = cyclic
    run = runwrap.init(config={"ok": deep(10)})
    run.log({"a": 0})
    outcomes = {}
    for name, call in [
            ("log", lambda: run.log({"deep": deep(1000), "a": 1})),
            ("log_list", lambda: run.log({"nested_list": json.loads("[" * 900 + "]" * 900)})),
            ("log_cycle", lambda: run.log({"cyc": cyclic})),
            ("config", lambda: run.config.update({"deep": deep(1000)})),
            ("summary", lambda: run.summary.update({"deep": deep(1000)})),
            ("init_config", lambda: runwrap.init(config={"deep": deep(1000)}, reinit="create_new"))]:
        try:
            call()
            outcomes[name] = "accepted"
        except RecursionError:
            outcomes[name] = "RecursionError"
        except Error as e:
            outcomes[name] = str(e)
    run.log({"a": 2})
    run.finish()
    print(json.dumps(outcomes), flush=True)
"""


def test_deep_values_in_log_config_and_summary_are_refused_with_one_clear_error(tmp_path):
    store = tmp_path / "store"
    script = write_script(tmp_path / "work", "deep.py", PROGRAM)
    done = subprocess.run(wrap_cmd(store, sys.executable, str(script)),
                          cwd=tmp_path / "work", env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and no_traceback(done.stderr), done.stderr[-3000:]
    outcomes = json.loads(done.stdout.splitlines()[-1])
    [run_dir] = run_dirs(store)
    records, torn, _ = stream_lines(run_dir)
    line = figures("deep-values", **{k: v[:40] for k, v in outcomes.items()},
                   records=[r.get("a") for r in records])
    for name, message in outcomes.items():
        assert f"more than {MAX_DEPTH} levels" in message and "\n" not in message, (line, name)
    for name in ("log", "config", "summary"):
        assert "'deep'" in outcomes[name], (line, outcomes[name])
    assert [r["a"] for r in records] == [0, 2] and torn == 0, line  # nothing half-logged
    assert "deep" not in (run_dir / "config.yaml").read_text(), line


def test_a_deep_config_file_is_one_line_and_exit_2_before_the_program(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "deep.yaml").write_text("deep: " + "{k: " * 1000 + "1" + "}" * 1000 + "\n")
    done = subprocess.run(RUNWRAP + ["--dir", str(tmp_path / "store"), "--config", "deep.yaml",
                                     sys.executable, "-c", "open('ran', 'w')"],
                          cwd=work, env=clean_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    line = figures("deep-config-file", exit=done.returncode, lines=len(done.stderr.splitlines()))
    assert done.returncode == 2 and no_traceback(done.stderr), (line, done.stderr[-2000:])
    assert len(done.stderr.splitlines()) == 1 and "deep.yaml" in done.stderr, (line, done.stderr)
    assert not (work / "ran").exists(), line


def test_readers_skip_deep_data_already_on_disk(tmp_path):
    store = tmp_path / "store"
    script = write_script(tmp_path / "work", "ok.py", """
        import runwrap
        run = runwrap.init()
        run.log({"loss": 1.0}); run.log({"loss": 0.5})
    """)
    subprocess.run(RUNWRAP + ["--dir", str(store), "--project", "p", "--id", "deep0001",
                              *QUIET_COLLECTORS, sys.executable, str(script)],
                   cwd=tmp_path / "work", env=clean_env(), stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=60, check=True)
    run_dir = store / "p" / "deep0001"
    [stream] = (run_dir / "streams").glob("sdk*.jsonl")
    deep = '{"x": ' + "[" * 5000 + "]" * 5000 + ', "_step": 9}\n'
    with open(stream, "a") as f:
        f.write(deep)
    (run_dir / "config.yaml").write_text("deep: " + "[" * 5000 + "]" * 5000 + "\n")
    (run_dir / "summary.json").unlink()
    results = {}
    for args in (["show", "deep0001"], ["ls"], ["export", "deep0001", "--format", "jsonl"],
                 ["compare", "deep0001", "deep0001"]):
        done = runwrap(args[0], "--dir", store, *args[1:])
        results[args[0]] = (done.returncode, no_traceback(done.stderr), done.stderr[-300:])
    line = figures("deep-on-disk", **{k: v[0] for k, v in results.items()})
    for name, (code, clean, err) in results.items():
        assert code == 0 and clean, (line, name, err)
