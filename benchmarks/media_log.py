"""Media logging, runwrap beside wandb offline (when installed), each round a fresh process:

1. `log({"img": Image(64x64x3 uint8)})`, N calls (a new array and Image each call, as a
   training loop makes them), in calls per second; finish() is outside the clock (wandb hands
   its files to a background process at finish);
2. a 1,000-row, 3-column Table: built and logged, in milliseconds.

Image rates are also given per CPU-second of the logging process, which a loaded machine
inflates less than wall time (wandb's figure leaves out its wandb-core service). The arrays are
random noise: the slowest content for PNG's compressor.

    python benchmarks/media_log.py [--rounds 5] [--n 1000]

The issue's targets: >= 2,000 image calls/s and <= 50 ms per 1,000-row table. Speed is
reported, not asserted; the scalar log() figures are benchmarks/sdk_log.py's.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile

from sdk_log import environment, installed, run_child

IMAGE_CHILD = """
import json, sys, time
import numpy as np
import {lib} as wandb
n = int(sys.argv[1])
run = wandb.init(project="bench", mode="offline")
rng = np.random.default_rng(0)
arrays = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8) for _ in range(n)]
t, c = time.perf_counter(), time.process_time()
for i in range(n):
    run.log({{"img": wandb.Image(arrays[i])}})
rate, cpu_rate = n / (time.perf_counter() - t), n / max(time.process_time() - c, 1e-9)
run.finish()
print(json.dumps({{"rate": rate, "cpu_rate": cpu_rate}}))
"""

TABLE_CHILD = """
import json, time
import {lib} as wandb
run = wandb.init(project="bench", mode="offline")
times = []
for r in range(5):
    t = time.perf_counter()
    table = wandb.Table(columns=["id", "label", "score"],
                        data=[[i, f"item-{{i}}", i * 0.5] for i in range(1000)])
    run.log({{"table": table}})
    times.append(time.perf_counter() - t)
run.finish()
print(json.dumps({{"ms": sorted(times)[len(times) // 2] * 1000}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    who = ["runwrap"] + (["wandb"] if installed("wandb") else [])
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp)
        images = {name: [] for name in who}
        images_cpu = {name: [] for name in who}
        tables = {name: [] for name in who}
        for _ in range(args.rounds):  # alternating: a change in load hits both alike
            for name in who:
                out = run_child(IMAGE_CHILD.format(lib=name), [args.n], env, tmp)[0]
                images[name].append(out["rate"])
                images_cpu[name].append(out["cpu_rate"])
                tables[name].append(run_child(TABLE_CHILD.format(lib=name), [], env, tmp)[0]["ms"])
        print(f"medians of {args.rounds} rounds, one fresh process each")
        print(f"{'':10s} {'Image 64x64x3 log()':>22s} {'per CPU-second':>22s} {'1,000-row Table':>18s}")
        for name in who:
            print(f"{name:10s} {statistics.median(images[name]):15.0f} calls/s "
                  f"{statistics.median(images_cpu[name]):15.0f} calls/s "
                  f"{statistics.median(tables[name]):13.1f} ms")
        if "wandb" in who:
            ratio_img = statistics.median(images["runwrap"]) / statistics.median(images["wandb"])
            ratio_tab = statistics.median(tables["wandb"]) / statistics.median(tables["runwrap"])
            print(f"runwrap/wandb: images {ratio_img:.1f}x the rate, tables {ratio_tab:.1f}x faster")


if __name__ == "__main__":
    main()
