"""Artifacts: a local content-addressed store beside the projects (versions, aliases, lineage),
wandb's Artifact API over it, and `runwrap artifacts` list/show."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from sdk_harness import child_env, meta, run_script
from wandb_reference import both

LOG = """
    import runwrap as wandb
    run = wandb.init(project="p", id="maker")
    art = wandb.Artifact("ds", type="dataset", description="two files", metadata={"rows": 2})
    art.add_dir("data")
    art.add_file("data/a.txt", name="copy/a.txt")
    with art.new_file("notes.txt", mode="w") as f:
        f.write("made by new_file")
    art.add_reference("s3://bucket/big.bin")
    art.add(wandb.Table(columns=["x"], data=[[1], [2]]), "tab")
    logged = run.log_artifact(art, aliases=["best"])
    print(logged.name, logged.version, sorted(logged.aliases), logged.wait() is logged)
    again = wandb.Artifact("ds", type="dataset")
    again.add_dir("data")
    print(run.log_artifact(again).name)
    same = wandb.Artifact("ds", type="dataset")
    same.add_dir("data")
    print(run.log_artifact(same, aliases=["prod"]).name)
    run.finish()
"""


def make_data(tmp_path):
    data = tmp_path / "work" / "data"
    data.mkdir(parents=True)
    (data / "a.txt").write_text("alpha")
    (data / "b.txt").write_text("beta")


def test_log_artifact_stores_versions_once_by_digest_with_moving_aliases(tmp_path):
    make_data(tmp_path)
    done = run_script(tmp_path, LOG)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ds:v0 v0 ['best', 'latest'] True", "ds:v1", "ds:v1"]
    store = tmp_path / "store" / ".artifacts"
    objects = [p for p in (store / "objects").rglob("*") if p.is_file()]
    # alpha, beta, notes, the table: stored once each although a.txt is in three places
    assert len(objects) == 4
    coll = store / "projects" / "p" / "ds"
    assert sorted(os.listdir(coll / "versions")) == ["v0.json", "v1.json"]
    assert json.loads((coll / "aliases" / "prod.json").read_text()) == {"version": "v1"}
    v0 = json.loads((coll / "versions" / "v0.json").read_text())
    assert sorted(v0["files"]) == ["a.txt", "b.txt", "copy/a.txt", "notes.txt", "tab.table.json"]
    assert v0["references"] == {"big.bin": {"uri": "s3://bucket/big.bin"}}
    assert v0["logged_by"] == {"project": "p", "run_id": "maker"} and v0["metadata"] == {"rows": 2}
    run_meta = meta(tmp_path / "store" / "p" / "maker")
    assert [(a["name"], a["version"]) for a in run_meta["artifacts"]["logged"]] == \
        [("ds", "v0"), ("ds", "v1"), ("ds", "v1")]


def test_use_artifact_download_and_lineage_across_runs(tmp_path):
    make_data(tmp_path)
    assert run_script(tmp_path, LOG).returncode == 0
    done = run_script(tmp_path, """
        import os, runwrap as wandb
        os.environ["WANDB_ARTIFACT_DIR"] = "downloads"
        run = wandb.init(project="p", id="user")
        art = run.use_artifact("ds:best")
        path = art.download()
        print(art.name, art.type, art.metadata, path)
        print(sorted(os.path.relpath(os.path.join(d, f), path) for d, _, fs in os.walk(path) for f in fs))
        print(open(os.path.join(path, "notes.txt")).read(), art.get("tab").data)
        print(run.use_artifact("p/ds:v1").name, run.use_artifact("ds").version)
        print(art.logged_by().id, [r.id for r in art.used_by()],
              open(art.get_entry("copy/a.txt").download("one")).read())
        for bad in ("ds:nope", "other", "ds:best:x"):
            try:
                run.use_artifact(bad)
            except wandb.UsageError as e:
                print("error:", e)
        run.finish()
        print([a.name for a in wandb.Api().run("p/user").used_artifacts()])
        print(wandb.Api().artifact("p/ds:prod").version)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "ds:v0 dataset {'rows': 2} downloads/ds:v0"
    assert lines[1] == "['a.txt', 'b.txt', 'copy/a.txt', 'notes.txt', 'tab.table.json']"
    assert lines[2] == "made by new_file [[1], [2]]"
    assert lines[3] == "ds:v1 v1" and lines[4] == "maker ['user'] alpha"
    assert "no artifact ds:nope" in lines[5] and "best->v0" in lines[5]
    assert "no artifact other:latest" in lines[6] and lines[7].startswith("error:")
    assert lines[8] == "['ds:v0', 'ds:v1', 'ds:v1']" and lines[9] == "v1"


def test_bad_artifact_input_is_one_clear_error_and_writes_nothing(tmp_path):
    make_data(tmp_path)
    done = run_script(tmp_path, """
        import runwrap as wandb
        art = wandb.Artifact("ds", type="dataset")
        tries = [lambda: art.add_file("data/a.txt", name="../escape.txt"),
                 lambda: art.add_file("data/a.txt", name="/abs.txt"),
                 lambda: art.add_file("missing.txt"),
                 lambda: art.add_dir("data", name="../up"),
                 lambda: art.new_file("../x.txt").__enter__(),
                 lambda: wandb.Artifact("bad/name", type="t"),
                 lambda: wandb.Artifact("ok", type=""),
                 lambda: art.add_reference("not-a-uri")]
        for t in tries:
            try:
                t()
                print("no error")
            except wandb.UsageError as e:
                print(str(e)[:50])
        run = wandb.init(project="p")
        for bad in (["v3"], ["a/b"]):
            try:
                run.log_artifact(art, aliases=bad)
            except wandb.UsageError as e:
                print(str(e)[:40])
        run.finish()
    """)
    assert done.returncode == 0, done.stderr
    assert "no error" not in done.stdout and len(done.stdout.splitlines()) == 10
    assert not (tmp_path / "store" / ".artifacts" / "projects").exists()
    assert sorted(os.listdir(tmp_path / "work")) == ["data", "train.py"]


def test_runwrap_artifacts_lists_and_shows_with_json(tmp_path):
    make_data(tmp_path)
    assert run_script(tmp_path, LOG).returncode == 0
    env = child_env(tmp_path / "store")

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "runwrap", "artifacts", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    (entry,) = json.loads(cli("--json"))
    assert entry["name"] == "ds" and entry["versions"] == 2
    assert entry["aliases"] == {"best": "v0", "prod": "v1", "latest": "v1"}
    assert "ds" in cli() and "best:v0" in cli()
    shown = json.loads(cli("show", "ds:best", "--json"))
    assert shown["version"] == "v0" and shown["aliases"] == ["best"]
    assert shown["logged_by"]["run_id"] == "maker" and "notes.txt" in shown["files"]
    text = cli("show", "p/ds:prod")
    assert "p/ds:v1" in text and "a.txt" in text
    bad = subprocess.run([sys.executable, "-m", "runwrap", "artifacts", "show", "ds:nope"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "no artifact ds:nope" in bad.stderr


def test_artifact_drafts_match_wandb(tmp_path):
    result = both(tmp_path, """
        import json
        import wandb
        art = wandb.Artifact("ds", type="dataset", description="d", metadata={"k": 1})
        with art.new_file("a.txt", mode="w") as f:
            f.write("x")
        out = [art.name, art.type, art.description, art.metadata]
        try:
            art.version
        except AttributeError as e:
            out.append(type(e).__name__)
        run = wandb.init(project="p")
        logged = run.log_artifact(art, aliases=["best"])
        out.append(logged.type)
        run.finish()
        print(json.dumps(out))
    """)
    assert result == ["ds", "dataset", "d", {"k": 1}, "ArtifactNotLoggedError", "dataset"]
