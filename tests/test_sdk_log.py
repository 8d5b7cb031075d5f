"""run.log(): wandb's step/commit rules, values, threads, and the run's end state."""
from __future__ import annotations

import json

from sdk_harness import config, meta, metrics, only_run, records, run_script, summary


def test_wandb_example_runs_unchanged_and_leaves_config_and_summary(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        config = {"lr": 0.01, "batch_size": 32}
        with wandb.init(config=config) as run:
            run.log({"accuracy": 0.95, "loss": 0.05})
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store", "train")  # no git root: the program file name
    assert config(run) == {"lr": 0.01, "batch_size": 32}
    assert summary(run)["sdk"]["accuracy"]["last"] == 0.95
    assert summary(run)["sdk"]["loss"]["last"] == 0.05
    assert meta(run)["status"] == "finished" and meta(run)["exit_code"] == 0
    assert meta(run)["owner"]["kind"] == "sdk"


def test_each_log_is_a_new_step_and_commit_false_adds_to_the_current_step(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        run.log({"a": 1})
        run.log({"b": 2}, commit=False)
        run.log({"c": 3})
        run.log({"d": 4})
        print(run.step)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    rows = metrics(records(only_run(tmp_path / "store")))
    assert rows == [{"a": 1, "_step": 0}, {"b": 2, "_step": 1}, {"c": 3, "_step": 1},
                    {"d": 4, "_step": 2}]
    assert done.stdout.strip() == "3"


def test_explicit_step_holds_the_row_open_until_a_later_step_or_commit(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        run.log({"a": 1}, step=5)
        run.log({"b": 2}, step=5)
        run.log({"c": 3})            # joins row 5 and commits it
        run.log({"d": 4}, step=9, commit=True)
        run.log({"e": 5})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    rows = metrics(records(only_run(tmp_path / "store")))
    assert [r["_step"] for r in rows] == [5, 5, 5, 9, 10]


def test_a_lower_step_is_recorded_with_one_warning_not_dropped(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        for s in (10, 11):
            run.log({"x": s}, step=s, commit=True)
        run.log({"x": 3}, step=3)
        run.log({"x": 4}, step=4)
        run.log({"x": 12})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    rows = metrics(records(only_run(tmp_path / "store")))
    assert [(r["_step"], r["x"]) for r in rows] == [(10, 10), (11, 11), (3, 3), (4, 4), (12, 12)]
    assert done.stderr.count("lower than the current step") == 1


def test_values_nested_dicts_nan_inf_bools_strings_and_duck_typed_scalars(tmp_path):
    done = run_script(tmp_path, """
        import math, runwrap
        class Scalar:                       # what numpy and torch scalars look like
            def __init__(self, v): self.v = v
            def item(self): return self.v
        class Array:
            def item(self): raise ValueError("more than one element")
            def tolist(self): return [1.0, 2.0]
        class Sub(float): pass
        run = runwrap.init(project="p")
        run.log({"train": {"loss": 0.5, "deep": {"x": 1}}, "nan": math.nan, "inf": math.inf,
                 "ninf": -math.inf, "flag": True, "label": "cat", "np": Scalar(2.5),
                 "arr": Array(), "sub": Sub(1.5), "none": None})
        run.finish()
        print(sorted(run.summary.keys()))
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    line = (run / "streams" / "sdk.jsonl").read_text()
    row = json.loads(line)  # strict JSON: NaN/Inf are strings
    assert row["train/loss"] == 0.5 and row["train/deep/x"] == 1
    assert (row["nan"], row["inf"], row["ninf"]) == ("NaN", "Infinity", "-Infinity")
    assert row["flag"] is True and row["label"] == "cat" and row["none"] is None
    assert row["np"] == 2.5 and row["arr"] == [1.0, 2.0] and row["sub"] == 1.5
    from runwrap.store.summary import flat
    values = flat(summary(run))
    import math
    assert math.isnan(values["nan"]) and values["inf"] == math.inf and values["ninf"] == -math.inf


def test_summary_statistics_are_exact_over_many_fast_path_rows(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        for i in range(10000):
            run.log({"a": float(i), "b": i % 7})
            if i == 5000:
                run.log({"a": float("nan")})
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    stats = summary(only_run(tmp_path / "store"))["sdk"]
    assert stats["a"]["count"] == 10001 and stats["a"]["last"] == 9999.0
    assert stats["a"]["min"] == 0.0 and stats["a"]["max"] == 9999.0
    assert abs(stats["a"]["mean"] - 4999.5) < 1e-6
    assert stats["b"]["count"] == 10000 and stats["b"]["max"] == 6
    assert stats["a"]["step"] == 10000  # the NaN row took step 5001


def test_eight_threads_logging_at_once_lose_nothing(tmp_path):
    done = run_script(tmp_path, """
        import threading, runwrap
        run = runwrap.init(project="p")
        def work(t):
            for i in range(2000):
                run.log({f"t{t}": i, "shared": float(i)})
        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        [t.start() for t in threads]; [t.join() for t in threads]
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    rows = records(run)
    assert len(rows) == 16000
    assert sorted(r["_step"] for r in rows) == list(range(16000))
    for t in range(8):
        assert sorted(r[f"t{t}"] for r in rows if f"t{t}" in r) == list(range(2000))
    assert summary(run)["sdk"]["shared"]["count"] == 16000


def test_log_rejects_non_dicts_and_calls_after_finish(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        try:
            run.log([1, 2])
        except TypeError as e:
            print("TypeError", e)
        run.finish()
        run.finish()  # twice is fine
        try:
            run.log({"a": 1})
        except runwrap.UsageError as e:
            print("UsageError", e)
        try:
            runwrap.log({"a": 1})
        except runwrap.Error as e:
            print("module", type(e).__name__)
    """)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "TypeError run.log() takes a dict" in out
    assert "UsageError run.log() called after run.finish()" in out
    assert "module UsageError" in out


def test_module_functions_follow_the_current_run(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        assert runwrap.run is None
        run = runwrap.init(project="p", config={"lr": 0.1})
        assert runwrap.run is run
        runwrap.config.update({"layers": 3})
        print(runwrap.config.lr, runwrap.config["layers"])
        runwrap.log({"loss": 1.0})
        runwrap.log({"loss": 0.5})
        runwrap.summary["best"] = 0.5
        print(runwrap.summary["loss"], runwrap.summary.best)
        runwrap.finish()
        assert runwrap.run is None
        print(issubclass(runwrap.errors.CommError, runwrap.Error),
              runwrap.AuthenticationError.__mro__[1] is runwrap.Error)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0.1", "3", "0.5", "0.5", "True", "True"]
    run = only_run(tmp_path / "store")
    assert config(run) == {"lr": 0.1, "layers": 3}
    assert json.loads((run / "summary-user.json").read_text()) == {"best": 0.5}
    assert summary(run)["user"]["best"]["last"] == 0.5


def test_an_uncaught_exception_marks_the_run_failed(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        run.log({"a": 1})
        raise RuntimeError("boom")
    """)
    assert done.returncode == 1 and "RuntimeError: boom" in done.stderr
    doc = meta(only_run(tmp_path / "store"))
    assert doc["status"] == "failed" and doc["exit_code"] == 1


def test_sys_exit_code_is_the_runs_exit_code(tmp_path):
    done = run_script(tmp_path, """
        import sys, runwrap
        runwrap.init(project="p")
        sys.exit(3)
    """)
    assert done.returncode == 3
    doc = meta(only_run(tmp_path / "store"))
    assert doc["status"] == "failed" and doc["exit_code"] == 3


def test_an_unfinished_run_is_finished_at_a_clean_exit(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        runwrap.init(project="p").log({"a": 2})
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    assert meta(run)["status"] == "finished"
    assert summary(run)["sdk"]["a"]["last"] == 2


def test_context_manager_marks_failed_on_exception_and_reraises(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        try:
            with runwrap.init(project="p") as run:
                run.log({"a": 1})
                raise ValueError("inside")
        except ValueError:
            print("reraised")
        print(runwrap.run)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["reraised", "None"]
    doc = meta(only_run(tmp_path / "store"))
    assert doc["status"] == "failed" and doc["exit_code"] == 1


def test_finish_with_an_exit_code_and_a_clean_process_exit(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        runwrap.init(project="p").finish(exit_code=2)
    """)
    assert done.returncode == 0
    doc = meta(only_run(tmp_path / "store"))
    assert doc["status"] == "failed" and doc["exit_code"] == 2


def test_import_runwrap_does_not_load_the_sdk(tmp_path):
    done = run_script(tmp_path, """
        import sys, runwrap
        print(runwrap.__version__, [m for m in sys.modules if m.startswith("runwrap.")])
    """)
    assert done.stdout.strip() == "0.1.0 []"


def test_exit_builtin_and_argparse_errors_are_the_runs_exit_code(tmp_path):
    done = run_script(tmp_path, """
        import argparse, runwrap
        runwrap.init(project="p")
        parser = argparse.ArgumentParser()
        parser.add_argument("--n", type=int, required=True)
        parser.parse_args([])             # exits 2 through sys.exit
    """)
    assert done.returncode == 2
    assert meta(only_run(tmp_path / "store"))["exit_code"] == 2
    done = run_script(tmp_path, """
        import runwrap
        runwrap.init(project="q")
        exit(4)
    """)
    assert done.returncode == 4
    assert meta(only_run(tmp_path / "store", "q"))["exit_code"] == 4


def test_a_keyboard_interrupt_marks_the_run_killed_by_sigint(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        runwrap.init(project="p")
        raise KeyboardInterrupt
    """)
    assert done.returncode in (130, -2, 1)
    doc = meta(only_run(tmp_path / "store"))
    assert (doc["status"], doc["exit_code"], doc["signal"]) == ("killed", 130, "SIGINT")


def test_in_a_notebook_kernel_config_values_may_change_and_init_finishes_the_previous_run(tmp_path):
    done = run_script(tmp_path, """
        import sys, types
        sys.modules["ipykernel"] = types.ModuleType("ipykernel")  # what a Jupyter kernel loads
        import runwrap
        first = runwrap.init(project="p", config={"lr": 0.1})
        first.config.lr = 0.2                     # allowed by default in notebooks
        second = runwrap.init(project="q")        # reinit='default' finishes the first
        print(first.config.lr, second is not first)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0.2", "True"]
    assert meta(only_run(tmp_path / "store", "p"))["status"] == "finished"
