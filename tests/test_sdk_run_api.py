"""The Run's other methods: define_metric, summary, save, alert, mark_preempting."""
from __future__ import annotations

import json

from sdk_harness import meta, only_run, run_script, summary


def test_define_metric_changes_what_the_summary_reports(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        run.define_metric("loss", summary="min")
        run.define_metric("acc", summary="max,mean", goal="maximize")
        run.define_metric("val/*", summary="first")
        run.define_metric("secret", hidden=True)
        for loss, acc in ((3.0, 0.1), (1.0, 0.5), (2.0, 0.3)):
            run.log({"loss": loss, "acc": acc, "val/x": loss, "secret": 1})
        s = run.summary
        print(s["loss"], s["acc"]["max"], round(s["acc"]["mean"], 6), s["val/x"], "secret" in s)
        try:
            run.define_metric("x", summary="median")
        except runwrap.UsageError as e:
            print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    # wandb's shape: a defined summary is a dict of the kinds asked for; hidden only hides
    # the metric from charts (wandb 0.31 keeps it in the summary).
    assert first == "{'min': 1.0} 0.5 0.3 {'first': 3.0} True"
    assert "'median' is not one of" in second
    assert meta(only_run(tmp_path / "store"))["metrics"]["loss"] == {"summary": ["min"]}


def test_user_summary_assignments_win_and_are_saved(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        run.log({"loss": 2.0})
        run.summary["loss"] = 0.1
        run.summary.update({"best_epoch": 3})
        run.log({"loss": 1.0})
        print(run.summary["loss"], dict(run.summary))
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.1 {'loss': 0.1, 'best_epoch': 3}"
    run = only_run(tmp_path / "store")
    assert json.loads((run / "summary-user.json").read_text()) == {"loss": 0.1, "best_epoch": 3}
    from runwrap.store.summary import flat
    assert flat(summary(run))["loss"] == 0.1


def test_save_copies_matching_files_into_files_and_again_at_finish(tmp_path):
    (tmp_path / "work" / "ckpt").mkdir(parents=True)
    done = run_script(tmp_path, """
        import runwrap
        open("ckpt/a.pt", "w").write("1")
        run = runwrap.init(project="p")
        print(len(run.save("ckpt/*.pt")))
        open("ckpt/a.pt", "w").write("2")        # live: copied again at finish
        open("final.txt", "w").write("end")
        run.save("final.txt", policy="end")
        try:
            run.save("x", policy="sometimes")
        except runwrap.UsageError as e:
            print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "1"
    run = only_run(tmp_path / "store")
    assert (run / "files" / "ckpt" / "a.pt").read_text() == "2"  # wandb: relative to cwd
    assert (run / "files" / "final.txt").read_text() == "end"


def test_alert_is_recorded_and_said_on_stderr_and_preempting_is_marked(tmp_path):
    done = run_script(tmp_path, """
        import runwrap
        run = runwrap.init(project="p")
        run.alert("Loss diverged", "loss is NaN", level="ERROR")
        run.mark_preempting()
        try:
            run.alert("t", "x", level="LOUD")
        except runwrap.UsageError as e:
            print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert "runwrap: alert [ERROR] Loss diverged: loss is NaN" in done.stderr
    doc = meta(only_run(tmp_path / "store"))
    assert doc["alerts"][0]["title"] == "Loss diverged" and doc["alerts"][0]["level"] == "ERROR"
    assert doc["preempting"] is True
    assert "'LOUD' is not one of INFO, WARN, ERROR" in done.stdout
