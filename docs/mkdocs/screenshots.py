"""Retakes the dashboard's screenshots in docs/ from a demo store in a neutral folder.

    python docs/mkdocs/screenshots.py [--workdir /tmp/demo] [--out docs]

Records a two-node SLURM job (one run of two parts) and seven runs of a small learning-rate
and depth sweep with `runwrap` (one of them still running while the pictures are taken, one
failed, one logging images, a table and a histogram) under WORKDIR (the run pages show it as
the working folder, so it should say nothing about your machine), serves them with `runwrap
ui`, and photographs in headless Chromium the runs table grouped by group (ui-runs.png), the
first look at the charts (ui-charts.png), a run page (ui-run.png) and the job's run page with
its parts (ui-job.png).
Needs the `ui` and `media` extras, selenium, and Debian's chromium and chromium-driver.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parents[2]

TRAIN = '''\
"""A stand-in training loop: a cosine learning-rate schedule, a loss that falls faster for a
larger learning rate and a deeper model, and a validation pass every 20 steps."""
import math
import random
import time

import runwrap

run = runwrap.init()
lr, depth = run.config["lr"], run.config["depth"]
delay, fail_at = run.config.get("delay", 0.0), run.config.get("fail_at", -1)
random.seed(depth * 1000 + round(lr * 10000))
rate = lr * 60 * (1 + depth / 8)
for step in range(401):
    if step == fail_at:
        raise MemoryError("CUDA out of memory (a stand-in)")
    decay = math.exp(-rate * step / 100)
    row = {"train/loss": 0.05 + 2.35 * decay + random.gauss(0, 0.015 + 0.01 * decay),
           "train/acc": 0.97 * (1 - decay) + random.gauss(0, 0.006),
           "lr": lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * step / 400)))}
    if step % 20 == 0:
        row["val/loss"] = 0.3 + 2.4 * decay
        row["val/acc"] = 0.93 * (1 - decay)
        print(f"[{step:4d}/400] train loss {row['train/loss']:.4f} | "
              f"val loss {row['val/loss']:.4f} acc {row['val/acc']:.2%}", flush=True)
    run.log(row, step=step)
    time.sleep(delay)
if run.config.get("media"):
    import numpy as np

    y, x = np.mgrid[0:32, 0:32] / 32.0
    waves = [np.sin(6 * (x * np.cos(a) + y * np.sin(a)) + phase) / 2 + 0.5
             for a in (0.0, 0.8, 1.6, 2.4) for phase in (0.0, 2.1, 4.2)]
    run.log({"samples": [runwrap.Image(np.stack(waves[i:i + 3], axis=-1)) for i in range(0, 12, 3)],
             "predictions": runwrap.Table(columns=["image", "label", "predicted", "confidence"],
                                          data=[[0, "cat", "cat", 0.97], [1, "dog", "dog", 0.91],
                                                [2, "ship", "plane", 0.55], [3, "frog", "frog", 0.88]]),
             "weights": runwrap.Histogram(np.random.default_rng(0).normal(size=2000), num_bins=64)},
            step=400)
'''

SWEEP = [  # name, lr, depth, extra config
    ("baseline", 0.01, 4, ["media=true"]),
    ("lr-3e-2", 0.03, 4, []),
    ("lr-3e-3", 0.003, 4, []),
    ("deep-8", 0.01, 8, []),
    ("lr-2e-2-d6", 0.02, 6, []),
]


def runwrap_cmd(*words: str) -> List[str]:
    return ["runwrap", "--dir", "runs", "--project", "cifar", "--quiet", *words]


def wait_for(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the page")
        time.sleep(0.2)


def record(work: Path, env: Dict[str, str]) -> subprocess.Popen:
    """The sweep's runs, then the one still running (returned)."""
    for name, lr, depth, extra in SWEEP:
        config = [f"--config=lr={lr}", f"--config=depth={depth}"] + [f"--config={c}" for c in extra]
        subprocess.run(runwrap_cmd("--name", name, "--tags", "sweep,resnet", "--group", "sweep-1",
                                   *config, "python", "train.py"),
                       cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
    failed = runwrap_cmd("--name", "oom-d12", "--tags", "resnet", "--config=lr=0.1",
                         "--config=depth=12", "--config=fail_at=6", "python", "train.py")
    subprocess.run(failed, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    live = subprocess.Popen(runwrap_cmd("--name", "live-d6", "--tags", "sweep,resnet", "--group",
                                        "sweep-1", "--config=lr=0.015", "--config=depth=6",
                                        "--config=delay=0.15", "python", "train.py"),
                            cwd=work, env=env, stdout=subprocess.DEVNULL)
    return live


# One task of a two-node SLURM job (its rank from SLURM_PROCID): the job is one run of two parts.
TASK = '''\
import os
rank = int(os.environ["SLURM_PROCID"])
for step in range(0, 101, 10):
    print(f"rank {rank} step: {step} loss: {2.0 / (1 + step / 25) + 0.05 * rank:.4f}", flush=True)
print(f"rank {rank} of 2 done", flush=True)
'''


def record_job(work: Path, env: Dict[str, str]) -> None:
    """The two tasks of SLURM job 812345, one per node, as a launcher starts them."""
    for rank in range(2):
        task_env = dict(env, SLURM_JOB_ID="812345", SLURM_STEP_ID="0", SLURM_PROCID=str(rank),
                        SLURM_LOCALID="0", SLURM_NODEID=str(rank), SLURM_NTASKS="2",
                        SLURMD_NODENAME=f"gpu{rank + 1:02d}", RUNWRAP_HOST=f"gpu{rank + 1:02d}")
        subprocess.run(runwrap_cmd("--name", "ddp-2node", "--stats-interval", "0", "python",
                                   "task.py"), cwd=work, env=task_env, check=True,
                       stdout=subprocess.DEVNULL)


def run_ids(store: Path) -> Dict[str, str]:
    ids = {}
    for doc in (store / "cifar").glob("*/run.json"):
        run = json.loads(doc.read_text())
        ids[run["name"]] = run["id"]
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="/tmp/demo", help="a neutral folder (emptied first)")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="where the PNGs go")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from ui_support import chromium_driver  # the suite's headless Chromium

    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "train.py").write_text(TRAIN)
    (work / "task.py").write_text(TASK)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNWRAP_", "WANDB_", "SLURM"))}
    record_job(work, env)
    live = record(work, env)
    ui = None
    driver = chromium_driver()
    try:
        store = work / "runs"
        wait_for(lambda: "live-d6" in run_ids(store))
        ids = run_ids(store)
        stream = store / "cifar" / ids["live-d6"] / "streams"
        wait_for(lambda: sum(f.read_text().count("\n") for f in stream.glob("sdk*.jsonl")) > 180,
                 timeout=120)
        ui = subprocess.Popen(["runwrap", "ui", "--dir", "runs", "--port", "0", "--no-browser"],
                              cwd=work, env=env, stdout=subprocess.PIPE, text=True)
        url = re.search(r"http://\S+", ui.stdout.readline()).group(0)

        driver.set_window_size(1280, 620)
        driver.get(url + "#/runs?group=group")
        wait_for(lambda: len(driver.find_elements("css selector", "tr.run")) == 8)
        for row in driver.find_elements("css selector", "tr.run"):
            if "oom-d12" not in row.text:
                row.find_element("css selector", "input[type=checkbox]").click()
        time.sleep(1)
        driver.save_screenshot(str(Path(args.out) / "ui-runs.png"))

        # The first look: the address as `runwrap ui` prints it, no click.
        driver.execute_script("sessionStorage.clear()")
        driver.set_window_size(1280, 720)
        driver.get("about:blank")
        driver.get(url)
        traces = '.chart[data-metric="train/loss"] .scatterlayer .trace'
        wait_for(lambda: len(driver.find_elements("css selector", traces)) >= 6)
        time.sleep(2)
        driver.save_screenshot(str(Path(args.out) / "ui-charts.png"))

        driver.set_window_size(1280, 1200)
        driver.get(url + f"#/run/cifar/{ids['baseline']}")
        wait_for(lambda: len(driver.find_elements("css selector", "#media img")) >= 4)
        time.sleep(2)
        driver.save_screenshot(str(Path(args.out) / "ui-run.png"))

        driver.set_window_size(1280, 900)
        driver.get(url + "#/run/cifar/slurm-812345.0?part=1")
        wait_for(lambda: "rank 1 of 2 done" in driver.find_element("id", "console").text)
        time.sleep(1)
        driver.save_screenshot(str(Path(args.out) / "ui-job.png"))
    finally:
        driver.quit()
        for proc in (ui, live):
            if proc is not None:
                proc.terminate()
                proc.wait()


if __name__ == "__main__":
    main()
