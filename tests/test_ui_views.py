"""`runwrap ui` as a new user meets it: the charts of the newest runs without a click, step keys
left out, the view kept in the address; the runs table's filters and groups; a cluster job's
run page and its parts; one live connection a page. A real server over runs recorded by the
real wrapper, read in headless Chromium."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tools_support import child_env, curve, make_run
from ui_support import UiServer, chromium_driver, texts
from wrapper_harness import wait_for

NEWEST = 10
RUNS = 12  # in project `vision`: more than the first look charts

# Prints its metrics on the console, the step among them: `step` is the step of its records.
CONSOLE = """
for step in range(0, 50, 5):
    print(f"step={step} loss={1.0 / (step + 1):.4f}", flush=True)
"""

TASK = """
import os
rank = int(os.environ["SLURM_PROCID"])
for step in range(3):
    print(f"step: {step} loss: {1.0 / (step + 1) + rank:.4f}", flush=True)
print(f"task {rank} says goodbye", flush=True)
"""

# Counts the page's open EventSources: installed before the page's own scripts.
COUNT_SOURCES = """
window.__sources = 0;
const Native = window.EventSource;
window.EventSource = class extends Native {
  constructor(...a) { super(...a); window.__sources++; }
  close() { if (this.readyState !== 2) window.__sources--; super.close(); }
};
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("views") / "store"
    # One real run, copied under new ids: a newer start each, its own lr, a sweep for some.
    first = make_run(root, curve(20), run_id="v00", name="vision-00", project="vision",
                     config=["lr=0.1"])
    meta = json.loads((first / "run.json").read_text())
    meta["start_time"] -= 100  # older than the console's and the job's runs below
    (first / "run.json").write_text(json.dumps(meta))
    for i in range(1, RUNS):
        target = root / "vision" / f"v{i:02d}"
        shutil.copytree(first, target)
        meta.update(id=f"v{i:02d}", name=f"vision-{i:02d}", start_time=meta["start_time"] + 1,
                    tags=["best"] if i == 3 else [], sweep_id="sw1" if i % 2 else None)
        (target / "run.json").write_text(json.dumps(meta))
        (target / "config.yaml").write_text(f"lr: {0.001 * i}\n")
    (root / "work").mkdir(exist_ok=True)
    script = root / "work" / "console.py"
    script.write_text(CONSOLE)
    wrapped = subprocess.run(
        [sys.executable, "-m", "runwrap", "--dir", str(root), "--project", "console", "--id",
         "steps", "--name", "steps", "--stats-interval", "0", "--quiet", "--", sys.executable,
         str(script)],
        capture_output=True, text=True, env=child_env(), stdin=subprocess.DEVNULL)
    assert wrapped.returncode == 0, wrapped.stderr
    # A SLURM job of two tasks (one per node) is one run of two parts.
    task = root / "work" / "task.py"
    task.write_text(TASK)
    for rank in range(2):
        env = child_env(SLURM_JOB_ID="77", SLURM_STEP_ID="0", SLURM_PROCID=str(rank),
                        SLURM_LOCALID="0", SLURM_NODEID=str(rank), SLURM_NTASKS="2",
                        SLURMD_NODENAME=f"node{rank}", RUNWRAP_HOST=f"node{rank}")
        done = subprocess.run([sys.executable, "-m", "runwrap", "--dir", str(root), "--project",
                               "cluster", "--name", "job77", "--stats-interval", "0", "--quiet", "--", sys.executable,
                               str(task)], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def server(store):
    ui = UiServer(store)
    yield ui
    ui.close()


@pytest.fixture
def browser():
    driver = chromium_driver()
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNT_SOURCES})
    yield driver
    driver.quit()


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def chart_runs(driver, metric="loss"):
    """The run names a chart draws, in the legend's order, once it has drawn."""
    return js(driver, "const p = document.querySelector(`.chart[data-metric='${arguments[0]}'] .plot`);"
                      "return p && p.data ? p.data.map(t => t.name) : null", metric)


def newest_vision(n):
    return [f"vision-{i:02d}" for i in range(RUNS - 1, RUNS - 1 - n, -1)]


def test_the_first_look_charts_the_newest_runs_without_a_click(store, server, browser):
    browser.get(server.url)
    assert wait_for(lambda: chart_runs(browser) is not None and len(chart_runs(browser)) == NEWEST,
                    timeout=30), chart_runs(browser)
    # the newest runs of the store: the job's and the console run's are newer than vision's
    shown = chart_runs(browser)
    assert shown == ["job77", "steps"] + newest_vision(NEWEST - 2)
    # the address names the runs: a link opens the same view, even once newer runs exist
    link = browser.current_url
    assert "runs=" in link and "cluster/slurm-77.0" in link
    newer = store / "vision" / "v99"
    shutil.copytree(store / "vision" / "v00", newer)
    meta = json.loads((newer / "run.json").read_text())
    meta.update(id="v99", name="newer", start_time=meta["start_time"] + 1000)
    (newer / "run.json").write_text(json.dumps(meta))
    try:
        browser.get("about:blank")
        browser.get(link)
        assert wait_for(lambda: chart_runs(browser) == shown, timeout=30), chart_runs(browser)
        browser.get(server.url + "#/charts")
        assert wait_for(lambda: (chart_runs(browser) or [None])[0] == "newer", timeout=30)
    finally:
        shutil.rmtree(newer)


def test_the_first_look_follows_the_runs_table_filter(server, browser):
    browser.get(server.url + "#/runs?project=vision&filter=lr<0.0035")
    # vision-00's lr is 0.1 (its config as recorded); the copies' 0.001 × their number
    assert wait_for(lambda: sorted(texts(browser, "tr.run td:nth-child(4)")) ==
                    ["vision-01", "vision-02", "vision-03"], timeout=30), \
        texts(browser, "tr.run td:nth-child(4)")
    browser.find_element("css selector", '[data-nav="charts"]').click()
    assert wait_for(lambda: sorted(chart_runs(browser) or []) == ["vision-01", "vision-02", "vision-03"],
                    timeout=30), chart_runs(browser)
    assert "lr<0.0035" in js(browser, "return document.getElementById('first-look').textContent")


def test_step_keys_are_not_charted_against_themselves_unless_asked(server, browser):
    browser.get(server.url + "#/charts?runs=console/steps")
    assert wait_for(lambda: chart_runs(browser) == ["steps"], timeout=30)
    shown = lambda: js(browser, "return [...document.querySelectorAll('.chart')]"
                                ".filter(c => c.style.display !== 'none').map(c => c.dataset.metric)")
    assert "step" not in shown() and "loss" in shown()
    browser.find_element("id", "step-keys").click()
    assert wait_for(lambda: "step" in shown())
    assert wait_for(lambda: chart_runs(browser, "step") == ["steps"], timeout=30)
    assert "steps=1" in browser.current_url  # asked for: kept in the address
    browser.get("about:blank")
    browser.get(server.url + "#/charts?runs=console/steps&steps=1")
    assert wait_for(lambda: "step" in (shown() or []), timeout=30)


def test_the_table_filters_by_status_tag_and_config_and_groups_by_sweep_and_job(server, browser):
    rows = lambda: texts(browser, "tr.run td:nth-child(4)")
    browser.get(server.url + "#/runs?filter=tag:best")
    assert wait_for(lambda: rows() == ["vision-03"], timeout=30), rows()
    browser.get(server.url + "#/runs?filter=status:finished lr>=0.01")
    assert wait_for(lambda: sorted(rows()) == ["vision-00", "vision-10", "vision-11"], timeout=30), rows()
    browser.get(server.url + "#/runs?filter=lr<")
    assert wait_for(lambda: "needs a value" in js(browser, "return document.getElementById('filter-error').textContent"),
                    timeout=30)
    # grouped by sweep: the trials of sw1 under one header, the other runs under "no sweep"
    browser.get(server.url + "#/runs?project=vision&group=sweep")
    groups = lambda: texts(browser, "tr.group-row b")
    assert wait_for(lambda: groups() == ["sw1", "(no sweep)"], timeout=30), groups()
    header = js(browser, "return document.querySelector('tr.group-row[data-group=\"sw1\"]').textContent")
    assert "6 runs" in header
    js(browser, "document.querySelector('tr.group-row[data-group=\"sw1\"] a.toggle').click()")
    assert wait_for(lambda: len(rows()) == RUNS - 6)  # collapsed
    browser.get(server.url + "#/runs?group=job")
    assert wait_for(lambda: "slurm-77.0" in groups(), timeout=30), groups()
    # sorted by a config column, highest first then lowest first
    browser.get(server.url + "#/runs?project=vision&sort=c:lr")
    assert wait_for(lambda: rows()[:1] == ["vision-00"], timeout=30), rows()
    js(browser, "document.querySelector('th[data-column=\"c:lr\"]').click()")
    assert wait_for(lambda: rows()[:1] == ["vision-01"]), rows()


def test_a_job_run_page_lists_its_parts_and_opens_each_console(server, browser):
    browser.get(server.url + "#/run/cluster/slurm-77.0")
    assert wait_for(lambda: len(texts(browser, "#parts tr")) == 3, timeout=30)  # a header, two parts
    hosts = texts(browser, "#parts tr td:nth-child(3)")
    assert hosts == ["node0", "node1"]
    console = lambda: js(browser, "return document.getElementById('console')?.textContent") or ""
    assert wait_for(lambda: "task 0 says goodbye" in console())
    browser.find_element("css selector", '#parts a[data-part="1"]').click()
    assert wait_for(lambda: "task 1 says goodbye" in console())
    assert "part=1" in browser.current_url
    browser.get("about:blank")
    browser.get(server.url + "#/run/cluster/slurm-77.0?part=1")
    assert wait_for(lambda: "task 1 says goodbye" in console(), timeout=30)


def test_a_page_holds_one_live_connection_whatever_it_shows(server, browser):
    sources = lambda: js(browser, "return window.__sources")
    browser.get(server.url + "#/charts")  # ten runs, a chart each metric
    assert wait_for(lambda: chart_runs(browser) is not None and len(chart_runs(browser)) == NEWEST,
                    timeout=30)
    assert wait_for(lambda: sources() == 1)
    # to a run page (its console and status follow the run) and back: still one
    js(browser, "location.hash = '#/run/cluster/slurm-77.0'")
    assert wait_for(lambda: "goodbye" in (js(browser, "return document.getElementById('console')?.textContent") or ""),
                    timeout=30)
    assert sources() == 1
    js(browser, "document.querySelector('#parts a[data-part=\"1\"]').click()")
    assert wait_for(lambda: "task 1" in (js(browser, "return document.getElementById('console')?.textContent") or ""))
    assert sources() == 1
    js(browser, "location.hash = '#/runs'")
    assert wait_for(lambda: sources() == 0)  # the table refreshes by itself: no live connection


def test_a_job_charts_each_metric_from_its_first_rank_not_a_zigzag_of_all(server):
    status, _, body = server.get("/api/series?metric=loss&run=cluster/slurm-77.0&width=100")
    assert status == 200
    (series,) = json.loads(body)["series"]
    assert series["xs"] == [0, 1, 2]
    assert series["ys"] == pytest.approx([1.0, 0.5, 1.0 / 3], abs=1e-4)  # rank 0's own loss
