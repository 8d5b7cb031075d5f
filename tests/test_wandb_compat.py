"""The same scripts under runwrap and under the real wandb (offline) give the same answers."""
from __future__ import annotations

from wandb_reference import both


def test_define_metric_summary_shapes_match_wandb(tmp_path):
    result = both(tmp_path, """
        import json
        import wandb
        run = wandb.init(project="p")
        run.define_metric("acc", summary="max")
        run.define_metric("loss", summary="min,mean,last")
        run.define_metric("val/*", summary="first")
        run.define_metric("ignored", summary="none")
        run.define_metric("hid", hidden=True)
        for acc, loss in ((0.1, 3.0), (0.5, 1.0), (0.3, 2.0)):
            run.log({"acc": acc, "loss": loss, "val/x": loss, "ignored": 1, "plain": acc, "hid": 2})
        s = run.summary
        out = {k: (dict(s[k]) if hasattr(s[k], "keys") else s[k]) for k in s.keys()}
        run.finish()
        print(json.dumps({k: v for k, v in out.items() if not k.startswith("_")}))
    """)
    assert result == {"acc": {"max": 0.5}, "loss": {"min": 1.0, "mean": 2.0, "last": 2.0},
                      "val/x": {"first": 3.0}, "plain": 0.3, "hid": 2}


def test_settings_and_environment_match_wandb(tmp_path):
    result = both(tmp_path, """
        import json, os
        os.environ["WANDB_PROJECT"] = "envproj"
        os.environ["WANDB_NAME"] = "the-name"
        os.environ["WANDB_NOTES"] = "n"
        os.environ["WANDB_RUN_GROUP"] = "g"
        os.environ["WANDB_JOB_TYPE"] = "train"
        os.environ["WANDB_TAGS"] = "a,b"
        os.environ["WANDB_RUN_ID"] = "fixedid1"
        import wandb
        run = wandb.init()
        s = run.settings
        out = {"project": run.project, "id": run.id, "name": run.name, "notes": run.notes,
               "group": run.group, "job_type": run.job_type, "tags": sorted(run.tags),
               "settings": [s.mode, s.run_id, s.project, s.run_name, s.run_group,
                            s.run_job_type, sorted(s.run_tags), s.files_dir == run.dir],
               "login": wandb.login(), "levels": [l.value for l in wandb.AlertLevel]}
        run.finish()
        print(json.dumps(out))
    """)
    assert result["project"] == "envproj" and result["id"] == "fixedid1"
    assert result["settings"] == ["offline", "fixedid1", "envproj", "the-name", "g", "train",
                                  ["a", "b"], True]
    assert result["login"] is False and result["levels"] == ["INFO", "WARN", "ERROR"]
