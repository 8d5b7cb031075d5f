"""What the console grammar makes of a console: each final line beside the records it gave
(`runwrap explain`). The bytes go through the wrapper's own console path (the screen model of
console.py, then the stdout collector's StreamRecords), so what it shows is what a run
records from the same output.

A record is shown under the line that completed it: a progress bar's last state before the
next step is recorded when that step's first line arrives, and a table's box when its closing
border does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union

from runwrap.collectors.console.scalars import FRAME, StreamRecords, compile_patterns
from runwrap.wrap.console import ConsoleLog

Number = Union[int, float]
Record = Tuple[Dict[str, Number], Optional[int]]
CHUNK = 1 << 16


@dataclass
class ExplainedLine:
    stream: str
    number: int  # the line's number in its stream, from 1 (frames drawn over are not counted)
    text: str
    records: List[Record] = field(default_factory=list)


def explain_bytes(sources: Iterable[Tuple[str, bytes]],
                  patterns: Optional[List[str]] = None) -> List[ExplainedLine]:
    """The final lines of each (stream, bytes) source in order, each with its records, read
    with the default grammar or with `--scalars` `patterns` (a UsageError names a bad one)."""
    parser = compile_patterns(list(patterns or []))
    streams: Dict[str, StreamRecords] = {}
    counts: Dict[str, int] = {}
    out: List[ExplainedLine] = []

    def sink(stream: str, block: str, _time: float) -> None:
        records = streams.get(stream)
        if records is None:
            records = streams[stream] = StreamRecords(parser.parse, not parser.patterns)
        for line in block.split("\n"):
            found = records.feed(line)
            if line[:1] == FRAME:
                if found and out:  # a frame's record is the line above's business
                    out[-1].records.extend(found)
                continue
            counts[stream] = counts.get(stream, 0) + 1
            out.append(ExplainedLine(stream, counts[stream], line, list(found)))

    console = ConsoleLog(None, sink=sink)
    for stream, data in sources:
        for i in range(0, len(data), CHUNK):
            console.feed(stream, data[i:i + CHUNK])
    console.close()
    for stream, records in streams.items():
        held = records.finish()  # what the stream held back at its end: its last line's
        if held:
            last = next(line for line in reversed(out) if line.stream == stream)
            last.records.extend(held)
    return out


def explain_file(path: Path, patterns: Optional[List[str]] = None) -> List[ExplainedLine]:
    """A saved console (a run's output.log, a terminal transcript, `python x.py > log`)."""
    return explain_bytes([("stdout", path.read_bytes())], patterns)
