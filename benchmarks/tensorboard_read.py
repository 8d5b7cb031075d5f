"""Reading TensorBoard event files: runwrap's reader vs TensorBoard's own, side by side.

    python benchmarks/tensorboard_read.py [--values 1000000] [--rounds 5] [--peer-values 100000]

Writes a file of N scalar events with tensorboardX's own pieces (its `summary.scalar`, its
Event proto and its RecordWriter: the bytes its SummaryWriter writes, without the queue thread),
four tags, one value per event; `--encoding tf2` writes TF2's tensor_content events instead. Then, each measurement in a fresh process (so peak RSS is that
reader's alone), reports the median values/s and peak RSS of:

- ours:             RecordReader + EventDecoder, every CRC checked (C CRC-32C if installed)
- ours, pure CRC:   the same with the pure-Python CRC fallback
- ours + protobuf:  RecordReader + the protobuf runtime's Event parser (the alternative we
                    did not take for decoding)
- ours, collector:  TensorBoardCollector importing the file into streams/tensorboard.jsonl
- EventFileLoader:  tensorboard.backend.event_processing (no TensorFlow: pure-Python CRC)
- EventAccumulator: TensorBoard's scalar accumulator over that loader

The peers are measured on the first --peer-values values (they take minutes for a million);
values/s is comparable, and their RSS is reported for that prefix. Speed is not asserted
anywhere; this script only prints.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAGS = ("loss", "acc", "lr", "grad_norm")


def write_file(path: Path, values: int, encoding: str) -> None:
    import struct

    from tensorboardX.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
    from tensorboardX.record_writer import RecordWriter
    from tensorboardX.summary import scalar

    def tf2_scalar(tag: str, value: float, first: bool) -> "summary_pb2.Summary":
        """What TF2's tf.summary.scalar writes: tensor_content, metadata on first use only."""
        tensor = tensor_pb2.TensorProto(dtype="DT_FLOAT", tensor_content=struct.pack("<f", value),
                                        tensor_shape=tensor_shape_pb2.TensorShapeProto())
        v = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
        if first:
            v.metadata.plugin_data.plugin_name = "scalars"
        return summary_pb2.Summary(value=[v])

    writer = RecordWriter(str(path))
    writer.write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")
                 .SerializeToString())
    t = time.time()
    for i in range(values):
        step = i // len(TAGS)
        tag = TAGS[i % len(TAGS)]
        summary = (scalar(tag, 1.0 / (i + 1)) if encoding == "tensorboardx"
                   else tf2_scalar(tag, 1.0 / (i + 1), i < len(TAGS)))
        event = event_pb2.Event(wall_time=t + i * 1e-3, step=step, summary=summary)
        writer.write(event.SerializeToString())
    writer.close()


# -- one measurement, in a child process -----------------------------------------------------


def measure(kind: str, path: str, limit: int) -> dict:
    sys.path.insert(0, str(ROOT))
    start, cpu = time.perf_counter(), time.process_time()
    values = 0
    if kind in ("ours", "ours-pure"):
        from runwrap.collectors.tensorboard.decoding import EventDecoder
        from runwrap.collectors.tensorboard.framing import RecordReader, crc32c_python

        reader = RecordReader(path, crc_function=crc32c_python if kind == "ours-pure" else None)
        decoder = EventDecoder()
        start, cpu = time.perf_counter(), time.process_time()
        for data in reader.read():
            event = decoder.decode(data)
            if event is not None:
                for _tag, _value in event[2]:
                    values += 1
                if values >= limit:
                    break
    elif kind == "ours+protobuf":
        from tensorboard.compat.proto.event_pb2 import Event

        from runwrap.collectors.tensorboard.framing import RecordReader

        start, cpu = time.perf_counter(), time.process_time()
        for data in RecordReader(path).read():
            event = Event.FromString(data)
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    value.simple_value
                else:
                    value.tensor.tensor_content
                values += 1
            if values >= limit:
                break
    elif kind == "collector":
        from runwrap.collectors.base import CollectorContext
        from runwrap.collectors.tensorboard.collector import TensorBoardCollector

        run_dir = Path(tempfile.mkdtemp(prefix="tbbench-run-"))
        ctx = CollectorContext(run_dir=run_dir, start_time=0.0, cwd=Path(path).parent,
                               store_root=run_dir)
        start, cpu = time.perf_counter(), time.process_time()
        collector = TensorBoardCollector(ctx, [str(Path(path).parent)], discovery=False)
        collector.start()
        collector.stop()
        with open(run_dir / "streams" / "tensorboard.jsonl", "rb") as f:
            values = sum(1 for _ in f)  # one value per record in this file
    elif kind == "loader":
        from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

        start, cpu = time.perf_counter(), time.process_time()
        for event in EventFileLoader(path).Load():
            for value in event.summary.value:
                # simple_value is migrated into a tensor's float_val by the loader.
                value.tensor.float_val[0] if value.tensor.float_val else value.tensor.tensor_content
                values += 1
            if values >= limit:
                break
    elif kind == "accumulator":
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        start, cpu = time.perf_counter(), time.process_time()
        acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0})  # keep all
        acc.Reload()
        tags = acc.Tags()  # simple_value events land in scalars, TF2 tensors in tensors
        values = (sum(len(acc.Scalars(tag)) for tag in tags["scalars"])
                  + sum(len(acc.Tensors(tag)) for tag in tags["tensors"]))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu  # what a shared, loaded machine cannot inflate
    if kind == "collector":
        shutil.rmtree(run_dir, ignore_errors=True)  # tens of MB per round; off the clock
    return {"values": values, "seconds": seconds, "cpu": cpu_seconds, "rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent across fork+exec, so a child would report the (bigger) writer's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_child(kind: str, path: Path, limit: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(limit)],
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prefix_file(source: Path, target: Path, values: int) -> None:
    """The first `values` values of `source` (whole records), for the slow peers."""
    sys.path.insert(0, str(ROOT))
    from runwrap.collectors.tensorboard.framing import RecordReader

    reader = RecordReader(source)
    for i, _ in enumerate(reader.read()):
        if i >= values:  # record 0 is file_version
            break
    with open(source, "rb") as f, open(target, "wb") as g:
        g.write(f.read(reader.offset))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer-values", type=int, default=100_000)
    parser.add_argument("--peer-rounds", type=int, default=3)
    parser.add_argument("--encoding", choices=("tensorboardx", "tf2"), default="tensorboardx",
                        help="simple_value events (tensorboardX, torch) or TF2 tensor_content")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "LIMIT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, limit = args.child
        print(json.dumps(measure(kind, path, int(limit))))
        return

    with tempfile.TemporaryDirectory(prefix="tbbench-") as tmp:
        big = Path(tmp) / "big" / "events.out.tfevents.0.bench"
        small = Path(tmp) / "small" / "events.out.tfevents.0.bench"
        big.parent.mkdir()
        small.parent.mkdir()
        t = time.perf_counter()
        write_file(big, args.values, args.encoding)
        print(f"wrote {args.values:,} values ({big.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
        prefix_file(big, small, args.peer_values)
        sys.path.insert(0, str(ROOT))
        from runwrap.collectors.tensorboard.framing import CRC_IMPLEMENTATION

        plan = [
            (f"ours ({CRC_IMPLEMENTATION} CRC)", "ours", big, args.values, args.rounds),
            ("ours, pure-Python CRC", "ours-pure", small, args.peer_values, args.peer_rounds),
            ("our framing + protobuf (upb)", "ours+protobuf", big, args.values,
             max(1, args.rounds // 2)),
            ("ours, collector to JSONL", "collector", big, args.values, max(1, args.rounds // 2)),
            ("TensorBoard EventFileLoader", "loader", small, args.peer_values, args.peer_rounds),
            ("TensorBoard EventAccumulator", "accumulator", small, args.peer_values, 1),
        ]
        results = {}
        print(f"{'reader (medians)':32} {'values':>10} {'values/s':>10} {'per CPU-s':>10} "
              f"{'peak RSS MB':>12}")
        for label, kind, path, limit, rounds in plan:
            runs = [run_child(kind, path, limit) for _ in range(rounds)]
            rate = statistics.median(r["values"] / r["seconds"] for r in runs)
            per_cpu = statistics.median(r["values"] / max(r["cpu"], 1e-9) for r in runs)
            rss = statistics.median(r["rss_mb"] for r in runs)
            results[kind] = (rate, per_cpu)
            print(f"{label:32} {runs[0]['values']:>10,} {rate:>10,.0f} {per_cpu:>10,.0f} "
                  f"{rss:>12.1f}   ({rounds} rounds)")
        print(f"ours / EventFileLoader: {results['ours'][0] / results['loader'][0]:.1f}x "
              f"(per CPU-second: {results['ours'][1] / results['loader'][1]:.1f}x); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
