"""Replays a saved console transcript (tests/corpus/) through runwrap's console model and
scalar grammar, and compares the records with the ones the library's own API gave."""
from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from runwrap.collectors.base import CollectorContext
from runwrap.collectors.console.scalars import compile_patterns
from runwrap.collectors.console.collector import StdoutScalars
from runwrap.store.streams import read_records, stream_path
from runwrap.wrap.console import ConsoleLog

CORPUS = Path(__file__).resolve().parent / "corpus"
MODES = ("pipe", "pty")
CHUNK = 4096  # bytes per read: a child's output arrives in pieces

Triple = Tuple[str, Optional[int], float]  # (name, step, value)


def names() -> List[str]:
    return sorted(p.parent.name for p in CORPUS.glob("*/expected-pipe.json"))


def versions() -> Dict[str, Dict[str, str]]:
    return json.loads((CORPUS / "versions.json").read_text())


def replay(name: str, mode: str, chunk: int = CHUNK) -> List[Triple]:
    """The (name, step, value) of every record the console gives for a transcript: its bytes
    through the wrapper's console model into the real stdout scalar collector."""
    folder = CORPUS / name
    files = ([("stdout", "pipe.stdout"), ("stderr", "pipe.stderr")] if mode == "pipe"
             else [("stdout", "pty.out")])
    return records_of([(stream, (folder / file).read_bytes()) for stream, file in files], chunk)


def records_of(sources: List[Tuple[str, bytes]], chunk: int = CHUNK) -> List[Triple]:
    """The (name, step, value) of every record the console gives for these bytes per stream
    ("stdout", "stderr"), through the wrapper's console model into the real stdout scalar
    collector, read back from the stream file it writes. A line the grammar failed on (the
    collector skips it with a warning) is a fault, never a verdict."""
    records, skipped = replay_sources(sources, chunk)
    assert not skipped, f"the stdout scalar collector skipped {skipped}"
    return records


def replay_sources(sources: List[Tuple[str, bytes]],
                   chunk: int = CHUNK) -> Tuple[List[Triple], Dict[str, int]]:
    """records_of's records, and what the collector skipped (by kind) instead of failing."""
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        collector = StdoutScalars(CollectorContext(run_dir=run_dir, start_time=0.0,
                                                   cwd=Path(tmp), store_root=Path(tmp)),
                                  compile_patterns([]))
        console = ConsoleLog(None, sink=collector.feed_text)
        for stream, data in sources:
            for i in range(0, len(data), chunk):
                console.feed(stream, data[i:i + chunk])
        console.close()
        collector.stop()
        return ([(k, r.get("_step"), float(v))
                 for r in read_records(stream_path(run_dir, "stdout"))
                 for k, v in r.items() if not k.startswith("_")], dict(collector.skipped))


def expected(name: str, mode: str) -> List[Triple]:
    records = json.loads((CORPUS / name / f"expected-{mode}.json").read_text())
    return [(k, r["step"], v) for r in records for k, v in r["values"].items()]


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    # Printed values are rounded (3 significant digits and more): compare at that precision.
    return math.isclose(a, b, rel_tol=5e-3, abs_tol=1e-4)


@dataclass
class Comparison:
    expected: int
    got: int
    lost: List[Triple] = field(default_factory=list)  # expected, not found
    extra: List[Triple] = field(default_factory=list)  # found, not expected
    junk_keys: List[str] = field(default_factory=list)  # names never expected

    @property
    def exact(self) -> bool:
        return not self.lost and not self.extra


def compare(name: str, mode: str) -> Comparison:
    want, got = expected(name, mode), replay(name, mode)
    left = list(got)
    result = Comparison(len(want), len(got))
    for key, step, value in want:
        for i, (k, s, v) in enumerate(left):
            if k == key and s == step and _close(v, value):
                del left[i]
                break
        else:
            result.lost.append((key, step, value))
    result.extra = left
    known = {k for k, _, _ in want}
    result.junk_keys = sorted({k for k, _, _ in left if k not in known})
    return result
