"""The console model's speed: output.log written from the child's bytes, this tree's
wrap/console.py beside the one of an earlier commit, on the same chunks; and the bad inputs
of issue 10 at two sizes, to show the cost grows linearly (time ratio near 2 for twice the
input), never quadratically.

    python benchmarks/console_model.py [--against REV] [--mb 64] [--rounds 5]

Workloads (each fed in 64 KiB reads, as the wrapper reads a pipe):
  plain      ASCII log lines (the fast path)
  pty plain  the same lines as a pty gives them ('\r\n')
  utf8       log lines with non-ASCII text
  tqdm       a tqdm bar: '\\r' frames with Unicode blocks, a line now and then
  keras      Keras frames: '\\b' * width, '\\r', colour escapes
Bad inputs (growth from N to 2N): random bytes, unterminated escapes, one line of N bytes,
N backspaces in a row, N cursor-ups.
Prints MB per CPU-second medians and the ratio new / previous.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runwrap.wrap.console import ConsoleLog  # noqa: E402

CHUNK = 1 << 16


def workloads(mb: int) -> Dict[str, bytes]:
    size = mb << 20
    rnd = random.Random(0)
    plain = b"".join(f"step {i} loss: {rnd.random():.4f} acc={rnd.random():.4f} saved\n".encode()
                     for i in range(size // 45))[:size]
    utf8 = b"".join(f"étape {i} perte: {rnd.random():.4f} 损失 ok\n".encode()
                    for i in range(size // 40))[:size]
    frames = []
    n = 0
    while n < size:
        for p in range(0, 101, 5):
            f = (f"\rtrain:  {p:3d}%|{'█' * (p // 10):10s}| {p}/100 "
                 f"[00:01<00:02, 40.1it/s, loss={rnd.random():.3f}]").encode()
            frames.append(f)
            n += len(f)
        frames.append(b"\n")
    tqdm = b"".join(frames)
    keras = []
    n = 0
    while n < size:
        for s in range(1, 6):
            f = (f"\x1b[1m{s}/5\x1b[0m \x1b[32m{'━' * (4 * s)}\x1b[0m"
                 f"\x1b[37m{'━' * (20 - 4 * s)}\x1b[0m"
                 f" \x1b[1m0s\x1b[0m 3ms/step - loss: {rnd.random():.4f}").encode()
            keras.append(b"\r" + f + b"\b" * 60)
            n += len(f) + 61
        keras.append(b"\r\n")
    return {"plain": plain, "pty plain": plain.replace(b"\n", b"\r\n"), "utf8": utf8,
            "tqdm": tqdm, "keras": b"".join(keras)}


def bad_inputs(n: int) -> Dict[str, bytes]:
    rnd = random.Random(1)
    return {"random bytes": bytes(rnd.getrandbits(8) for _ in range(n)),
            "unterminated escapes": b"\x1b[12;" * (n // 5) + b"\x1b]0;" * (n // 4),
            "one line": b"x" * n,
            "backspaces": b"abc" + b"\b" * n + b"\n",
            "cursor-ups": b"row\n" + b"\x1b[A" * (n // 3) + b"\n"}


def load_previous(rev: str):
    """wrap/console.py (and screen.py, if it has one) of commit `rev`, as a module."""
    tmp = Path(tempfile.mkdtemp()) / "prev"
    (tmp / "runwrap" / "wrap").mkdir(parents=True)
    for rel in ("runwrap/__init__.py", "runwrap/wrap/__init__.py", "runwrap/wrap/console.py",
                "runwrap/wrap/screen.py"):
        out = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{rel}"],
                             capture_output=True)
        if out.returncode == 0:
            (tmp / rel).write_bytes(out.stdout if not rel.endswith("__init__.py") else b"")
    sys.path.insert(0, str(tmp))
    for name in [m for m in sys.modules if m.startswith("runwrap")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location("prev_console",
                                                  tmp / "runwrap" / "wrap" / "console.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.path.remove(str(tmp))
    for name in [m for m in sys.modules if m.startswith("runwrap")]:
        del sys.modules[name]
    return module.ConsoleLog


def feed_all(cls, data: bytes, with_sink: bool) -> float:
    """CPU seconds to feed `data` and write output.log to a file."""
    fd, path = tempfile.mkstemp(suffix=".log")
    os.close(fd)
    log = cls(path, sink=(lambda s, b, t: None) if with_sink else None)
    t = time.process_time()
    for i in range(0, len(data), CHUNK):
        log.feed("stdout", data[i:i + CHUNK])
    log.close()
    spent = time.process_time() - t
    os.unlink(path)
    return spent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", default="6779c0c~1",
                    help="the commit whose console.py is the 'previous' column")
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--bad", type=int, default=1_000_000, help="N for the bad inputs")
    args = ap.parse_args()
    previous = load_previous(args.against)
    data = workloads(args.mb)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'workload':10s} {'MB':>6s} {'previous MB/cpu-s':>18s} {'new MB/cpu-s':>14s} "
          f"{'new/previous':>13s}")
    for name, blob in data.items():
        rates: Dict[str, List[float]] = {"previous": [], "new": []}
        for _ in range(args.rounds):  # alternate, so a busy moment hurts both alike
            for label, cls in (("previous", previous), ("new", ConsoleLog)):
                rates[label].append(len(blob) / 1e6 / feed_all(cls, blob, with_sink=True))
        p, n = statistics.median(rates["previous"]), statistics.median(rates["new"])
        print(f"{name:10s} {len(blob) / 1e6:6.1f} {p:18.1f} {n:14.1f} {n / p:13.2f}")
    print(f"\nbad inputs: CPU seconds at N={args.bad:,} and 2N (ratio ~2 = linear)")
    for name in bad_inputs(16):
        times = []
        for n in (args.bad, 2 * args.bad):
            blob = bad_inputs(n)[name]
            times.append(statistics.median(feed_all(ConsoleLog, blob, True)
                                           for _ in range(3)))
        print(f"  {name:22s} {times[0]:8.3f} s {times[1]:8.3f} s   ratio {times[1] / times[0]:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
