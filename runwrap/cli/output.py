"""What runwrap's own commands write to the terminal.

Stored text comes from programs and users runwrap does not control: a run name or metric key
may hold an escape sequence (`\\x1b]0;...`, `\\x1b[2J`) that a terminal would act on, and a
console whose encoding is ASCII or Latin-1 cannot show every name. `install()` puts one guard
on sys.stdout and sys.stderr for every command, so no command has to remember either:

- control characters other than tab and newline (C0, DEL, C1) are written as `\\u001b`, which
  reads plainly on a terminal and keeps JSON output valid JSON that decodes to the same text;
- a character the console's encoding lacks becomes a replacement character instead of a
  UnicodeEncodeError half way through a listing.

The escape sequences runwrap itself means (colours, a progress line redrawn with `\\r`) go
through `echo_styled`, after the stored text inside them went through `printable`.
"""
from __future__ import annotations

import sys
from typing import Any, Dict, Optional, TextIO

_ESCAPES: Dict[int, str] = {c: f"\\u{c:04x}" for c in
                            [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)]}


def printable(text: str) -> str:
    """`text` with every control character but tab and newline written out as `\\u00XX`."""
    return text.translate(_ESCAPES)


class GuardedText:
    """A text stream over another that escapes control characters and never fails to encode.

    It has no `buffer`, so that click writes through it rather than around it when the
    console's encoding is ASCII (click then hands it bytes, as shell completion does: they are
    decoded and guarded like text); and closing it only flushes (the interpreter still owns the
    stream under it)."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return "replace"

    def write(self, text: Any) -> int:
        if isinstance(text, (bytes, bytearray)):
            # click asks whether a stream takes bytes by writing b"": answering no keeps its
            # text on this path. The bytes it writes later (shell completion) are decoded and
            # guarded like text.
            if not text:
                raise TypeError("a text stream: write str")
            text = bytes(text).decode("utf-8", "replace")
        elif not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._stream.write(text.translate(_ESCAPES))
        return len(text)

    def write_styled(self, text: str) -> int:
        """Write runwrap's own escape sequences as they are."""
        return self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def close(self) -> None:
        self.flush()

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)  # flush, isatty, fileno, closed, name...


def install() -> None:
    """Guard sys.stdout and sys.stderr (a closed one, None, stays None)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, GuardedText):
            setattr(sys, name, GuardedText(stream))


def echo_styled(text: str, err: bool = False, nl: bool = True) -> None:
    """Write `text`, escape sequences and all: only for sequences runwrap itself composed,
    around stored text that went through `printable`."""
    stream: Optional[Any] = sys.stderr if err else sys.stdout
    if stream is None:
        return
    text = text + "\n" if nl else text
    if isinstance(stream, GuardedText):
        stream.write_styled(text)
    else:
        stream.write(text)
    stream.flush()
