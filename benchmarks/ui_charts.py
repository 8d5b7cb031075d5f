"""`runwrap ui` beside TensorBoard on the same data: time to first chart, bytes per chart, and the
latency from a logged point to the page.

    python benchmarks/ui_charts.py [--runs 1 10 100] [--points 100000] [--rounds 3]

The store holds RUNS runs of POINTS steps of one metric (`loss`, a different curve each), written
in the store's format. TensorBoard gets the data through `runwrap export --format tensorboard`:
the first run exported (tensorboardX takes seconds per 100,000 points) and its event file copied
for the others, so TensorBoard reads as many events of the same shape (its figures do not
depend on the values; its bytes are counted uncompressed).

- runwrap ui, cold: from starting `runwrap ui` to the chart of N runs drawn, in a headless
  Chromium started just before with a fresh profile (nothing cached: plotly.js is compiled
  anew), with the series cache the previous start wrote. Two moments: the first chart (the
  page's canvas sketch of the N series, drawn before plotly.js runs) and the interactive chart
  (plotly's). Once per N the cache is deleted first: that start reads every stream.
- runwrap ui, warm: a fresh page load of the chart against a server that has read the series,
  in the same browser: navigation start to the N series drawn (a MutationObserver installed
  before the page's own scripts watches the chart's `data-sketched` and `data-series`). Bytes:
  what the page fetched for the chart (`/api/metrics`, which brings the first charts' series,
  and `/api/series`; gzip on the wire, and decoded); for the
  cold start, everything the page fetched (plotly.js included).
- Every row gives the machine's 1-minute load average when it was measured.
- TensorBoard: from starting `tensorboard --logdir` to its scalars API serving all N runs'
  complete series (the last step present): the least its page needs before it can draw, so a
  lower bound of its time to first chart. Bytes: those N responses.
- MLflow (--mlflow; benchmarks/run.py when mlflow is installed): one run uploaded with
  `runwrap sync`, then the request MLflow's UI makes for a chart (get-history-bulk-interval,
  320 sampled points a run); 10 and 100 runs would take minutes to hours to upload here.
- Update latency: a process logs a point every 0.3 s (runwrap.init()/log(); tensorboardX's
  SummaryWriter with flush for TensorBoard); the time from each call returning to the point in the
  page (runwrap ui) or in TensorBoard's scalars API (its page polls that API every 30 s on top).

Needs selenium, Debian's chromium and chromium-driver, plotly; TensorBoard and tensorboardX for
the peer (`pip install -e '.[test]'`).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable
METRIC = "loss"

# Installed before any page script: records when the chart of `loss` first shows N series.
OBSERVER = """
window.__drawn = null;
new MutationObserver(() => {
  const m = location.hash.match(/runs=([^&]*)/);
  const want = m ? m[1].split(',').length : -1;
  const c = document.querySelector('.chart[data-metric="loss"]');
  if (!window.__drawn && c && Number(c.dataset.series) === want) {
    window.__drawn = performance.now();
    window.__drawnWall = Date.now();
  }
  if (!window.__sketched && c && (Number(c.dataset.sketched) === want || Number(c.dataset.series) === want)) {
    window.__sketched = performance.now();  // the canvas drawn before plotly.js is ready (or plotly's)
    window.__sketchedWall = Date.now();
  }
  if (c) {
    const n = Number(c.dataset.points || 0);
    if (n !== window.__lastPoints) {
      window.__lastPoints = n;
      (window.__points = window.__points || []).push([n, Date.now()]);
    }
  }
}).observe(document, {subtree: true, attributes: true, childList: true});
"""


def env() -> Dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [e.get("PYTHONPATH")] if p])
    e["PYTHONUNBUFFERED"] = "1"
    e["PYTHONWARNINGS"] = "ignore"
    return e


def build_store(root: Path, runs: int, points: int) -> List[str]:
    """RUNS finished runs of POINTS steps each, in project `bench`; returns their keys."""
    marker = root / f".built-{runs}-{points}"
    keys = [f"bench/r{i:03d}" for i in range(runs)]
    if marker.exists():
        return keys
    shutil.rmtree(root, ignore_errors=True)
    now = time.time() - 3600
    for i, key in enumerate(keys):
        run_dir = root / key
        (run_dir / "streams").mkdir(parents=True)
        rate = 0.001 * (1 + i / 50)
        with open(run_dir / "streams" / "sdk.jsonl", "w") as f:
            f.writelines(
                f'{{"_step":{s},"_time":{now + s * 0.01!r},"_runtime":{s * 0.01!r},'
                f'"{METRIC}":{1.0 / (1 + s * rate) + 0.05 * ((s * 7919 + i * 104729) % 1009) / 1009!r}}}\n'
                for s in range(points))
        meta = {"id": key.split("/")[1], "project": "bench", "name": f"run-{i}", "status": "finished",
                "start_time": now + i, "end_time": now + i + points * 0.01, "exit_code": 0,
                "duration": points * 0.01, "tags": [], "group": None}
        (run_dir / "run.json").write_text(json.dumps(meta))
        (run_dir / "config.yaml").write_text(f"lr: {0.001 * (i + 1)}\n")
    marker.touch()
    return keys


def export_tensorboard(root: Path, keys: List[str], tb: Path) -> Path:
    """One `runwrap export --format tensorboard`, copied for every run."""
    first = tb / keys[0].split("/")[1]
    if not first.exists():
        subprocess.run([PY, "-m", "runwrap", "export", keys[0].split("/")[1], "--dir", str(root),
                        "--format", "tensorboard", "-o", str(first)], check=True, env=env(),
                       stdout=subprocess.DEVNULL)
    for key in keys[1:]:
        dest = tb / key.split("/")[1]
        if not dest.exists():
            shutil.copytree(first, dest)
    return tb


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ui:
    def __init__(self, root: Path):
        self.started = time.time()
        self.proc = subprocess.Popen([PY, "-m", "runwrap", "ui", "--dir", str(root), "--port", "0",
                                      "--no-browser"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env())
        self.url = re.search(r"(http://\S+)", self.proc.stdout.readline()).group(1)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
    return driver


def open_chart(driver: Any, url: str, keys: List[str], timeout: float = 300) -> Dict[str, float]:
    """Load the chart page of `keys`; when its `loss` chart shows them all: the figures."""
    driver.get("about:blank")
    driver.get(url + "#/charts?runs=" + ",".join(keys))
    deadline = time.time() + timeout
    while time.time() < deadline:
        drawn = driver.execute_script("return window.__drawn && [window.__drawn, window.__drawnWall,"
                                      " window.__sketched, window.__sketchedWall]")
        if drawn:
            sizes = driver.execute_script(
                "return performance.getEntriesByType('resource')"
                ".filter(e => e.name.includes('/api/series') || e.name.includes('/api/metrics'))"
                ".map(e => [e.transferSize, e.decodedBodySize])")
            return {"ms": drawn[0], "wall": drawn[1] / 1000, "first_ms": drawn[2],
                    "first_wall": drawn[3] / 1000, "wire": sum(s[0] for s in sizes),
                    "decoded": sum(s[1] for s in sizes)}
        time.sleep(0.02)
    raise TimeoutError(f"the chart of {len(keys)} runs was not drawn in {timeout} s")


def tensorboard_time(tb: Path, keys: List[str], points: int) -> Dict[str, float]:
    """Start TensorBoard; seconds until its scalars API serves every run's complete series."""
    port = free_port()
    start = time.time()
    proc = subprocess.Popen([PY, "-m", "tensorboard.main", "--logdir", str(tb), "--port", str(port),
                             "--host", "127.0.0.1", "--reload_interval", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    try:
        pending = [k.split("/")[1] for k in keys]
        size = 0
        while pending:
            if time.time() - start > 900:
                raise TimeoutError("TensorBoard did not serve the runs in 900 s")
            run = pending[0]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/plugin/scalars/scalars"
                                            f"?run={run}&tag={METRIC}", timeout=30) as res:
                    body = res.read()
            except OSError:
                time.sleep(0.05)
                continue
            data = json.loads(body) if body.startswith(b"[") else []
            if data and data[-1][1] == points - 1:
                pending.pop(0)
                size += len(body)
            else:
                time.sleep(0.05)
        return {"s": time.time() - start, "decoded": size}
    finally:
        proc.terminate()
        proc.wait()


LOGGER = """
import sys, time
import runwrap
run = runwrap.init(project="live", name="live", dir=sys.argv[1])
print(run.project + "/" + run.id, flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[2])):
    run.log({"loss": 1.0 / (i + 1)})
    print(i, time.time(), flush=True)
    time.sleep(0.3)
sys.stdin.readline()
run.finish()
"""

TB_LOGGER = """
import sys, time
from tensorboardX import SummaryWriter
w = SummaryWriter(sys.argv[1], flush_secs=1)
for i in range(int(sys.argv[2])):
    w.add_scalar("loss", 1.0 / (i + 1), i)
    w.flush()
    print(i, time.time(), flush=True)
    time.sleep(0.3)
w.close()
"""


def ui_latency(driver: Any, root: Path, url: str, count: int) -> List[float]:
    script = root.parent / "live_logger.py"
    script.write_text(LOGGER)
    proc = subprocess.Popen([PY, str(script), str(root), str(count)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env())
    try:
        key = proc.stdout.readline().strip()
        driver.get("about:blank")
        driver.get(url + "#/charts?runs=" + key)
        proc.stdin.write("\n")
        proc.stdin.flush()
        logged = {}
        for _ in range(count):
            i, t = proc.stdout.readline().split()
            logged[int(i) + 1] = float(t)  # the chart holds i+1 points once point i arrived
        deadline = time.time() + 30
        seen: Dict[int, float] = {}
        while time.time() < deadline and len(seen) < count:
            for n, t in driver.execute_script("return window.__points || []"):
                if n in logged and n not in seen:
                    seen[n] = t / 1000
            time.sleep(0.1)
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(30)
        # The first point also waits for the page's first load: only later points are updates.
        return [(seen[n] - logged[n]) * 1000 for n in sorted(seen) if n > 1]
    finally:
        if proc.poll() is None:
            proc.kill()


def tensorboard_latency(tmp: Path, count: int, reload_interval: int) -> List[float]:
    logdir = tmp / "tb-live"
    shutil.rmtree(logdir, ignore_errors=True)
    port = free_port()
    tb = subprocess.Popen([PY, "-m", "tensorboard.main", "--logdir", str(logdir), "--port", str(port),
                           "--host", "127.0.0.1", "--reload_interval", str(reload_interval)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    script = tmp / "tb_logger.py"
    script.write_text(TB_LOGGER)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/data/runs", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        proc = subprocess.Popen([PY, str(script), str(logdir / "run"), str(count)],
                                stdout=subprocess.PIPE, text=True, env=env())
        logged = {}
        seen: Dict[int, float] = {}
        deadline = time.time() + count * 0.3 + 3 * reload_interval + 30
        while time.time() < deadline and len(seen) < count:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/plugin/scalars/scalars"
                                            f"?run=run&tag=loss", timeout=5) as res:
                    body = res.read()
                now = time.time()
                for _, step, _ in (json.loads(body) if body.startswith(b"[") else []):
                    seen.setdefault(step, now)
            except OSError:
                pass
            time.sleep(0.05)
        for line in proc.stdout:
            i, t = line.split()
            logged[int(i)] = float(t)
        proc.wait(30)
        return [(seen[i] - logged[i]) * 1000 for i in sorted(seen) if i in logged]
    finally:
        tb.terminate()
        tb.wait()


def mlflow_time(root: Path, key: str, tmp: Path, rounds: int) -> Dict[str, Any]:
    """Upload one run to a local MLflow server with `runwrap sync`, then time the request
    MLflow's UI makes for a chart (get-history-bulk-interval, 320 points a run)."""
    import mlflow_upload

    workdir = tmp / "mlflow"
    workdir.mkdir(exist_ok=True)
    proc, uri = mlflow_upload.start_server(workdir, 1)
    try:
        start = time.time()
        subprocess.run([PY, "-m", "runwrap", "sync", key.split("/")[1], "--dir", str(root)],
                       check=True, env=dict(env(), RUNWRAP_TRACKING_URI=uri),
                       stdout=subprocess.DEVNULL)
        upload = time.time() - start
        run_id = json.loads((root / key / "run.json").read_text())["sync"]["run_id"]
        url = (f"{uri}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={run_id}"
               f"&metric_key={METRIC}&max_results=320")
        times, size = [], 0
        for _ in range(rounds):
            t = time.perf_counter()
            with urllib.request.urlopen(url, timeout=120) as res:
                size = len(res.read())
            times.append((time.perf_counter() - t) * 1000)
        return {"ms": times, "bytes": size, "upload": upload}
    finally:
        mlflow_upload.stop_server(proc)


def cold_start(root: Path, keys: List[str], rounds_warm: int = 0,
               wait_cache: bool = False) -> Dict[str, Any]:
    """Start a fresh headless Chromium (a new profile: nothing cached, plotly.js parsed anew),
    then `runwrap ui`; seconds from starting the server to the chart of `keys` drawn. Then
    `rounds_warm` page loads of the same chart on the running server in the same browser."""
    driver = browser()
    driver.get("about:blank")
    load = os.getloadavg()[0]
    ui = Ui(root)
    try:
        cold = open_chart(driver, ui.url, keys)
        everything = driver.execute_script(
            "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
            ".reduce((n, e) => n + e.transferSize, 0)")
        if wait_cache:  # the server writes its cache after the chart: let it finish
            folder = root / ".cache" / "series" / keys[0].split("/")[0]
            deadline = time.time() + 600
            while time.time() < deadline and len(list(folder.glob("*.series"))) < len(keys):
                time.sleep(0.2)
        warm = [open_chart(driver, ui.url, keys) for _ in range(rounds_warm)]
    finally:
        ui.close()
        driver.quit()
    return {"s": cold["wall"] - ui.started, "first_s": cold["first_wall"] - ui.started, "load": load,
            "wire": cold["wire"], "all": everything, "warm": warm}


def first_look(root: Path) -> Dict[str, float]:
    """The address `runwrap ui` prints, opened as printed (no runs named: the page charts the
    store's newest runs) in a fresh browser profile: seconds from starting the server to the
    first chart (canvas) and to the interactive one."""
    driver = browser()
    driver.get("about:blank")
    load = os.getloadavg()[0]
    ui = Ui(root)
    try:
        driver.get(ui.url)
        deadline = time.time() + 300
        while time.time() < deadline:
            drawn = driver.execute_script("return window.__drawn && [window.__drawnWall, window.__sketchedWall]")
            if drawn:
                return {"s": drawn[0] / 1000 - ui.started, "first_s": drawn[1] / 1000 - ui.started,
                        "load": load}
            time.sleep(0.02)
        raise TimeoutError("the first look drew no chart in 300 s")
    finally:
        ui.close()
        driver.quit()


def measure(runs: List[int], points: int, rounds: int, tensorboard: bool,
            work: Optional[Path] = None, mlflow: bool = False) -> List[dict]:
    """The table rows: one per (figure, contender). Each row's `load` is the machine's load
    average (1 min) when its rounds started, their median."""
    tmp = work or Path(tempfile.mkdtemp(prefix="runwrap-ui-bench-"))
    root = tmp / "store"
    keys = build_store(root, max(runs), points)
    tb = export_tensorboard(root, keys, tmp / "tb") if tensorboard else None
    rows: List[dict] = []
    try:
        for n in runs:
            chosen = keys[:n]
            figure = f"time to first chart, {n} × {points:,} points"
            # The series cache deleted: the first start reads every stream (slow once)...
            shutil.rmtree(root / ".cache", ignore_errors=True)
            first = cold_start(root, chosen, wait_cache=True)
            # ...the next starts read the cache, each in a fresh browser profile.
            colds = [cold_start(root, chosen, rounds_warm=rounds if i == rounds - 1 else 0)
                     for i in range(rounds)]
            warm = colds[-1]["warm"]
            rows.append({"figure": figure, "contender": "runwrap ui, cold start (server start, fresh browser "
                                                         "profile): first chart, on a canvas",
                         "unit": "ms", "values": [c["first_s"] * 1000 for c in colds],
                         "load": statistics.median(c["load"] for c in colds),
                         "note": "drawn by the page before plotly.js is compiled: no hover or zoom yet"})
            rows.append({"figure": figure, "contender": "runwrap ui, cold start (server start, fresh browser "
                                                         "profile): interactive chart, plotly.js",
                         "unit": "ms", "values": [c["s"] * 1000 for c in colds],
                         "load": statistics.median(c["load"] for c in colds),
                         "note": f"{statistics.median(c['all'] for c in colds) / 1024:.0f} KiB on the wire "
                                 f"in all (plotly.js included), "
                                 f"{statistics.median(c['wire'] for c in colds) / 1024:.0f} KiB of series"})
            rows.append({"figure": figure, "contender": "runwrap ui, first start after deleting the cache",
                         "unit": "ms", "values": [first["first_s"] * 1000], "load": first["load"],
                         "note": f"first chart; interactive at {first['s'] * 1000:,.0f} ms; reads every "
                                 f"stream once and writes the cache"})
            rows.append({"figure": figure, "contender": "runwrap ui, warm (page load, server running): "
                                                         "first chart", "unit": "ms",
                         "values": [w["first_ms"] for w in warm], "load": colds[-1]["load"],
                         "note": f"interactive at {statistics.median(w['ms'] for w in warm):,.0f} ms; "
                                 f"{statistics.median(w['wire'] for w in warm) / 1024:.0f} KiB on the wire, "
                                 f"{statistics.median(w['decoded'] for w in warm) / 1024:.0f} KiB JSON"})
            if tb is not None:
                load = os.getloadavg()[0]
                tbs = [tensorboard_time(_subset(tb, chosen, tmp), chosen, points)
                       for _ in range(max(1, rounds // 2))]
                rows.append({"figure": figure, "load": load,
                             "contender": "TensorBoard (scalars API complete, cold)", "unit": "ms",
                             "reference": True,
                             "values": [t["s"] * 1000 for t in tbs],
                             "note": f"{tbs[0]['decoded'] / 1024:.0f} KiB JSON (1,000 sampled points a run)"})
        looks = [first_look(root) for _ in range(rounds)]
        rows.append({"figure": "first look: the printed address, the newest 10 of "
                               f"{max(runs)} runs × {points:,} points",
                     "contender": "runwrap ui, cold start (fresh browser profile): first chart",
                     "unit": "ms", "values": [f["first_s"] * 1000 for f in looks],
                     "load": statistics.median(f["load"] for f in looks),
                     "note": f"interactive at {statistics.median(f['s'] for f in looks) * 1000:,.0f} ms"})
        if mlflow:
            ml = mlflow_time(root, keys[0], tmp, rounds)
            rows.append({"figure": f"time to first chart, 1 × {points:,} points",
                         "contender": "MLflow UI's chart request (server already holding the run)",
                         "unit": "ms", "values": ml["ms"],
                         "note": f"{ml['bytes'] / 1024:.0f} KiB JSON (320 sampled points); "
                                 f"uploading the run first took {ml['upload']:.0f} s (runwrap sync)"})
        live_store = tmp / "live-store"
        shutil.rmtree(live_store, ignore_errors=True)
        live_store.mkdir()
        ui = Ui(live_store)
        driver = browser()
        try:
            load = os.getloadavg()[0]
            lat = ui_latency(driver, live_store, ui.url, 20)
        finally:
            ui.close()
            driver.quit()
        rows.append({"figure": "update latency, log() to the page", "contender": "runwrap ui (SSE)",
                     "unit": "ms", "values": lat, "load": load, "note": "point drawn in the browser"})
        if tensorboard:
            load = os.getloadavg()[0]
            lat = tensorboard_latency(tmp, 20, 5)
            rows.append({"figure": "update latency, log() to the page", "unit": "ms", "load": load,
                         "contender": "TensorBoard (--reload_interval 5, the default)", "values": lat,
                         "reference": True,
                         "note": "point in its scalars API; its page polls every 30 s on top"})
    finally:
        if work is None:
            shutil.rmtree(tmp, ignore_errors=True)
    for row in rows:
        row["median"] = statistics.median(row["values"]) if row["values"] else None
    return rows


def _subset(tb: Path, keys: List[str], tmp: Path) -> Path:
    """A log folder with only the chosen runs (links to their folders)."""
    sub = tmp / f"tb-{len(keys)}"
    if not sub.exists():
        sub.mkdir()
        for key in keys:
            (sub / key.split("/")[1]).symlink_to(tb / key.split("/")[1])
    return sub


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-tensorboard", action="store_true")
    ap.add_argument("--mlflow", action="store_true",
                    help="also MLflow's UI request for one run (uploads it first: a minute here)")
    ap.add_argument("--work", type=Path, help="keep the generated store here (reused next time)")
    args = ap.parse_args()
    rows = measure(args.runs, args.points, args.rounds, not args.no_tensorboard, args.work,
                   args.mlflow)
    print("| figure | contender | median | values | load | note |\n|---|---|---|---|---|---|")
    for r in rows:
        values = ", ".join(f"{v:,.0f}" for v in r["values"])
        median = f"{r['median']:,.0f} {r['unit']}" if r["median"] is not None else "-"
        load = f"{r['load']:.1f}" if r.get("load") is not None else "-"
        print(f"| {r['figure']} | {r['contender']} | {median} | {values} | {load} | {r['note']} |",
              flush=True)


if __name__ == "__main__":
    main()
