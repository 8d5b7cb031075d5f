"""Reading a stream file onward from its upload position, as metric points.

A `StreamTail` hands out points in the order they were logged, as many as a batch has room for,
and says the position just after the last point it handed out. Positions are only committed
by the caller once the server has acknowledged them; after a failed request the caller throws
the tails away and builds new ones from the committed positions.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from runwrap.store.streams import StreamReader, part_of, source_of
from runwrap.sync.cursor import Position
from runwrap.sync.mapping import KeyCache, KeyOwners, metric_prefix, record_points


class StreamTail:
    def __init__(self, path: Path, position: Position, owners: Optional[KeyOwners] = None):
        self.path = Path(path)
        self.name = self.path.name
        source = source_of(self.path)
        self.keys = KeyCache(metric_prefix(source, part_of(self.path)), owners, source)
        self.reader = StreamReader(self.path, position.offset)
        self.position = position  # just after the last point handed out
        self._records: Optional[Iterator[Dict[str, Any]]] = None
        self._points: List[dict] = []  # the rest of the current record
        self._start = position.offset  # where the current record starts
        self._skip = position.within  # points of the first record sent before

    def take(self, room: int) -> Tuple[List[dict], Position]:
        """Up to `room` points after the current position, and the position after them."""
        out: List[dict] = []
        while room > 0:
            if not self._points and not self._next_record():
                break
            n = min(room, len(self._points))
            out.extend(self._points[:n])
            del self._points[:n]
            room -= n
            if self._points:
                self.position = Position(self._start, self.position.records,
                                         self.position.within + n)
            else:
                self._record_done()
        return out, self.position

    def _next_record(self) -> bool:
        """Load the next record with points into `_points`; False at the end of the file.
        Records without any number are passed over (their position still advances)."""
        while True:
            if self._records is None:
                self._records = self.reader.read()
            start = self.reader.offset
            record = next(self._records, None)
            if record is None:
                self._records = None  # at the (possibly torn) end: a later read resumes here
                return False
            self._start = start
            now_ms = int(time.time() * 1000)
            points = record_points(record, self.position.records, self.keys, now_ms)
            if self._skip:
                points = points[self._skip:]
                self.position = Position(start, self.position.records, self._skip)
                self._skip = 0
            else:
                self.position = Position(start, self.position.records, 0)
            if points:
                self._points = points
                return True
            self._record_done()

    def _record_done(self) -> None:
        self._points = []
        self.position = Position(self.reader.offset, self.position.records + 1, 0)

    def pending_points(self) -> int:
        """How many points lie after the position (reads to the end; for --dry-run)."""
        total = 0
        while True:
            points, _ = self.take(1 << 30)
            if not points:
                return total
            total += len(points)
