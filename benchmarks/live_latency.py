"""How long a value a running program writes takes to reach the run's streams: a line appended
to a metrics file (JSON Lines) and a scalar event appended to a TensorBoard event file, each
followed by the collector the wrapper runs. The tests only check that values arrive; the delay
is measured here (target: well under one second, the collectors poll every 0.25/0.5 s).

    python benchmarks/live_latency.py [--count N]

Prints the median, min and max delay of each, in milliseconds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runwrap.collectors.base import CollectorContext  # noqa: E402
from runwrap.store.streams import read_records, stream_path  # noqa: E402


def _context(root: Path) -> CollectorContext:
    (root / "run" / "streams").mkdir(parents=True)
    return CollectorContext(run_dir=root / "run", start_time=time.time() - 1, cwd=root,
                            store_root=root / "store")


def _delays(count: int, write: Callable[[int], None], seen: Callable[[], int]) -> List[float]:
    out = []
    for i in range(count):
        start = time.monotonic()
        write(i)
        while seen() < i + 1:
            if time.monotonic() - start > 10:
                raise RuntimeError(f"value {i} did not arrive within 10 s")
            time.sleep(0.002)
        out.append(time.monotonic() - start)
    return out


def metrics_file(root: Path, count: int) -> List[float]:
    from runwrap.collectors.metricfiles.collector import MetricsFiles

    ctx = _context(root)
    path = root / "m.jsonl"
    collector = MetricsFiles(ctx, ["m.jsonl"])
    collector.start()
    stream = stream_path(ctx.run_dir, "files")

    def write(i: int) -> None:
        with open(path, "a") as f:
            f.write(f'{{"step": {i}, "loss": {i / 10}}}\n')
    try:
        return _delays(count, write, lambda: sum(1 for _ in read_records(stream))
                       if stream.exists() else 0)
    finally:
        collector.stop()


def tensorboard_file(root: Path, count: int) -> List[float]:
    import tensorboardX

    from runwrap.collectors.tensorboard.collector import TensorBoardCollector
    from runwrap.collectors.tensorboard.framing import RecordReader, encode_record

    source = root / "source"
    with tensorboardX.SummaryWriter(str(source)) as writer:
        for step in range(count):
            writer.add_scalar("loss", float(step), step)
    (source_file,) = source.iterdir()
    chunks = [encode_record(data) for data in RecordReader(source_file).read()]
    ctx = _context(root)
    collector = TensorBoardCollector(ctx, ["tb"], discovery=False)
    (root / "tb").mkdir()
    target = root / "tb" / source_file.name
    collector.start()
    collector.wait_ready()
    stream = stream_path(ctx.run_dir, "tensorboard")
    try:
        with open(target, "ab", buffering=0) as f:
            f.write(chunks[0])  # file_version: no scalars
            return _delays(count, lambda i: f.write(chunks[i + 1]),
                           lambda: sum(1 for _ in read_records(stream)) if stream.exists() else 0)
    finally:
        collector.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    print("| source | median ms | min ms | max ms |")
    print("| --- | --- | --- | --- |")
    for name, measure in (("metrics file (JSON Lines)", metrics_file),
                          ("TensorBoard event file", tensorboard_file)):
        with tempfile.TemporaryDirectory() as tmp:
            delays = [d * 1000 for d in measure(Path(tmp), args.count)]
        print(f"| {name} | {statistics.median(delays):.0f} | {min(delays):.0f} | "
              f"{max(delays):.0f} |", flush=True)


if __name__ == "__main__":
    main()
