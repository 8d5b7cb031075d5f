"""Sending the metric streams: batches from the stream tails, two in flight, answers taken in
order, positions committed only over what the server acknowledged (see cursor.py)."""
from __future__ import annotations

import collections
import concurrent.futures
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Optional

from runwrap.store.streams import append_whole, stream_files
from runwrap.store.values import to_json_safe
from runwrap.sync import mapping
from runwrap.sync.batching import MAX_TAGS, Batch
from runwrap.sync.client import Rejected, RestClient
from runwrap.sync.cursor import REJECTED_JSONL, Position, SyncState
from runwrap.sync.tails import StreamTail

DEPTH = 2  # log-batch requests in flight at once


@dataclass(frozen=True)
class Range:
    """The part of one stream a batch carries: from `start` up to `end` (positions)."""

    start: Position
    end: Position

    def encode(self) -> str:
        """The value of the batch's cursor tag on the server."""
        return json.dumps({"from": self.start.as_dict(), "to": self.end.as_dict()},
                          separators=(",", ":"))

    @classmethod
    def parse(cls, value: Optional[str]) -> Optional["Range"]:
        try:
            doc = json.loads(value) if value else None
            return cls(Position.parse(doc["from"]), Position.parse(doc["to"]))
        except (ValueError, TypeError, KeyError):
            return None


@dataclass
class _Flight:
    batch: Batch
    ranges: Dict[str, Range]
    future: Any  # concurrent.futures.Future of RunSync._post


def _about_the_batch(error: Rejected) -> bool:
    """A refusal of this batch's content (a bad value, too large), as opposed to one about the
    run itself (deleted, not active, not found), after which nothing can be uploaded."""
    if "'active' state" in error.server_message:  # MLflow says INVALID_PARAMETER_VALUE here too
        return False
    return error.error_code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST") or error.status == 413


class StreamUpload:
    """The stream half of RunSync (a mixin: it shares RunSync's state, client and result)."""

    client: RestClient
    state: SyncState
    result: Any
    run_dir: Any
    tails: Dict[str, StreamTail]
    depth: int
    _seq: int
    _senders: Optional[concurrent.futures.ThreadPoolExecutor]
    warn: Callable[[str, str], None]
    progress: Optional[Callable[[int], None]]

    def _adopt_server_positions(self, server_tags: Dict[str, str]) -> None:
        """Follow the server's cursor tags from where sync.json stands: a batch range that
        starts at our position was committed, only our record of it was lost (cursor.py)."""
        for path in stream_files(self.run_dir):
            pos = self.state.position(path.name)
            ranges = [Range.parse(mapping.cursor_value(server_tags, path.name, slot))
                      for slot in range(self.depth)]
            moved = True
            while moved:
                moved = False
                for r in ranges:
                    if r is not None and r.start == pos and pos < r.end:
                        pos, moved = r.end, True
            self.state.set_position(path.name, pos)
        self.state.save()

    def pump(self, max_batches: Optional[int] = None) -> int:
        """Send the points written so far; the number sent. Raises CommError /
        AuthenticationError when the server cannot be reached (committed positions stay).

        Up to `depth` batches are in flight (the server parses one while its database inserts
        the other); answers are taken in order, so positions only ever move over a contiguous
        acknowledged prefix. Batch j uses cursor-tag slot j % depth and is sent only after batch
        j - depth was acknowledged, so a slot is never overwritten while the range it names
        could still matter to a resume."""
        self._discover_streams()
        flights: Deque[_Flight] = collections.deque()
        sent = made = 0
        exhausted = False
        try:
            while True:
                if (not exhausted and len(flights) < self.depth
                        and (max_batches is None or made < max_batches)):
                    flight = self._launch(self._seq % self.depth)
                    if flight is not None:
                        flights.append(flight)
                        self._seq += 1
                        made += 1
                        continue
                    exhausted = True
                if not flights:
                    return sent
                sent += self._land(flights.popleft())
        except BaseException:
            for flight in flights:  # let them end: their outcome is read back on resume
                concurrent.futures.wait([flight.future])
            self.tails.clear()  # rebuilt from the committed positions next time
            raise

    def _discover_streams(self) -> None:
        owners = self.key_owners()
        for path in stream_files(self.run_dir):
            if path.name not in self.tails:
                self.tails[path.name] = StreamTail(path, self.state.position(path.name), owners)

    def key_owners(self) -> mapping.KeyOwners:
        """Which source keeps each bare metric name (sync.json `owners`). A run uploaded
        before sources were kept apart has positions but no `owners`: its names stay bare,
        so that its series go on where they are. A new upload first gives every name the
        run's summary already knows to its source by OWNER_PRIORITY."""
        owners = self.state.data.get("owners")
        if owners is None:
            if self.state.data.get("points") or any(
                    self.state.position(p.name).offset for p in stream_files(self.run_dir)):
                return mapping.KeyOwners(None)
            owners = self.state.data["owners"] = {}
            claims = mapping.KeyOwners(owners)
            # start-up: loaded only on the path that needs it
            from runwrap.store.summary import load_summary

            summary = load_summary(self.run_dir)
            for source in mapping.OWNER_PRIORITY:
                table = summary.get(source)
                if isinstance(table, dict):
                    claims.claim(source, table)
        return mapping.KeyOwners(owners)

    def _launch(self, slot: int) -> Optional["_Flight"]:
        """The next batch from the streams, sent from a sender thread; None when none is left."""
        batch = Batch()
        ranges: Dict[str, Range] = {}
        for name, tail in self.tails.items():
            room = batch.room_for_metrics() - 1  # one item for this stream's cursor tag
            if room <= 0 or len(batch.tags) >= MAX_TAGS:
                break
            before = tail.position
            points, after = tail.take(room)
            if after == before:
                continue
            batch.metrics.extend(points)
            ranges[name] = Range(before, after)
            batch.tags.append({"key": mapping.cursor_tag(name, slot),
                               "value": ranges[name].encode()})
        if not ranges:
            return None
        if self._senders is None:
            self._senders = concurrent.futures.ThreadPoolExecutor(
                max_workers=self.depth, thread_name_prefix="runwrap-send")
        future = self._senders.submit(self._post, batch, slot, ranges)
        return _Flight(batch, ranges, future)

    def _land(self, flight: "_Flight") -> int:
        """Wait for the oldest batch's answer and commit its positions; the points it carried."""
        refused = flight.future.result()  # raises when the batch could not be delivered
        for stream, r in flight.ranges.items():
            self.state.set_position(stream, r.end)
        points = 0
        if refused is None:
            points = len(flight.batch.metrics)
            self.state.data["points"] += points
            self.result.points += points
        else:
            self._keep_rejected(flight.batch, refused)
        self.state.save()
        if self.progress is not None:
            self.progress(self.result.points)
        return points

    def _post(self, batch: Batch, slot: Optional[int] = None,
              ranges: Optional[Dict[str, Range]] = None) -> Optional[Rejected]:
        """One log-batch; None when the server took it, the refusal when it refused the batch's
        content (a bad value, too large: kept in sync-rejected.jsonl, and the upload goes on).
        A refusal about the run itself (deleted) raises: every point stays for later. A lost
        answer is followed, before any retry, by a look at the run's cursor tags: if they
        already hold this batch's ranges, it was committed and is not sent again."""
        def committed() -> bool:
            if not ranges:
                return False
            run = self.client.get_run(self.state.run_id)  # type: ignore[arg-type]
            tags = {t["key"]: t.get("value", "") for t in run["data"].get("tags", [])}
            return all(Range.parse(mapping.cursor_value(tags, s, slot)) == r
                       for s, r in ranges.items())

        try:
            self.client.log_batch(self.state.run_id, batch.metrics, batch.params, batch.tags,
                                  before_retry=committed)
        except Rejected as e:
            if not _about_the_batch(e):
                raise
            return e
        return None

    def _keep_rejected(self, batch: Batch, error: Rejected) -> None:
        self.state.data["rejected"] += 1
        self.state.data["error"] = error.server_message
        self.result.error = str(error)
        self.warn("rejected", f"{error} (the batch is kept in {self.run_dir / REJECTED_JSONL}; "
                  f"the upload goes on)")
        line = json.dumps(to_json_safe({
            "time": time.time(), "status": error.status, "error_code": error.error_code,
            "message": error.server_message, "metrics": batch.metrics, "params": batch.params,
            "tags": batch.tags}), default=str, allow_nan=False)
        try:
            fd = os.open(self.run_dir / REJECTED_JSONL, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                         0o644)
            try:
                append_whole(fd, (line + "\n").encode("utf-8", "surrogatepass"))
            finally:
                os.close(fd)
        except OSError as e:
            self.warn("rejected-write", f"cannot keep the refused batch in {REJECTED_JSONL}: "
                                        f"{e.strerror or e}")

    def close(self) -> None:
        if self._senders is not None:
            self._senders.shutdown(wait=True)
            self._senders = None
