"""`runwrap diff RUN_A RUN_B`: unified diffs of what differs between two runs."""
from __future__ import annotations

import pytest

from tools_support import curve, make_run, runwrap


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = tmp_path_factory.mktemp("diff") / "store"
    a = make_run(store, curve(3), run_id="diffa001", name="a", config=["lr=0.1", "opt.name=adam"])
    b = make_run(store, curve(3), run_id="diffb001", name="b", config=["lr=0.2", "opt.name=adam"])
    c = make_run(store, curve(3), run_id="diffc001", name="c", config=["lr=0.1", "opt.name=adam"],
             data_name="diffa001")
    # Saved code and a dirty-tree patch, as the code saver and git collector leave them.
    for run_dir, body in ((a, "x = 1\n"), (b, "x = 2\n"), (c, "x = 1\n")):
        (run_dir / "code").mkdir(exist_ok=True)
        (run_dir / "code" / "train.py").write_text("import os\n" + body)
    (b / "code" / "weights.bin").write_bytes(b"\0\1\2")  # only in b, and not text
    (b / "diff.patch").write_text("--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n")
    return store


def test_config_code_and_patch_differences_are_unified_diffs(store):
    result = runwrap("diff", "a", "b", "--dir", store)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "--- a/diffa001/config.yaml\n+++ b/diffb001/config.yaml" in out
    assert "-lr: 0.1\n+lr: 0.2\n" in out
    assert " opt:\n" in out or "opt:" not in out.split("config.yaml")[2].split("---")[0]
    assert "--- a/diffa001/code/train.py" in out and "-x = 1\n+x = 2" in out
    assert "+++ b/diffb001/diff.patch" in out and "++x = 2" in out
    # the commands differ in the data file they were given
    assert "--- a/diffa001/run.json" in out
    assert "-command: " in out and "diffa001.jsonl\n+command: " in out
    assert "Binary files a/diffa001/code/weights.bin and b/diffb001/code/weights.bin differ" in out
    assert "\x1b[" not in out


def test_same_runs_print_nothing_and_say_so(store):
    result = runwrap("diff", "diffa", "c", "--dir", store)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "same" in result.stderr


def test_diff_needs_two_known_runs(store):
    result = runwrap("diff", "a", "zzz", "--dir", store)
    assert result.returncode == 2 and "zzz" in result.stderr
