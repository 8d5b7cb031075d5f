"""output.log: the console as a terminal finally shows it, and the final lines for the parsers.

The child's bytes are passed through untouched elsewhere; this module only records. Per stream
it keeps the line being written, applies carriage returns the way a terminal does (text after a
'\\r' overwrites the line from its first column; an erase-line sequence clears the rest), drops
ANSI escape sequences, decodes UTF-8 with replacement, and emits each line once it is final
(at '\\n'). Intermediate progress frames therefore never reach output.log or the scalar parsers.
Memory is bounded: a line longer than MAX_LINE is emitted in pieces.
"""
from __future__ import annotations

import codecs
import os
import re
import time
from typing import Callable, Dict, Optional

MAX_LINE = 1 << 20
COLLAPSE_AT = 1 << 14

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte escapes (ESC x).
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_ERASE_LINE = re.compile(r"\x1b\[[012]?K")

TextSink = Callable[[str, str, float], None]  # (stream, final lines joined by '\n', time)


def _overwrite(line: str, segment: str) -> str:
    """`line` after the terminal wrote `segment` from column 0 over it."""
    if _ERASE_LINE.search(segment):
        return _ANSI.sub("", segment)
    segment = _ANSI.sub("", segment)
    return segment + line[len(segment):]


class _StreamState:
    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""  # the unfinished line, raw (may hold '\r' and escapes)


class ConsoleLog:
    """Feeds the child's bytes per stream; appends final lines to output.log (fd) and hands them
    to `sink` as one block of text per chunk ('\n'-separated complete lines, no trailing
    newline), so the console path costs a few C-level passes per chunk, not work per line.
    A write failure (disk full) is reported once through `on_error`; recording of the log then
    stops while lines still go to the sink."""

    def __init__(self, path: Optional[str], sink: Optional[TextSink] = None,
                 on_error: Optional[Callable[[OSError], None]] = None):
        self.fd: Optional[int] = None
        if path is not None:
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.sink = sink
        self.on_error = on_error
        self.streams: Dict[str, _StreamState] = {}

    def feed(self, stream: str, data: bytes) -> None:
        state = self.streams.get(stream)
        if state is None:
            state = self.streams[stream] = _StreamState()
        if (data.isascii() and b"\r" not in data and b"\x1b" not in data
                and not state.decoder.getstate()[0]):
            # Plain text, the common case: no decoding, splitting or rendering needed.
            cut = data.rfind(b"\n")
            if cut >= 0 and "\r" not in state.pending and "\x1b" not in state.pending:
                pending = state.pending
                state.pending = data[cut + 1:].decode("ascii")
                if self.sink is not None:
                    head = data[:cut].decode("ascii")
                    self.sink(stream, pending + head if pending else head, time.time())
                # The bytes are already what output.log holds: write them as they are.
                self._write([pending.encode("ascii"), memoryview(data)[:cut + 1]]
                            if pending else [memoryview(data)[:cut + 1]])
                return
        text = state.decoder.decode(data)
        if not text:
            return
        parts = text.split("\n")
        if len(parts) == 1:
            state.pending += text
            if len(state.pending) > COLLAPSE_AT and "\r" in text:
                # A progress bar redrawn for hours never sends '\n': fold its old frames now.
                done, _, current = state.pending.rpartition("\r")
                state.pending = self._render(done) + "\r" + current
            if len(state.pending) > MAX_LINE:
                self._emit_block(stream, self._render(state.pending))
                state.pending = ""
            return
        first = state.pending + parts[0]
        state.pending = parts.pop()
        lines = [first] + parts[1:]
        if "\r" in text or "\x1b" in text:
            lines = [self._render(line) for line in lines]
        else:  # only the first line can hold what earlier chunks brought
            lines[0] = self._render(first)
        self._emit_block(stream, "\n".join(lines))

    @staticmethod
    def _render(raw: str) -> str:
        if "\r" not in raw:
            return _ANSI.sub("", raw) if "\x1b" in raw else raw
        segments = raw.split("\r")
        line = _ANSI.sub("", segments[0])
        for segment in segments[1:]:
            line = _overwrite(line, segment)
        return line

    def _emit_block(self, stream: str, block: str) -> None:
        if self.sink is not None:
            self.sink(stream, block, time.time())
        self._write([(block + "\n").encode("utf-8", "replace")])

    def _write(self, parts: list) -> None:
        if self.fd is None:
            return
        try:
            size = sum(len(p) for p in parts)
            written = os.writev(self.fd, parts)
            if written != size:  # short write to a regular file: the disk is full
                joined = b"".join(bytes(p) for p in parts)[written:]
                while joined:
                    joined = joined[os.write(self.fd, joined):]
        except OSError as e:
            os.close(self.fd)
            self.fd = None
            if self.on_error:
                self.on_error(e)

    def close(self) -> None:
        """Emit every unfinished line (a last line without '\\n' is still a line) and close."""
        for stream, state in self.streams.items():
            rest = state.pending + state.decoder.decode(b"", final=True)
            state.pending = ""
            if rest:
                self._emit_block(stream, self._render(rest))
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
