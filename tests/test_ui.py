"""`runwrap ui`: the real server over a store of real runs, read over HTTP and in headless
Chromium (the table, charts, live updates, the console, escaping, the file and host guards)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from array import array

import pytest

from tools_support import child_env, curve, make_run
from ui_support import UiServer, chromium_driver, texts
from wrapper_harness import wait_for

XSS_NAME = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'

# A run that grows while the test watches: five records and console lines, then five more
# once the test creates the file `more`, then it waits for `stop`.
GROWING = """
import os, sys, time
import runwrap

run = runwrap.init()
control = sys.argv[1]

def block(first):
    for i in range(first, first + 5):
        run.log({"loss": 1.0 / (i + 1)})
        print(f"console line {i}", flush=True)

block(0)
while not os.path.exists(os.path.join(control, "more")):
    time.sleep(0.02)
block(5)
while not os.path.exists(os.path.join(control, "stop")):
    time.sleep(0.02)
"""


MEDIA_LOGGER = """
import sys
import numpy as np
import runwrap

run = runwrap.init(project="media", id="pics", name="pics", dir=sys.argv[1])
pixels = np.zeros((8, 8, 3), dtype=np.uint8)
pixels[:, :, 0] = 255
run.log({"sample": runwrap.Image(pixels), "preds": runwrap.Table(columns=["x", "label"],
         data=[[1, "<b>cat</b>"], [2, "dog"]]), "loss": 0.5})
run.finish()
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui") / "store"
    make_run(root, curve(40), run_id="alpha", name="alpha", config=["lr=0.1", "depth=3"],
             tags="sweep")
    make_run(root, curve(40, rate=0.2), run_id="beta", name="beta", config=["lr=0.01", "depth=3"])
    make_run(root, curve(10), run_id="evil", name=XSS_NAME, project="other")
    media = root / "proj" / "alpha" / "media"
    media.mkdir()
    (media / "page.html").write_text("<script>window.__pwned=1</script>")
    # wandb-style media logged for real: an image and a table (files plus reference records)
    subprocess.run([sys.executable, "-c", MEDIA_LOGGER, str(root)], check=True, env=child_env(),
                   capture_output=True)
    (media / "notes.txt").write_text("hello from media\n")
    return root


@pytest.fixture(scope="module")
def server(store):
    ui = UiServer(store)
    yield ui
    ui.close()


@pytest.fixture(scope="module")
def browser():
    driver = chromium_driver()
    yield driver
    driver.quit()


def js(driver, script, *args):
    return driver.execute_script(script, *args)


# -- HTTP: the guards ----------------------------------------------------------------------------

def test_only_files_inside_the_store_are_served(server, store, tmp_path):
    secret = store.parent / "secret.txt"
    secret.write_text("not for the browser")
    (store / "proj" / "beta" / "escape").symlink_to(secret)
    status, headers, body = server.get("/files/proj/alpha/media/notes.txt")
    assert status == 200 and body == b"hello from media\n"
    assert headers["x-content-type-options"] == "nosniff"
    for path in ("/files/proj/alpha/../../secret.txt",
                 "/files/proj/alpha/%2e%2e/%2e%2e/secret.txt",
                 "/files/proj/alpha/..%2f..%2fsecret.txt",
                 "/files/proj/alpha/%2E%2E%2F%2E%2E%2Fsecret.txt",
                 "/files/proj/%2e%2e/secret.txt",
                 "/files/%2e%2e/store/proj/alpha/media/notes.txt",
                 "/files/proj/alpha/%252e%252e/%252e%252e/secret.txt",
                 "/files/proj/beta/escape",
                 "/files/proj/alpha/%00",
                 "/files/proj/alpha/media"):
        status, _, body = server.get(path)
        assert status == 404, path
        assert b"not for the browser" not in body


def test_stored_pages_are_served_as_text_in_a_sandbox(server):
    status, headers, body = server.get("/files/proj/alpha/media/page.html")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    assert "sandbox" in headers["content-security-policy"]


def test_a_foreign_host_header_is_refused(server):
    # A page on another site that resolves its name to 127.0.0.1 (DNS rebinding) sends its own Host.
    status, _, _ = server.get("/api/runs", {"Host": f"attacker.example:{server.port}"})
    assert status == 403
    status, _, _ = server.get("/api/runs", {"Host": f"localhost:{server.port}"})
    assert status == 200


def test_another_host_warns_and_requires_the_token(store):
    ui = UiServer(store, "--host", "0.0.0.0")
    try:
        token = ui.url.split("token=", 1)[1]
        assert len(token) >= 24
        assert ui.get("/api/runs")[0] == 403
        assert ui.get("/?token=wrong")[0] == 403
        status, headers, _ = ui.get(f"/?token={token}")
        assert status == 200
        cookie = headers["set-cookie"].split(";", 1)[0]
        assert ui.get("/api/runs", {"Cookie": cookie})[0] == 200
        assert ui.get("/files/proj/alpha/media/notes.txt", {"Cookie": cookie})[0] == 200
    finally:
        ui.close()


def test_the_warning_names_the_exposure(store):
    proc = subprocess.Popen([sys.executable, "-m", "runwrap", "ui", "--dir", str(store), "--port", "0",
                             "--host", "0.0.0.0", "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env(PYTHONUNBUFFERED="1"))
    try:
        assert "token=" in proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "warning: listening on 0.0.0.0" in err


def test_a_missing_store_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "runwrap", "ui", "--dir", str(tmp_path / "nope"),
                             "--no-browser"], capture_output=True, text=True, env=child_env())
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--dir" in result.stderr


def test_series_are_downsampled_keeping_the_extremes(server):
    status, _, body = server.get("/api/series?metric=loss&run=proj/alpha,proj/beta&width=5")
    assert status == 200
    series = json.loads(body)["series"]
    assert [s["run"] for s in series] == ["proj/alpha", "proj/beta"]
    for s in series:
        assert s["count"] == 40 and len(s["xs"]) <= 10
        assert s["ys"][0] == 1.0  # the highest value (the first step) survives
        assert s["xs"] == sorted(s["xs"])


def test_downsampling_keeps_a_single_spike():
    from runwrap.ui.downsample import Points, downsample

    ys = array("d", [1.0] * 100_000)
    ys[54_321] = 50.0
    ys[77_777] = -3.0
    xs, out = downsample(Points(array("d", range(100_000)), ys), 300)
    assert len(out) <= 601
    assert 50.0 in out and -3.0 in out
    assert xs[out.index(50.0)] == 54_321
    zoomed_x, zoomed = downsample(Points(array("d", range(100_000)), ys), 300, 54_000, 55_000)
    assert 50.0 in zoomed and min(zoomed_x) <= 54_000 and max(zoomed_x) >= 55_000


def test_a_torn_last_line_waits_for_the_rest(tmp_path):
    from runwrap.ui.series import StreamColumns

    path = tmp_path / "sdk.jsonl"
    path.write_bytes(b'{"_step":0,"loss":1.0}\n{"_step":1,"loss":"NaN"}\n{"_step":2,"lo')
    stream = StreamColumns(path)
    assert stream.refresh()
    assert list(stream.columns["loss"].values) == [1.0]  # NaN is not drawn
    with open(path, "ab") as f:
        f.write(b'ss":0.5}\nnot json\n{"_step":3,"loss":0.25}\n')
    assert stream.refresh()
    assert list(stream.columns["loss"].steps) == [0.0, 2.0, 3.0]
    assert stream.reader.skipped == 1


# -- the browser ---------------------------------------------------------------------------------

def test_the_table_lists_every_run_and_names_stay_text(server, browser):
    browser.get(server.url + "#/runs")
    assert wait_for(lambda: len(texts(browser, "tr.run")) == 4, timeout=20)
    names = texts(browser, "tr.run td:nth-child(4)")
    assert sorted(names) == sorted(["alpha", "beta", "pics", XSS_NAME])
    assert js(browser, "return window.__pwned") is None
    assert js(browser, "return document.querySelectorAll('#runs-table script, #runs-table img').length") == 0
    # config columns that differ between runs, and the chosen metric's last value
    headers = texts(browser, "table.runs th")
    assert "config lr" in headers
    # filter by free text, then by project
    box = browser.find_element("id", "filter-text")
    box.send_keys("sweep")
    assert wait_for(lambda: texts(browser, "tr.run td:nth-child(4)") == ["alpha"])
    browser.execute_script("const t = document.getElementById('filter-text'); t.value = '';"
                           "t.dispatchEvent(new Event('input'));"
                           "const s = document.getElementById('filter-project'); s.value = 'other';"
                           "s.dispatchEvent(new Event('change'));")
    ok = wait_for(lambda: texts(browser, "tr.run td:nth-child(4)") == [XSS_NAME])
    assert ok, texts(browser, "tr.run td:nth-child(4)")


def test_a_chart_draws_one_series_per_selected_run(server, browser):
    browser.get(server.url + "#/charts?runs=proj/alpha,proj/beta,other/evil")
    selector = '.chart[data-metric="loss"] .scatterlayer .trace'
    assert wait_for(lambda: len(texts(browser, selector)) == 3, timeout=30)
    assert wait_for(lambda: "acc" in js(browser, "return [...document.querySelectorAll('.chart')]"
                                                 ".map(c => c.dataset.metric)"))
    assert js(browser, "return window.__pwned") is None
    legend = texts(browser, "#legend .legend-item")
    assert XSS_NAME in legend
    # relative time starts near 0 (seconds since each run's start); back to steps 0..39
    first_x = ("return document.querySelector('.chart[data-metric=\"loss\"] .plot').data"
               ".map(t => t.x[0])")
    for mode, check in (("relative", lambda xs: all(0 < x < 60 for x in xs)),
                        ("step", lambda xs: xs == [0, 0, 0])):
        js(browser, "const s = document.getElementById('x-axis'); s.value = arguments[0];"
                    "s.dispatchEvent(new Event('change'))", mode)
        assert wait_for(lambda: check(js(browser, first_x) or [-1])), (mode, js(browser, first_x))


def test_a_growing_run_gains_points_and_its_console_follows_without_a_reload(store, server, browser, tmp_path):
    control = tmp_path / "control"
    control.mkdir()
    script = tmp_path / "grow.py"
    script.write_text(GROWING)
    proc = subprocess.Popen(
        [sys.executable, "-m", "runwrap", "--dir", str(store), "--project", "live", "--id", "growing",
         "--name", "growing", "--stats-interval", "0", "--no-scalars", "--quiet", "--",
         sys.executable, str(script), str(control)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
    try:
        streams = store / "live" / "growing" / "streams"
        assert wait_for(lambda: sum(p.read_text().count("\n") for p in streams.glob("sdk*.jsonl")) == 5
                        if streams.exists() else False, timeout=60)

        browser.get(server.url + "#/charts?runs=live/growing")
        chart = '.chart[data-metric="loss"]'
        assert wait_for(lambda: js(browser, f"return document.querySelector('{chart}')?.dataset.points") == "5",
                        timeout=30)
        js(browser, "window.__sameDocument = true")
        (control / "more").touch()
        assert wait_for(lambda: js(browser, f"return document.querySelector('{chart}').dataset.points") == "10",
                        timeout=30)
        assert js(browser, "return window.__sameDocument") is True
        assert len(texts(browser, f"{chart} .scatterlayer .trace")) == 1

        browser.get(server.url + "#/run/live/growing")
        assert wait_for(lambda: "console line 9" in (js(browser, "return document.getElementById('console')?.textContent") or ""),
                        timeout=30)
        assert js(browser, "return document.getElementById('run-status').textContent") == "running"
        js(browser, "window.__sameDocument = true")
        (control / "stop").touch()
        assert proc.wait(60) == 0
        assert wait_for(lambda: js(browser, "return document.getElementById('run-status').textContent") == "finished",
                        timeout=30)
        assert js(browser, "return window.__sameDocument") is True
    finally:
        (control / "more").touch()
        (control / "stop").touch()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_the_run_page_shows_config_summary_files_and_a_config_diff(server, browser):
    browser.get(server.url + "#/run/proj/alpha")
    assert wait_for(lambda: js(browser, "return document.getElementById('summary') !== null"), timeout=20)
    page = js(browser, "return document.getElementById('main').textContent")
    assert "alpha" in page and "lr" in page and "notes.txt" in page and "loss" in page
    assert wait_for(lambda: js(browser, "return document.getElementById('diff-against').options.length") >= 3)
    js(browser, "const s = document.getElementById('diff-against'); s.value = 'proj/beta';"
                "s.dispatchEvent(new Event('change'));")
    assert wait_for(lambda: js(browser, "return document.getElementById('config-diff') !== null"))
    rows = texts(browser, "#config-diff tr td:first-child")
    assert rows == ["lr"]  # depth is the same in both
    assert js(browser, "return window.__pwned") is None


def test_the_run_page_shows_logged_media(server, browser):
    browser.get(server.url + "#/run/media/pics")
    assert wait_for(lambda: js(browser, "return document.querySelector('#media table.data') !== null"),
                    timeout=20)
    cells = texts(browser, "#media table.data td")
    assert "<b>cat</b>" in cells  # table cells are text, not markup
    image = browser.find_element("css selector", "#media img")
    assert wait_for(lambda: js(browser, "return arguments[0].complete && arguments[0].naturalWidth", image) == 8)


def test_thousands_of_runs_draw_only_the_rows_in_view(tmp_path, browser):
    # One real run's documents, copied 2,000 times under new ids (run.json edited to match).
    root = tmp_path / "store"
    first = make_run(root, curve(5), run_id="r0000", name="copy-0", config=["lr=0.1"])
    meta = json.loads((first / "run.json").read_text())
    for i in range(1, 2000):
        target = root / "proj" / f"r{i:04d}"
        target.mkdir()
        for name in ("config.yaml", "summary.json"):
            shutil.copyfile(first / name, target / name)
        meta.update(id=f"r{i:04d}", name=f"copy-{i}", start_time=meta["start_time"] + 1)
        (target / "run.json").write_text(json.dumps(meta))
    ui = UiServer(root)
    try:
        browser.get(ui.url + "#/runs")
        assert wait_for(lambda: "of 2000 runs" in (js(browser, "return document.getElementById('run-count')?.textContent") or ""),
                        timeout=60)
        assert len(texts(browser, "tr.run")) < 150
        js(browser, "const t = document.getElementById('runs-table'); t.scrollTop = t.scrollHeight;")
        # newest first: the oldest run, copy-0, is the last row
        assert wait_for(lambda: "copy-0" in texts(browser, "tr.run td:nth-child(4)"))
        assert len(texts(browser, "tr.run")) < 150
    finally:
        ui.close()


def test_the_default_metric_columns_prefer_a_sweeps_metric_and_leave_step_counters_out(
        tmp_path):
    store = tmp_path / "store"
    for i in range(2):
        make_run(store, [{"epoch": e, "loss": 1 / (e + 1), "acc": e / 3} for e in range(3)],
                 run_id=f"p{i}", name=f"plain-{i}", project="plain")
        make_run(store, [{"epoch": e, "loss": 1 / (e + 1), "val_score": e + i} for e in range(3)],
                 run_id=f"t{i}", name=f"trial-{i}", project="tuned", extra=["--group", "sw9"])
    sweep = store / ".sweeps" / "sw9"  # the sweep the "tuned" runs are trials of
    sweep.mkdir(parents=True)
    (sweep / "sweep.json").write_text(json.dumps(
        {"id": "sw9", "project": "tuned", "name": "sw9", "created": 0,
         "config": {"method": "grid", "metric": {"name": "val_score", "goal": "maximize"}}}))
    ui = UiServer(store)
    try:
        for project, expected in (("plain", ["acc", "loss"]), ("tuned", ["val_score", "loss"])):
            status, _, body = ui.get(f"/api/runs?project={project}")
            assert status == 200
            assert json.loads(body)["metrics"] == expected, project
    finally:
        ui.close()
