"""`run.log()`'s engine: step/commit bookkeeping, one stream line per call, summary in memory.

Every call writes one line to the process's own stream file before it returns (one
StreamWriter write = one write(2) on an O_APPEND file), so a SIGKILL a moment later loses
nothing. wandb's row semantics are kept through `_step`: calls with commit=False or an explicit
step add lines to the current step; a row of history is all lines with the same `_step`.

Speed: a call whose values are all plain int/float under keys seen before takes a fast path that
does no per-value Python work: the JSON line is spliced, and the values are kept as a row tuple
in a block whose columns are folded into the summary statistics with C-level min/max/sum when
the keys change, a block fills, the summary is read, or the run finishes.
"""
from __future__ import annotations

import json
import math
import os
import threading
import time
import weakref
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from runwrap.errors import UsageError
from runwrap.sdk.media.base import Media, is_matplotlib
from runwrap.store.clock import RunClock
from runwrap.store.streams import StreamWriter, encode_record
from runwrap.store.summary import SummaryBuilder
from runwrap.store.values import MAX_DEPTH, NotPlain, TooDeep, plain_value, within_float

RESERVED = frozenset(("_step", "_time", "_runtime"))
_PLAIN = frozenset((float, int))
_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode
BLOCK_ROWS = 4096

_live: "weakref.WeakSet[History]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for history in list(_live):
        history._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def normalize(value: Any) -> Any:
    """A logged value as stored (store.values.plain_value); media objects stay for the run's
    MediaSink to store as files. Plain numbers and strings return at once: the log() path.
    Any other object raises NotPlain: wandb refuses it too, rather than store its repr."""
    t = type(value)
    if t is float or t is str or t is bool or value is None:
        return value
    if t is int:
        return within_float(value)
    if is_matplotlib(value):
        # log({"chart": plt}) or a Figure: wandb redraws it as a chart; here it is its image.
        from runwrap.sdk.media.image import Image  # start-up: loaded only on the path that needs it

        return Image(value)
    return plain_value(value, _is_media, strict=True)


def _is_media(value: Any) -> bool:
    return isinstance(value, Media)


def flatten(data: Mapping[Any, Any], prefix: str = "", out: Optional[Dict[str, Any]] = None,
            depth: int = 0) -> Dict[str, Any]:
    """Nested dicts become `outer/inner` keys (wandb's sections); past MAX_DEPTH, TooDeep."""
    if out is None:
        out = {}
    for key, value in data.items():
        name = prefix + (key if isinstance(key, str) else str(key))
        if isinstance(value, Mapping):
            if depth + 1 >= MAX_DEPTH:
                raise TooDeep(f"log key {name.split('/', 1)[0]!r}")
            flatten(value, name + "/", out, depth + 1)
            continue
        try:
            out[name] = normalize(value)
        except NotPlain as e:
            raise NotPlain(f"log key {name!r}: {e}") from None
        except TooDeep:
            raise TooDeep(f"log key {name.split('/', 1)[0]!r}") from None
    return out


def line_template(keys: Tuple[str, ...]) -> str:
    """A %-format string producing the same line as encode_record for these keys followed by
    the reserved keys; values are formatted with %r (float repr is JSON's float form)."""
    fields = [_dumps(k).replace("%", "%%") + ":%r" for k in keys]
    # Microseconds are plenty for the clock, and %.6f formats twice as fast as repr.
    return "{" + ",".join(fields + ['"_step":%d', '"_time":%.6f', '"_runtime":%.6f']) + "}\n"


class History:
    """The log() state of one run in one process."""

    def __init__(self, open_writer: Callable[[bool], StreamWriter], start_time: float,
                 step: int = 0, builder: Optional[SummaryBuilder] = None, source: str = "sdk",
                 warn: Optional[Callable[[str, str], None]] = None,
                 start_monotonic: Optional[float] = None):
        """`open_writer(forked)` opens this process's stream file (a forked child gets its own).
        `_runtime` is monotonic from `start_monotonic` (store/clock.py)."""
        self._open_writer = open_writer
        self._writer = open_writer(False)
        self._write = self._writer.write_bytes
        self.start_time = start_time
        self._mono0 = RunClock(start_time, start_monotonic).start_monotonic
        self.step = step
        self.builder = builder or SummaryBuilder()
        self.source = source
        self._warn = warn
        self._lock = threading.Lock()
        # Key tuples already checked (str, not reserved, plain values) -> their line template.
        self._templates: Dict[Tuple[str, ...], str] = {}
        self._bkeys: Optional[Tuple[str, ...]] = None
        self._btemplate: Optional[str] = None
        self._brows: List[tuple] = []
        self._bstep = 0
        self.first: Dict[str, Any] = {}
        self.closed = False
        self.dropped = 0  # log() calls whose line could not be written (disk full, ...)
        self.media: Optional[Any] = None  # the run's MediaSink (Image, Table, ... values)
        self._owner_pid = os.getpid()
        _live.add(self)

    # -- fork -------------------------------------------------------------------------------
    def _forked(self) -> None:
        # The parent's lock may have been held by another thread at fork time; never touch the
        # parent's file again (O_APPEND would interleave with it): open our own.
        self._lock = threading.Lock()
        if self.closed:
            return
        self._writer = self._open_writer(True)
        self._write = self._writer.write_bytes

    @property
    def in_owner_process(self) -> bool:
        return os.getpid() == self._owner_pid

    # -- logging ----------------------------------------------------------------------------
    def log(self, data: Any, step: Optional[int] = None, commit: Optional[bool] = None,
            sync: Optional[bool] = None) -> None:
        if type(data) is not dict:
            if not isinstance(data, Mapping):
                raise TypeError(f"run.log() takes a dict of metric names to values, "
                                f"got {type(data).__name__}")
        with self._lock:
            if self.closed:
                raise UsageError("run.log() called after run.finish(); start a new run with "
                                 "runwrap.init() first")
            if step is None and commit is None:
                keys = tuple(data)
                template = self._btemplate if keys == self._bkeys else self._templates.get(keys)
                if template is not None:
                    values = tuple(data.values())
                    try:  # a float sum: an int past float64 raises, NaN/Inf propagate
                        total = (sum(values, 0.0) if _PLAIN.issuperset(map(type, values))
                                 else math.nan)
                    except OverflowError:
                        total = math.nan
                    if total - total == 0:  # all finite float64 (others take the slow path)
                        s = self.step
                        now = time.time()
                        try:
                            self._write((template % (values + (s, now,
                                                               time.monotonic() - self._mono0))
                                         ).encode())
                        except OSError as e:
                            self._write_failed(e)
                        self.step = s + 1
                        if keys != self._bkeys or len(self._brows) >= BLOCK_ROWS:
                            self._fold()
                            self._bkeys = keys
                            self._btemplate = template
                        self._brows.append(values)
                        self._bstep = s
                        return
            self._log_slow(data, step, commit)

    def _log_slow(self, data: Mapping[str, Any], step: Any, commit: Optional[bool]) -> None:
        record = flatten(data)
        # Media values are checked before any step moves or file is written (bad input leaves
        # no trace); their files are written once the step is known.
        has_media = self.media is not None and self.media.check(record)
        for key in [k for k in record if k in RESERVED]:
            del record[key]
            self._warn_once("reserved", f"log key {key!r} is reserved by runwrap and was "
                                        f"dropped; rename it")
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, int):
                try:
                    step = int(normalize(step))
                except (TypeError, ValueError):
                    raise TypeError(f"step must be an int, got {step!r}") from None
            if step < 0:
                raise UsageError(f"step must be >= 0, got {step}")
        if step is not None and step < self.step:
            # wandb drops such data; we keep it (a reader sees a step out of order) and say so.
            self._warn_once("step_back", f"log step {step} is lower than the current step "
                                         f"{self.step}; recorded anyway at step {step}")
            at = step
        else:
            if step is not None:
                self.step = step
            at = self.step
            if commit or (step is None and commit is None):
                self.step = at + 1
        if not record:
            return
        if has_media:
            try:
                self.media.convert(record, at)
            except OSError as e:
                self._media_failed(e)
                return
        now = time.time()
        record["_step"] = at
        record["_time"] = now
        record["_runtime"] = time.monotonic() - self._mono0
        try:
            self._write(encode_record(record))
        except OSError as e:
            self._write_failed(e)
        self._fold()
        for key in record:
            if key not in self.first and key not in RESERVED:
                self.first[key] = record[key]
        self.builder.add(self.source, record)
        # Plain top-level keys with plain numbers may take the fast path from now on.
        keys = tuple(data)
        if (keys not in self._templates and len(keys) + 3 == len(record)
                and all(type(k) is str and type(record.get(k)) in _PLAIN for k in keys)):
            self._templates[keys] = line_template(keys)

    def runtime(self) -> float:
        """Seconds since the run started, on the monotonic clock."""
        return time.monotonic() - self._mono0

    def _fold(self) -> None:
        rows = self._brows
        if not rows:
            return
        keys = self._bkeys
        for key, value in zip(keys, rows[0]):
            if key not in self.first:
                self.first[key] = value
        self.builder.add_columns(self.source, keys, rows, self._bstep)
        self._brows = []

    def _write_failed(self, error: OSError) -> None:
        # Disk full, run directory gone...: recording failed, the program must not (DESIGN:
        # "the child is never slowed or killed because recording failed").
        self.dropped += 1
        self._warn_once("write", f"run.log() cannot write {self._writer.path}: "
                                 f"{error.strerror or error}; logged values are not recorded "
                                 f"while this lasts", error)

    def _media_failed(self, error: OSError) -> None:
        # Said for what failed (a media file), not the stream: the record is not written
        # either, so the step holds no reference to a file that is not there.
        self.dropped += 1
        where = f" {error.filename}" if error.filename else ""
        self._warn_once("media", f"run.log() cannot write the media file{where}: "
                                 f"{error.strerror or error}; that log() call is not recorded",
                        error)

    def _warn_once(self, kind: str, message: str, error: Optional[OSError] = None) -> None:
        if self._warn is not None:
            self._warn(kind, message, error)

    # -- reading and closing ------------------------------------------------------------------
    def stats(self) -> Dict[str, Dict[str, Any]]:
        """This run's statistics per metric so far (folds the open block)."""
        with self._lock:
            self._fold()
            return self.builder.stats.get(self.source, {})

    def write_records(self, records: List[Dict[str, Any]]) -> None:
        """Write records made elsewhere (a fork's copy of its parent's history) to this
        process's stream, as they are; the summary is the caller's to update."""
        with self._lock:
            self._writer.write_many(records)

    def add_external(self, source: str, records: List[Dict[str, Any]]) -> None:
        """Statistics of records another reader wrote (standalone TensorBoard import)."""
        with self._lock:
            self.builder.add_many(source, records)

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self._fold()
            self.closed = True
            self._writer.close()
