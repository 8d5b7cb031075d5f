"""Reading one TensorBoard event file into stream records: the one records path that the
wrapper's collector and `runwrap.init(sync_tensorboard=True)` share.

A record per event that holds scalars: `{"_step", "_time" (the event's wall_time), "_runtime",
prefix + tag: value, ...}`; booleans become 0/1 (a stream value is a number). What is not
imported is counted by kind, for run.json `skipped`: `bad_event` (the CRC held but the bytes
are not an Event), `crc` (corrupted stretches the framing skipped), `other:<plugin>` (images,
histograms...).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterator

from runwrap.collectors.tensorboard.decoding import DecodeError, EventDecoder, ScalarEvent
from runwrap.collectors.tensorboard.framing import RecordReader


class EventFile:
    """One event file being read: where we are in it, what its metrics are called, and what
    was skipped."""

    __slots__ = ("path", "prefix", "reader", "decoder", "size", "bad_events", "_reported")

    def __init__(self, path: str, prefix: str):
        self.path = path
        self.prefix = prefix  # "train/" (or "" at the folder its names are relative to)
        self.reader = RecordReader(path)
        self.decoder = EventDecoder()
        self.size = -1  # the file's size when reading last started
        self.bad_events = 0
        self._reported: Dict[str, int] = {}  # what skipped() has already handed out

    def records(self, start_time: float) -> Iterator[dict]:
        """The records of every complete event added since the last call (the file may still
        be growing: a half-written last record is read next time)."""
        try:
            # Taken before reading: bytes that land while we read change the size again, so
            # the next poll comes back for them.
            self.size = os.stat(self.path).st_size
        except OSError:
            pass
        prefix = self.prefix
        decoder = self.decoder
        for data in self.reader.read():
            try:
                event = decoder.decode(data)
            except DecodeError:
                self.bad_events += 1
                continue
            if event is None or not event[2]:
                continue
            wall_time, step, values = event
            record: dict = {"_step": step, "_time": wall_time, "_runtime": wall_time - start_time}
            for tag, value in values:
                record[prefix + tag] = int(value) if isinstance(value, bool) else value
            yield record

    def skipped(self) -> Dict[str, int]:
        """What was skipped since the last call, by kind (see the module docstring)."""
        totals = {"bad_event": self.bad_events, "crc": self.reader.corrupt}
        totals.update((f"other:{kind}", n) for kind, n in self.decoder.other.items())
        new = {}
        for kind, n in totals.items():
            if n > self._reported.get(kind, 0):
                new[kind] = n - self._reported.get(kind, 0)
                self._reported[kind] = n
        return new


def read_event_file(path: "str | Path") -> Iterator[ScalarEvent]:
    """Every scalar event of one file, as (wall_time, step, [(tag, value), ...])."""
    decoder = EventDecoder()
    for record in RecordReader(path).read():
        try:
            event = decoder.decode(record)
        except DecodeError:
            continue
        if event is not None:
            yield event
