"""`runwrap tail RUN [-f]`: a run's metric records, one line each, as they land."""
from __future__ import annotations

import heapq
import json
import math
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, Optional, Tuple

import click

from runwrap.cli.selection import complete_project, complete_run, part_streams, dir_option

from runwrap.store.layout import store_root
from runwrap.store.run_info import load_run
from runwrap.store.runs import find_run
from runwrap.store.streams import StreamReader, decode_value, encode_record, stream_files

Entry = Tuple[str, Dict[str, Any]]  # (stream label, record)


@click.command()
@click.argument("run_ref", metavar="RUN", shell_complete=complete_run)
@click.option("-f", "--follow", is_flag=True,
              help="Keep printing records as they land; stop when the run ends.")
@click.option("-n", "--lines", type=click.IntRange(min=0), default=None,
              help="Start with only the last N records already written (default: all).")
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="Only this source (stdout, files, tensorboard, system, sdk); repeatable.")
@click.option("--part", "parts", multiple=True, metavar="PART",
              help="A cluster job's run: only this part (its rank, as in `show`) and the "
                   "system metrics of its host; repeatable.")
@click.option("--json", "as_json", is_flag=True,
              help="Print each record as its JSON line, with `_source` added.")
@dir_option
@click.option("--project", default=None, help="Look for RUN in this project only.",
              shell_complete=complete_project)
@click.option("--poll", type=click.FloatRange(min=0.01), default=0.25, show_default=True,
              help="Seconds between looks for new records in follow mode.")
def tail(run_ref: str, follow: bool, lines: Optional[int], sources: Tuple[str, ...],
         parts: Tuple[str, ...], as_json: bool, store_dir: Optional[str], project: Optional[str], poll: float) -> int:
    """Print the records of RUN (an id, an id prefix, a name, or `latest`), every source
    merged in time order, one line each: `[stdout] step=3 loss=0.41 acc=0.93`."""
    try:
        run = find_run(store_root(store_dir), run_ref, project)
        follow_run(run.dir, follow, lines, set(sources),
                   format_json if as_json else format_line, poll, part_streams(run, parts))
    except KeyboardInterrupt:
        return 130  # Ctrl-C is how one leaves `tail -f` early: no message, no traceback
    return 0


def follow_run(run_dir: Path, follow: bool, lines: Optional[int], sources: set,
               fmt: Any, poll: float, parts: Optional[set] = None) -> None:
    follower = Follower(run_dir, sources, parts)
    first: Iterable[Entry] = follower.read()
    if lines is not None:
        first = deque(first, maxlen=lines)  # reads everything (offsets move), keeps the last N
    emit(first, fmt)
    while follow:
        # Status first, records second: once the run is seen ended, this read is the final one
        # and has everything its writers wrote.
        info = load_run(run_dir)
        ended = info is None or info.status != "running"
        emit(follower.read(), fmt)
        if ended:
            break
        time.sleep(poll)


def emit(entries: Iterable[Entry], fmt: Any) -> None:
    write = sys.stdout.write
    for label, record in entries:
        write(fmt(label, record))
        write("\n")
    sys.stdout.flush()


class Follower:
    """Every stream file of a run, each read from where the last `read` stopped; files that
    appear later are picked up on the next `read`."""

    def __init__(self, run_dir: Path, sources: Optional[set] = None,
                 parts: Optional[set] = None):
        self.run_dir = run_dir
        self.sources = sources or set()
        self.parts = parts  # None: every part
        self.readers: Dict[Path, StreamReader] = {}

    def read(self) -> Iterator[Entry]:
        """The records new since the last call, all streams merged by `_time` (each stream is
        already in time order, so this streams through them without holding them all)."""
        for path in stream_files(self.run_dir):
            label = path.name[:-len(".jsonl")]
            if path not in self.readers and self._wanted(label):
                self.readers[path] = StreamReader(path)
        streams = [_keyed(i, path.name[:-len(".jsonl")], reader)
                   for i, (path, reader) in enumerate(sorted(self.readers.items()))]
        for _, _, label, record in heapq.merge(*streams, key=lambda e: (e[0], e[1])):
            yield label, record

    def _wanted(self, label: str) -> bool:
        source, _, part = label.partition(".")
        return ((not self.sources or source in self.sources)
                and (self.parts is None or part in self.parts))


def _keyed(index: int, label: str, reader: StreamReader
           ) -> Iterator[Tuple[float, int, str, Dict[str, Any]]]:
    for record in reader.read():
        yield _time_key(record), index, label, record


def _time_key(record: Dict[str, Any]) -> float:
    t = record.get("_time")
    return float(t) if isinstance(t, (int, float)) else -math.inf


def format_line(label: str, record: Dict[str, Any]) -> str:
    """`[source] step=3 loss=0.41`: the step first, then every metric in written order; the
    time stamps are left out."""
    parts = [f"[{label}]"]
    step = record.get("_step")
    if step is not None:
        parts.append(f"step={step}")
    for key, value in record.items():
        if key.startswith("_"):
            continue
        parts.append(f"{key}={format_value(decode_value(value))}")
    return " ".join(parts)


def format_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "null"
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if value and " " not in value else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def format_json(label: str, record: Dict[str, Any]) -> str:
    return encode_record({"_source": label, **record}).decode("utf-8", "surrogatepass").rstrip("\n")
