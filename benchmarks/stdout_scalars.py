"""Stdout scalar parsing speed: runwrap's parser against a bare read of the same file and
against a Guild-style parser (one `key: value` per line, Guild AI's default output-scalar
patterns applied with re.search to every line; a re-implementation of the loop, not Guild
itself, which also writes every value it finds to a TensorBoard file).

    python benchmarks/stdout_scalars.py [--lines 1000000] [--rounds 5] [--against REV] [--bad]

--against REV adds the parser of an earlier commit (its whole runwrap package, loaded under
another name) as a contender, for a side-by-side figure of a change to the grammar. --bad
times random bytes and 1 MB lines at 1 and 4 MB instead (linear time: the same ms per MB).

The file is a training log: 45% metric lines with several values each (`epoch 3 step 120
loss: 0.4123 acc=0.8812 lr=3.00e-04`), 10% Keras progress lines, 10% printed dicts
(Hugging Face Trainer), 5% Guild-style `key: value` lines, 30% other log lines (paths,
timestamps, warnings) with no values. Prints lines/s medians over the rounds and the ratios.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from typing import Callable, Dict, List, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from runwrap.collectors.console.scalars import default_parser  # noqa: E402

OTHER = [
    "Loading dataset from /data/imagenet/train with 8 workers",
    "2026-11-27 16:50:28,123 INFO trainer.py:212 - saving checkpoint to ckpt/model_0003.pt",
    "WARNING: the learning rate scheduler was called before optimizer.step()",
    "  warnings.warn(",
    "Downloading: 100%|##########| 440M/440M [00:12<00:00, 36.1MB/s]",
    "",
    "Validation finished; best model so far",
]


def make_log(path: str, n: int, seed: int = 0) -> None:
    rnd = random.Random(seed)
    with open(path, "w") as f:
        step = 0
        for i in range(n):
            r = rnd.random()
            step += 1
            if r < 0.45:
                f.write(f"epoch {step // 1000} step {step} loss: {rnd.random():.4f} "
                        f"acc={rnd.random():.4f} lr={rnd.random() * 1e-3:.2e}\n")
            elif r < 0.55:
                f.write(f"{step % 1875}/1875 [==============================] - 3s 2ms/step - "
                        f"loss: {rnd.random():.4f} - accuracy: {rnd.random():.4f}\n")
            elif r < 0.65:
                f.write(f"{{'loss': {rnd.random():.4f}, 'learning_rate': {rnd.random():.3e}, "
                        f"'epoch': {step / 1000:.2f}}}\n")
            elif r < 0.70:
                f.write(f"loss: {rnd.random():.4f}\n")
            else:
                f.write(OTHER[i % len(OTHER)] + "\n")


def bare_read(path: str) -> int:
    n = 0
    with open(path) as f:
        for _ in f:
            n += 1
    return n


def ours(path: str, parser=None) -> int:
    parse = (parser or default_parser()).parse
    n = 0
    with open(path) as f:
        for line in f:
            found = parse(line)
            if found is not None:
                n += len(found[0])
    return n


def parser_at(rev: str):
    """The default parser of commit `rev`: that commit's whole `runwrap` package, copied under
    the name `runwrap_at_rev` (its imports rewritten), so a grammar spread over several
    modules is timed as it was (collectors/console/scalars.py, or collectors/scalars.py in
    commits before the sub-packages)."""
    import importlib
    import io
    import re as regex
    import subprocess
    import tarfile

    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    archive = subprocess.run(["git", "-C", root, "archive", rev, "runwrap"],
                             capture_output=True, check=True).stdout
    target = tempfile.mkdtemp()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".py"):
                continue
            text = tar.extractfile(member).read().decode()
            text = regex.sub(r"\b(from|import) runwrap\b", r"\1 runwrap_at_rev", text)
            path = os.path.join(target, "runwrap_at_rev" + member.name[len("runwrap"):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
    sys.path.insert(0, target)
    for name in ("runwrap_at_rev.collectors.console.scalars", "runwrap_at_rev.collectors.scalars"):
        try:
            return importlib.import_module(name).default_parser()
        except ModuleNotFoundError:
            continue
    raise SystemExit(f"no scalar parser in {rev}")


def bad_input(parser, rounds: int) -> None:
    """Seconds per MB of random bytes (decoded as the console decodes them) and of 1 MB
    lines, at two sizes: the same figure at both is linear time."""
    import statistics

    rnd = random.Random(1)
    parse = parser.parse
    for label, make in (("random bytes", lambda mb: bytes(rnd.getrandbits(8) for _ in
                                                            range(mb << 20))),
                        ("1 MB lines", lambda mb: b"\n".join(
                            (b"loss: 0.5 " + b"x" * ((1 << 20) - 20)) for _ in range(mb)))):
        for mb in (1, 4):
            lines = make(mb).decode("utf-8", "replace").split("\n")
            times = []
            for _ in range(rounds):
                started = time.process_time()
                for line in lines:
                    parse(line)
                times.append((time.process_time() - started) / mb)
            print(f"{label:12s} {mb} MB: median {statistics.median(times) * 1000:8.2f} ms per MB "
                  "(cpu)")


# Guild's defaults: `(\key): (\value)` with \key = [^ \t]+ and \value = [0-9\.e\-]+, anchored
# to the whole line, and a step pattern; every pattern is tried on every line.
GUILD_PATTERNS = [re.compile(r"^([^ \t]+):\s+([0-9\.e\-]+)$"), re.compile(r"^step:\s+([0-9]+)$")]


def guild_style(path: str) -> int:
    n = 0
    with open(path) as f:
        for line in f:
            line = line.rstrip()
            for pattern in GUILD_PATTERNS:
                m = pattern.search(line)
                if m:
                    try:
                        float(m.group(2) if m.lastindex and m.lastindex > 1 else m.group(1))
                    except ValueError:
                        continue
                    n += 1
    return n


def measure(fn: Callable[[str], int], path: str, lines: int) -> Tuple[float, float]:
    """(lines per wall second, lines per CPU second of this process) for one pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(path)
    return lines / (time.perf_counter() - wall), lines / (time.process_time() - cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--against", metavar="REV", help="also time the parser of commit REV")
    ap.add_argument("--bad", action="store_true",
                    help="time random bytes and 1 MB lines at two sizes instead")
    args = ap.parse_args()
    if args.bad:
        bad_input(default_parser(), args.rounds)
        if args.against:
            print(f"at {args.against}:")
            bad_input(parser_at(args.against), args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.log")
        make_log(path, args.lines)
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(f"{args.lines} lines, {os.path.getsize(path) / 1e6:.1f} MB; values found: "
              f"runwrap {ours(path)}, guild-style {guild_style(path)}")
        # Interleave the contenders round by round so a busy moment hurts all of them alike.
        # CPU-time rates are printed too: on a shared machine they move less than wall time.
        contenders = [("bare read", bare_read), ("runwrap", ours), ("guild-style", guild_style)]
        if args.against:
            previous = parser_at(args.against)
            contenders.insert(2, (f"at {args.against}"[:12], lambda p: ours(p, previous)))
        wall: Dict[str, List[float]] = {name: [] for name, _ in contenders}
        cpu: Dict[str, List[float]] = {name: [] for name, _ in contenders}
        for _ in range(args.rounds):
            for name, fn in contenders:
                w, c = measure(fn, path, args.lines)
                wall[name].append(w)
                cpu[name].append(c)
        results = {name: statistics.median(rates) for name, rates in wall.items()}
        cpu_results = {name: statistics.median(rates) for name, rates in cpu.items()}
        for name, _ in contenders:
            print(f"{name:12s} median {results[name]:>12,.0f} lines/s wall "
                  f"{cpu_results[name]:>12,.0f} lines/s cpu   "
                  f"(wall: {', '.join(f'{r:,.0f}' for r in wall[name])})")
        for label, res in (("wall", results), ("cpu", cpu_results)):
            print(f"[{label}] runwrap / bare read = {res['runwrap'] / res['bare read']:.3f}   "
                  f"runwrap / guild-style = {res['runwrap'] / res['guild-style']:.3f}"
                  + (f"   runwrap / {contenders[2][0]} = {res['runwrap'] / res[contenders[2][0]]:.3f}"
                     if args.against else ""))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print(f"runwrap per line = {1e6 / results['runwrap']:.2f} us wall, "
              f"{1e6 / cpu_results['runwrap']:.2f} us cpu (target: >= 300,000 lines/s)")


if __name__ == "__main__":
    main()
