"""How far each stream has been uploaded: `sync.json` in the run directory, and its lock.

A stream's position is (offset, records, within): the byte offset of the first record not yet
wholly acknowledged by the server, how many records lie before it (the step of stepless
streams), and how many points of that record were already acknowledged (a record with more
points than one batch holds is split). The position only moves after the server has answered
200 to the batch that carried those points, and the document is replaced atomically right
after, so a cut at any instant leaves a position that is at most one batch behind the server.

Exactly once. The window that remains — the server committed a batch, then we died (or lost the
answer) before `sync.json` moved — is closed on the server's side: every batch also carries, for
each stream in it, a tag `mlflow.runwrap.sync.<stream file>.<slot>` holding the range (from,
to) it covers (under `mlflow.`, which MLflow's UI leaves out of a run's tag list), and MLflow writes a batch's tags after its metrics, so a tag never names points the
server does not hold. Batch j uses slot j % 2 and is only sent once batch j - 2 was answered (two
are in flight: the server parses one while it inserts the other), so the at most two batches a
cut can leave unanswered sit in different slots. On start, the uploader follows the chain of
ranges that begin exactly at its own position; before re-sending a batch whose answer was lost
it looks for the batch's own range in its slot. Either way a committed batch is not sent again.
The one case left — the later of two batches in flight committed and the earlier not, then the
upload cut — re-sends the later one; MLflow's SQL store ignores a point identical in key, step,
timestamp and value to one it holds, and our timestamps come from the record, so even then the
server keeps each point once.

One uploader per run at a time: whoever uploads holds an exclusive flock on `.sync.lock`.
"""
from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from runwrap.store.documents import read_json, write_json

SYNC_JSON = "sync.json"
SYNC_LOCK = ".sync.lock"
REJECTED_JSONL = "sync-rejected.jsonl"
VERSION = 1


@dataclass(frozen=True)
class Position:
    offset: int = 0
    records: int = 0
    within: int = 0

    def as_dict(self) -> Dict[str, int]:
        return {"offset": self.offset, "records": self.records, "within": self.within}

    def encode(self) -> str:
        """The form stored in the run's cursor tag on the server."""
        return json.dumps(self.as_dict(), separators=(",", ":"))

    @classmethod
    def parse(cls, value: Any) -> "Position":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return cls()
        if not isinstance(value, dict):
            return cls()
        try:
            return cls(int(value.get("offset", 0)), int(value.get("records", 0)),
                       int(value.get("within", 0)))
        except (TypeError, ValueError):
            return cls()

    def __lt__(self, other: "Position") -> bool:
        return (self.offset, self.within) < (other.offset, other.within)


class SyncState:
    """The upload state of one run for one tracking server (a run may go to several)."""

    def __init__(self, run_dir: Path, server: str):
        self.path = Path(run_dir) / SYNC_JSON
        self.server = server
        doc = read_json(self.path, {}) or {}
        self._doc: Dict[str, Any] = doc if isinstance(doc, dict) else {}
        servers = self._doc.setdefault("servers", {})
        self.data: Dict[str, Any] = servers.setdefault(server, {})
        self.data.setdefault("streams", {})
        self.data.setdefault("params", {})
        self.data.setdefault("points", 0)
        self.data.setdefault("rejected", 0)

    @property
    def run_id(self) -> Optional[str]:
        return self.data.get("run_id")

    def position(self, stream: str) -> Position:
        return Position.parse(self.data["streams"].get(stream))

    def set_position(self, stream: str, pos: Position) -> None:
        self.data["streams"][stream] = pos.as_dict()

    def save(self) -> None:
        self._doc["version"] = VERSION
        write_json(self.path, self._doc)


class SyncLock:
    """An exclusive, non-blocking flock on the run's `.sync.lock` (released if we die)."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / SYNC_LOCK
        self.fd: Optional[int] = None

    def acquire(self, wait: bool = False) -> bool:
        """Take the lock; False when another process holds it, unless `wait`: then block until
        that process lets go (or dies)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
