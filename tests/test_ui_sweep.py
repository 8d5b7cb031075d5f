"""The dashboard's sweep page over a real sweep: `runwrap sweep` runs a small grid of a program
that prints its loss, and headless Chromium reads the page: the trials' parameters and loss as
parallel coordinates, the loss over steps of the best trials, the trials ranked, and the runs
table grouped by the sweep."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tools_support import child_env
from ui_support import UiServer, chromium_driver, texts
from wrapper_harness import wait_for

TRAIN = """
import argparse, math
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--optimizer")
a = p.parse_args()
for step in range(20):
    loss = 2.0 * math.exp(-step * a.lr) + (0.5 if a.optimizer == "sgd" else 0.0)
    print(f"step={step} loss={loss:.4f}", flush=True)
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("sweep")
    (work / "train.py").write_text(TRAIN)
    root = work / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "runwrap", "sweep", "--dir", str(root), "--project", "sw",
         "-p", "lr=0.05,0.5", "-p", "optimizer=adam,sgd", "--minimize", "loss", "--",
         sys.executable, "train.py"], cwd=work, capture_output=True, text=True, env=child_env(),
        stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, done.stderr
    return root


def sweep_id(store):
    (path,) = (store / ".sweeps").iterdir()
    return path.name


def trials(store):
    """(loss, run id) of every trial, as the sweep's own documents say."""
    out = []
    for doc in (store / ".sweeps" / sweep_id(store) / "trials").glob("[0-9]*.json"):
        if not doc.name.endswith(".args.json"):
            t = json.loads(doc.read_text())
            out.append((t["value"], t["run_id"]))
    return sorted(out)


def test_the_sweep_page_shows_parameters_and_loss_and_the_best_trials(store):
    ui = UiServer(store)
    driver = chromium_driver()
    try:
        driver.get(ui.url + "#/sweep/" + sweep_id(store))
        attr = lambda sel, name: driver.execute_script(
            "return document.querySelector(arguments[0])?.dataset[arguments[1]]", sel, name)
        assert wait_for(lambda: attr("#sweep-coords", "trials") == "4", timeout=60)
        dims = driver.execute_script("return document.getElementById('sweep-coords').data[0]"
                                     ".dimensions.map(d => d.label)")
        assert dims == ["lr", "optimizer", "loss"]
        assert wait_for(lambda: attr("#sweep-best", "series") == "4", timeout=60)
        # ranked lowest loss first, each row linking to its run
        expected = trials(store)
        ranked = texts(driver, "#sweep-trials tr[data-trial] td:nth-child(3)")
        assert ranked == [run_id for _, run_id in expected]
        assert float(texts(driver, "#sweep-trials tr[data-trial] td:nth-child(5)")[0]) == expected[0][0]

        driver.get(ui.url + "#/runs?group=sweep")
        assert wait_for(lambda: texts(driver, "tr.group-row b") == [sweep_id(store)], timeout=30)
        header = driver.execute_script("return document.querySelector('tr.group-row').textContent")
        assert "4 runs" in header
    finally:
        driver.quit()
        ui.close()


def test_an_unknown_sweep_is_a_404(store):
    ui = UiServer(store)
    try:
        status, _, body = ui.get("/api/sweep?id=nope")
        assert status == 404 and b"no sweep" in body
        status, _, _ = ui.get("/api/sweep?id=..%2F..%2Fetc")
        assert status == 404
    finally:
        ui.close()
