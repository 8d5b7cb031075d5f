"""Scalars printed on the console: each final console line the wrapper sees, from stdout and
stderr alike, goes through the scalar parser (`scalars.py`), and a line with values becomes
one record of `streams/stdout.jsonl`: `_time` (when the wrapper read the line), `_runtime`,
`_step` where the line has a step key, then the values in the order printed.

`feed_text` runs on the wrapper's console path, so it only parses and appends to a list; the
records are encoded and written in batches: by the caller once 256 are waiting or 0.2 s have
passed since the last write, and by a small flusher thread every 0.25 s otherwise, so a record
is on disk well within one second of its line. `stop()` writes whatever is left.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Union

from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.store.streams import StreamWriter, encode_record, stream_path

SOURCE = "stdout"
FLUSH_COUNT = 256  # records waiting before the caller writes them itself
FLUSH_AGE = 0.2  # seconds since the last write before the caller writes pending records
FLUSH_TICK = 0.25  # seconds between the flusher thread's looks at pending records
SMALL_BLOCK = 8192

if TYPE_CHECKING:
    from runwrap.collectors.console.scalars import ScalarParser, StreamRecords


def _may_hold_scalars(text: str, may_hold_bare_pairs: Callable[[str], bool]) -> bool:
    """False when the default grammar cannot find a value in `text`. ':', '=' and '|' (a
    bar's or a boxed table's) are found at memchr speed; a step or metric word before a
    number (`epoch 3 loss 0.41` has no separator) costs one regex scan; a table header's
    double blanks are looked for in small blocks only (the console of a training script,
    not a flood). A banner (`***** Eval results *****`, `--- Test ---`) may head a block
    of rows or name a phase."""
    if ":" in text or "=" in text or "|" in text:
        return True
    if "***" in text or "---" in text or "###" in text or "~~~" in text:
        return True
    if " set" in text or " data" in text or " split" in text:
        return True  # `Checking accuracy on the val set` names the next line's phase
    return (len(text) <= SMALL_BLOCK and "  " in text) or may_hold_bare_pairs(text)


class StdoutScalars(Collector):
    """Records the scalars of console lines. Never raises into the console path."""

    what = "the program's console"  # in the warning past MAX_KEYS names

    def __init__(self, ctx: CollectorContext, patterns: "Union[ScalarParser, Sequence[str]]"):
        """`patterns` is a parser, or the `--scalars` patterns (none: the default grammar),
        already validated, compiled at the first console text: the grammar's import (its
        regular expressions) then overlaps the program's start instead of delaying it, and a
        program that prints nothing never pays it."""
        super().__init__(ctx)
        self._parser = patterns
        self._parse: Optional[Callable] = None
        self._bare_pairs: Callable[[str], bool] = bool
        self._streams: Dict[str, "StreamRecords"] = {}
        # user patterns may match anything
        self._prefilter = not (patterns.patterns if hasattr(patterns, "patterns") else patterns)
        self._clock = ctx.clock
        self._pending: List[Dict[str, Any]] = []
        self._lock = threading.Lock()  # guards _pending and keeps batches in order on disk
        self._writer: Optional[StreamWriter] = None
        self._last_write = time.monotonic()
        self._runtime = 0.0  # the last record's: lines read together may differ by a rounding
        self._wake = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._closed = False
        self.records = 0  # records written so far

    def start(self) -> None:
        self._ensure_flusher()

    def feed_text(self, stream: str, text: str, t: float) -> None:
        """Parse a block of final console lines ('\n'-separated); the wrapper calls this once
        per chunk it reads. Most console output holds no metric: with the default grammar a
        block without a separator or a step word is skipped after a few C-level searches."""
        if self._parse is None:
            self._load()
        if (self._prefilter and not _may_hold_scalars(text, self._bare_pairs)
                and not self._table_open(stream)):
            return
        for line in text.split("\n"):
            self.feed_line(stream, line, t)

    def _load(self) -> None:
        # start-up: the grammar, loaded at the first console text (see __init__)
        from runwrap.collectors.console.lines import may_hold_bare_pairs
        from runwrap.collectors.console.scalars import compile_patterns

        parser = self._parser
        if not hasattr(parser, "parse"):
            parser = self._parser = compile_patterns(list(parser))
        self._bare_pairs = may_hold_bare_pairs
        self._parse = parser.parse

    def _table_open(self, stream: str) -> bool:
        records = self._streams.get(stream)
        return records is not None and records.table_open

    def feed_line(self, stream: str, line: str, t: float) -> None:
        """Parse one final console line (`stream` is "stdout" or "stderr", `t` unix time); a
        line starting with FRAME is a progress frame the terminal drew over."""
        try:
            records = self._streams.get(stream)
            if records is None:
                # start-up: loaded with the grammar (_load)
                from runwrap.collectors.console.scalars import StreamRecords

                if self._parse is None:
                    self._load()
                records = self._streams[stream] = StreamRecords(self._parse, self._prefilter)
            for values, step in records.feed(line):
                self._append(values, step, t)
        except Exception as e:  # the console path must never see a collector's failure
            self.count("error")
            warn_once("stdout.error", f"stdout scalars: {type(e).__name__}: {e}; skipping")

    def _append(self, values: Dict[str, Any], step: Optional[int], t: float) -> None:
        if self._closed or not self.admit(values):
            return
        runtime = round(self._clock.runtime_at(t), 6)
        record: Dict[str, Any] = {"_time": t, "_runtime": runtime}
        if step is not None:
            record["_step"] = step
        record.update(values)
        with self._lock:
            # Lines read in one chunk share `t`; runtime_at() then differs by the microsecond
            # the wall and monotonic clocks drift apart between calls: never backwards.
            if runtime < self._runtime:
                record["_runtime"] = self._runtime
            self._runtime = record["_runtime"]
            self._pending.append(record)
            if (len(self._pending) >= FLUSH_COUNT
                    or time.monotonic() - self._last_write >= FLUSH_AGE):
                self._flush_locked()
        if self._thread is None:
            self._ensure_flusher()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        self._last_write = time.monotonic()
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            if self._writer is None:
                self._writer = StreamWriter(stream_path(self.context.run_dir, SOURCE, self.context.part))
            self._writer.write_bytes(b"".join(encode_record(r) for r in batch))
            self.records += len(batch)
        except OSError as e:
            self.count("write_error", len(batch))
            warn_once("stdout.write", f"cannot write stdout scalars ({e}); dropping them", e)

    def _ensure_flusher(self) -> None:
        with self._lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._flusher, name="runwrap-stdout-scalars",
                                            daemon=True)
        self._thread.start()

    def _flusher(self) -> None:
        while not self._wake.wait(FLUSH_TICK):
            try:
                if self._pending:
                    self.flush()
            except Exception:  # keep flushing whatever happens to one batch
                self.count("error")

    def stop(self) -> None:
        """Write every pending record and close the stream; idempotent."""
        t = time.time()
        for records in list(self._streams.values()):
            for values, step in records.finish():  # a block of rows still held back
                self._append(values, step, t)
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            try:
                thread.join(timeout=5)
            except RuntimeError:  # another thread is still starting it: it ends on _wake
                pass
        with self._lock:
            self._closed = True
            self._flush_locked()
            if self._writer is not None:
                try:
                    self._writer.close()
                except OSError:
                    pass
                self._writer = None
