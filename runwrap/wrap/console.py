"""output.log: the console as a terminal finally shows it, and the final lines for the parsers.

The child's bytes are passed through untouched elsewhere; this module only records. Per stream
it decodes UTF-8 (invalid bytes become U+FFFD, so output.log is valid UTF-8) and runs a small
terminal model (`screen.py`: carriage returns, backspaces, cursor motion, erased lines, the
hidden cursor of live displays), then appends each line once it is final to output.log and
hands it to the parsers. Intermediate progress frames and erased lines therefore never reach
output.log or the scalar parsers, and neither do escape sequences or control characters (NUL
included).

Plain text, the common case, skips the model: a chunk of ASCII without '\\r', '\\b', ESC or
NUL, arriving while the model holds nothing but the line being written, goes to output.log as
the bytes it is.
"""
from __future__ import annotations

import codecs
import os
import re
import time
from typing import Callable, Dict, List, Optional

from runwrap.notices import warn_once
from runwrap.store.streams import PartialLine, append_whole
from runwrap.wrap.screen import FRAME, MAX_LINE, Screen

__all__ = ["ConsoleLog", "MAX_LINE"]

_CONTROLS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f]")
TextSink = Callable[[str, str, float], None]  # (stream, final lines joined by '\n', time)


class _StreamState:
    __slots__ = ("decoder", "screen")

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.screen = Screen()


class ConsoleLog:
    """Feeds the child's bytes per stream; appends final lines to output.log (fd) and hands them
    to `sink` as one block of text per chunk ('\n'-separated complete lines, no trailing
    newline; a line starting with FRAME, NUL, is a progress frame the terminal drew over,
    for the parsers only), so the console path costs a few C-level passes per chunk, not work
    per line.
    A write failure (disk full) is reported once through `on_error` and the lines are skipped,
    never half-written; when writing works again (space came back) a line in brackets says how
    many lines are missing there, and recording goes on. Lines always go to the sink."""

    def __init__(self, path: Optional[str], sink: Optional[TextSink] = None,
                 on_error: Optional[Callable[[OSError], None]] = None):
        self.fd: Optional[int] = None
        if path is not None:
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.sink = sink
        self.on_error = on_error
        self.lost_lines = 0  # lines skipped since the last append that worked
        self._gap: Optional[OSError] = None  # why they were skipped
        self._torn = False  # a failed append left a partial line it could not cut off
        self.streams: Dict[str, _StreamState] = {}

    def feed(self, stream: str, data: bytes) -> None:
        state = self.streams.get(stream)
        if state is None:
            state = self.streams[stream] = _StreamState()
        screen = state.screen
        pending = screen.rows[0]
        if b"\r" in data and b"\r\n" in data:
            # A terminal's line ends (the pty's ONLCR): '\r' before '\n' moves nothing a
            # terminal shows, so the text is the same without it.
            data = data.replace(b"\r\n", b"\n")
        if (data.isascii() and b"\r" not in data and b"\x1b" not in data
                and b"\x08" not in data and b"\x00" not in data and screen.simple()
                and not state.decoder.getstate()[0]):
            # Plain text, the common case: no decoding, rendering or splitting into lines.
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) + len(pending) <= MAX_LINE:
                    screen.rows[0] = pending + data.decode("ascii")
                    screen.col = len(screen.rows[0])
                    return
            elif len(data) - cut <= MAX_LINE:
                rest = screen.rows[0] = data[cut + 1:].decode("ascii")
                screen.col = len(rest)
                if self.sink is not None:
                    head = data[:cut].decode("ascii")
                    self.sink(stream, pending + head if pending else head, time.time())
                # The bytes are already what output.log holds: write them as they are.
                self._write([pending.encode("utf-8"), memoryview(data)[:cut + 1]]
                            if pending else [memoryview(data)[:cut + 1]])
                return
        text = state.decoder.decode(data)
        if not text:
            return
        if ("\r" not in text and "\x1b" not in text and "\x08" not in text
                and "\x00" not in text and screen.simple()):
            # Text beyond ASCII, no drawing: its complete lines are final as they are.
            cut = text.rfind("\n")
            if cut >= 0 and len(text) - cut <= MAX_LINE:
                rest = screen.rows[0] = text[cut + 1:]
                screen.col = len(rest)
                self._emit(stream, [pending + text[:cut]] if pending else [text[:cut]])
                return
        screen.want_frames = self.sink is not None
        self._emit(stream, self._through_model(state, text))

    @staticmethod
    def _through_model(state: _StreamState, text: str, last: bool = False) -> List[str]:
        """The lines `text` makes final (all that are left when `last`). A bug in the model
        must not stop the run: the text is then kept as plain lines, with one warning."""
        try:
            lines = state.screen.feed(text) if text else []
            return lines + state.screen.close() if last else lines
        except Exception as e:
            warn_once("console-model", f"console model: {type(e).__name__}: {e}; this part "
                                       "of the console is recorded as plain lines")
            state.screen = Screen()
            plain = _CONTROLS.sub("", text)
            return (plain[:-1] if plain.endswith("\n") else plain).split("\n") if plain else []

    def _emit(self, stream: str, lines: List[str]) -> None:
        if not lines:
            return
        block = "\n".join(lines)
        if self.sink is not None:
            self.sink(stream, block, time.time())
        if FRAME in block:  # frames are for the parsers only
            lines = [line for line in lines if line[:1] != FRAME]
            if not lines:
                return
            block = "\n".join(lines)
        self._write([(block + "\n").encode("utf-8", "replace")])

    def _write(self, parts: list) -> None:
        if self.fd is None:
            return
        block = parts[0] if len(parts) == 1 else b"".join(parts)
        try:
            append_whole(self.fd, self._gap_line() + block if self._gap or self._torn else block)
        except OSError as e:
            self._torn = self._torn or isinstance(e, PartialLine)
            self.lost_lines += bytes(block).count(b"\n")
            if self._gap is None and self.on_error:
                self.on_error(e)
            self._gap = e
            return
        self._gap, self._torn, self.lost_lines = None, False, 0

    def _gap_line(self) -> bytes:
        """What output.log says where lines are missing (written with the next lines)."""
        head = b"\n" if self._torn else b""
        if self._gap is None:
            return head
        why = self._gap.strerror or type(self._gap).__name__
        return head + f"[runwrap: {self.lost_lines} lines not recorded here: {why}]\n".encode()

    def close(self) -> None:
        """Emit every line still held (a last line without '\\n' is still a line) and close."""
        for stream, state in self.streams.items():
            rest = state.decoder.decode(b"", final=True)
            self._emit(stream, self._through_model(state, rest, last=True))
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
