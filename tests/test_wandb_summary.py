"""define_metric(summary=..., goal=...): wandb's nested summary shape in run.summary,
summary.json, `runwrap show` and the public Api."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from sdk_harness import child_env, only_run, run_script, summary

SCRIPT = """
    import json
    import runwrap as wandb
    run = wandb.init(project="p")
    run.define_metric("acc", summary="max")
    run.define_metric("loss", summary="min,mean,last")
    run.define_metric("err", summary="best", goal="minimize")
    run.define_metric("score", summary="best", goal="maximize")
    run.define_metric("val/*", summary="first")
    run.define_metric("ignored", summary="none")
    for acc, loss in ((0.1, 3.0), (0.5, 1.0), (0.3, 2.0)):
        run.log({"acc": acc, "loss": loss, "err": loss, "score": acc, "val/x": loss,
                 "ignored": 1, "plain": acc})
    s = run.summary
    print(json.dumps({k: s[k] for k in sorted(s.keys())}, sort_keys=True))
    run.finish()
"""
EXPECTED = {"acc": {"max": 0.5}, "loss": {"min": 1.0, "mean": 2.0, "last": 2.0},
            "err": {"best": 1.0}, "score": {"best": 0.5}, "val/x": {"first": 3.0},
            "plain": 0.3}


def test_defined_summaries_have_wandbs_nested_shape_in_memory_and_on_disk(tmp_path):
    done = run_script(tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    run = only_run(tmp_path / "store")
    sdk = summary(run)["sdk"]
    assert sdk["acc"]["summary"] == {"max": 0.5} and sdk["acc"]["last"] == 0.3
    assert "summary" not in sdk["plain"]
    shown = subprocess.run([sys.executable, "-m", "runwrap", "show", "--json", run.name],
                           env=child_env(tmp_path / "store"), capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["summary"] == EXPECTED
    text = subprocess.run([sys.executable, "-m", "runwrap", "show", run.name],
                          env=child_env(tmp_path / "store"), capture_output=True, text=True).stdout
    defined = text.split("summary (define_metric)\n")[1].splitlines()
    assert defined[0].split() == ["acc", "max=0.5"]
    assert defined[2].split() == ["loss", "min=1.0", "mean=2.0", "last=2.0"]


def test_defined_summaries_under_the_wrapper_reach_summary_json(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    # Printed JSON would also be parsed as console scalars ("max": 0.5): keep the console quiet.
    quiet = SCRIPT.replace("print(json.dumps", "(json.dumps")
    (work / "train.py").write_text(textwrap.dedent(quiet))
    done = subprocess.run([sys.executable, "-m", "runwrap", "--project", "p", sys.executable,
                           "train.py"], cwd=work, env=child_env(tmp_path / "store"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from runwrap.store.summary import flat

    run = only_run(tmp_path / "store")
    doc = summary(run)
    assert flat(doc) == EXPECTED


def test_show_lists_under_define_metric_only_defined_summaries_not_dict_values(tmp_path):
    done = run_script(tmp_path, """
        import runwrap as wandb
        run = wandb.init(project="p")
        run.define_metric("acc", summary="max")
        for i in range(3):
            run.log({"acc": i / 10})
        run.summary["stats"] = {"mean_len": 12.5, "n": 3}
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path / "store")
    text = subprocess.run([sys.executable, "-m", "runwrap", "show", run.name],
                          env=child_env(tmp_path / "store"), capture_output=True, text=True).stdout
    defined = text.split("summary (define_metric)\n")[1].splitlines()
    assert [line.split() for line in defined if line.strip()] == [["acc", "max=0.2"]], text
    assert '"mean_len": 12.5' in text.split("summary (define_metric)")[0]  # shown as a value
