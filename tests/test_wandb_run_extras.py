"""The rest of wandb's Run API that real training code reaches for: log_code, log_model,
use_model, link_model, link_artifact, status and the page URLs (None offline)."""
from __future__ import annotations

import json
import subprocess
import sys

from sdk_harness import child_env, meta, run_script
from wandb_reference import both


def test_status_urls_log_code_and_log_model_match_wandb_offline(tmp_path):
    result = both(tmp_path, """
        import json, os
        import wandb
        os.makedirs("pkg", exist_ok=True)
        open("pkg/model.py", "w").write("x = 1\\n")
        open("requirements.txt", "w").write("numpy\\n")
        open("notes.md", "w").write("not code\\n")
        open("weights.bin", "wb").write(b"w")
        run = wandb.init(project="p")
        status = run.status()
        out = {"status": [status.sync_items_total, status.sync_items_pending, status.sync_time],
               "urls": [run.url, run.project_url, run.sweep_url]}
        code = run.log_code(".")
        out["code"] = [code.type, code.name.split(":")[0]]
        out["none"] = run.log_code(".", include_fn=lambda path: path.endswith(".ipynb"))
        out["model"] = run.log_model("weights.bin", name="net", aliases=["best"])
        run.finish()
        print(json.dumps(out))
    """)
    assert result == {"status": [0, 0, None], "urls": [None, None, None],
                      "code": ["code", "source-p-script.py"], "none": None, "model": None}


def test_log_code_model_and_links_are_versions_in_the_store(tmp_path):
    done = run_script(tmp_path, """
        import json, os
        import runwrap as wandb
        os.makedirs("pkg", exist_ok=True)
        open("pkg/model.py", "w").write("x = 1\\n")
        open("Dockerfile", "w").write("FROM python\\n")
        open("notes.md", "w").write("not code\\n")
        os.makedirs("wandb", exist_ok=True)
        open("wandb/debug.py", "w").write("skip\\n")
        os.makedirs("ckpt", exist_ok=True)
        open("ckpt/w.bin", "wb").write(b"w")
        open("ckpt/opt.bin", "wb").write(b"o")
        open("one.bin", "wb").write(b"1")
        run = wandb.init(project="p", id="r1")
        code = run.log_code(".", exclude_fn=lambda path, root: path.endswith("Dockerfile")
                            or "wandb" in path)
        print(json.dumps(sorted(e.path for e in run.log_code(".").files())))
        print(json.dumps(sorted(e.path for e in code.files())))
        run.log_model("ckpt", name="net", aliases=["best"])
        wandb.log_model("one.bin", name="single")
        print(os.path.relpath(run.use_model("net:best")))
        print(os.path.relpath(wandb.use_model("single:latest")))
        linked = run.link_model("ckpt", "classifier", name="net", aliases=["prod"])
        print(linked.name)
        art = wandb.Artifact("ds", "dataset")
        art.add_file("one.bin")
        print(run.link_artifact(art, "wandb-registry-data/ds").name)
        try:
            run.use_model("ds:latest")
        except wandb.UsageError as e:
            print(e)
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert json.loads(lines[0]) == ["Dockerfile", "pkg/model.py", "train.py"]  # not wandb/
    assert json.loads(lines[1]) == ["pkg/model.py", "train.py"]
    assert lines[2:6] == ["artifacts/net:v0", "artifacts/single:v0/one.bin", "net:v0", "ds:v0"]
    assert "type 'dataset'" in lines[6] and "use_artifact" in lines[6]
    linked = meta(tmp_path / "store" / "p" / "r1")["artifacts"]["linked"]
    assert [(e["name"], e["target"], e["aliases"]) for e in linked] == [
        ("net", "model-registry/classifier", ["latest", "prod"]),
        ("ds", "wandb-registry-data/ds", ["latest"])]
    links = tmp_path / "store" / ".artifacts" / "projects" / "p" / "net" / "links.jsonl"
    assert json.loads(links.read_text())["target"] == "model-registry/classifier"
    code = meta(tmp_path / "store" / "p" / "r1")["artifacts"]["logged"][0]
    assert (code["name"], code["type"]) == ("source-p-train.py", "code")
    shown = subprocess.run([sys.executable, "-m", "runwrap", "show", "r1"],
                           env=child_env(tmp_path / "store"), capture_output=True, text=True)
    assert "artifacts linked   p/net:v0 -> model-registry/classifier" in shown.stdout, shown.stdout
