"""A small terminal model: the lines a terminal finally shows for one output stream.

Training programs draw on the terminal: tqdm redraws a bar after '\\r' and moves between nested
bars with '\\n' and cursor-up; Keras backs over its bar with '\\b' before each frame; rich's live
displays erase their previous frame (cursor-up, erase-line) and hide the cursor while they run;
click hides the cursor around its bar. `Screen` applies what these programs send, so what comes
out is the text a person would read on the screen afterwards:

    text            written at the cursor, over what is there (a row grows as needed)
    \\n              next row (the row is not cleared);  \\r  column 0;  \\b  one column left
    ESC[nA / ESC[nF  n rows up (F: and column 0);  ESC[nB / ESC[nE  n rows down (E: column 0)
    ESC[nC / ESC[nD  n columns right / left;  ESC[nG  column n;  ESC[r;cH / ESC[r;cf  column c
    ESC[K ESC[1K ESC[2K   erase to the end / from the start / the whole row
    ESC[J ESC[1J ESC[2J   erase to the end / from the start / all of the rows still held
    ESC 7, ESC 8, ESC[s, ESC[u   save and restore the cursor;  ESC M  one row up
    ESC[?25l / ESC[?25h   hide / show the cursor
    anything else    colours (SGR), other CSI, OSC titles and links, charset selection, and
                     control characters other than tab (NUL and BEL included) leave no trace

A row is *final*, and leaves the model, once no program could still reach it: it is more rows
above the cursor than the farthest cursor-up this stream has made (so plain output, which never
moves up, is final at its '\\n'); a row that was redrawn in place (a progress bar) waits for one
more row, because nested bars step down with '\\n' before their first cursor-up, or until the
row below is drawn over in place (then it is no nested bar's first frame); while the
cursor is hidden (a live display is running) no row within a screen's height (HOLD) of the
cursor is final, so lines printed above a live display reach output.log and the parsers when
it ends, or a screen later. A row that was erased, or redrawn down to blanks, is dropped: it is
gone from the screen. Redrawn rows lose trailing blanks (bars pad a shorter frame with
spaces). Cursor motion above the oldest row still held stops there.

The parsers get rows and frames in the order their text was drawn: a frame drawn over in place
while a held row shows older text (an outer bar, a line tqdm.write put above the bars) waits
until that text leaves as a frame or a final row, so records keep the order the terminal showed
them (a final line before the next bar's frames, not after). While the cursor is hidden (a
live display) frames go at once; at most MAX_WAITING frames wait (then the oldest go).

Bounded on bad input: at most HOLD rows are held (older ones are made final), a row longer than
MAX_LINE is cut into pieces, an escape sequence split across reads is kept only up to
MAX_ESCAPE characters, and runs of '\\b', '\\n' or '\\r' cost one step each.

Over 400 lines because the model is one state (rows, cursor, the escape parser, the frames
waiting their turn) that each sequence above changes; split, every part would reach into it.
"""
from __future__ import annotations

import re
from bisect import insort
from typing import List, Optional, Tuple

MAX_LINE = 1 << 20
# Rows held at most: no cursor motion reaches above the top of a terminal's screen, so a row
# this far above the cursor is final (a live display taller than this is not followed).
HOLD = 48
MAX_ESCAPE = 4096  # an unterminated escape sequence longer than this is dropped
MAX_FRAMES = 256  # frames reported per read at most
MAX_WAITING = 1024  # frames held back behind an older row at most (then the oldest go)
FRAME = "\x00"  # marks a frame among final rows: no final row holds a control character

# One token per match. Tab is text; the other C0 controls and DEL are dropped.
_TOKEN = re.compile(
    r"([^\x00-\x08\x0a-\x1f\x7f]+)"  # 1 text
    r"|(\n+)"  # 2 line feeds
    r"|(\r+)"  # 3 carriage returns
    r"|(\x08+)"  # 4 backspaces
    r"|\x1b\[([0-?]*)[ -/]*([@-~])"  # 5 parameters, 6 final byte of a CSI sequence
    r"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, DCS, PM, APC strings: no trace
    r"|\x1b([()*+\-./][ -~]|[ -/]*[0-OQ-WYZ\\`-~])"  # 7 other escapes (charset, ESC 7, ESC M)
    r"|(\x1b)"  # 8 an escape not (yet) complete
    r"|[\x00-\x08\x0b-\x1f\x7f]+")  # other control characters: dropped
_COLOURS = re.compile(r"\x1b\[[0-9;:]*m")
# An escape that may still complete with the next read.
_ESCAPE_PREFIX = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|[\]P^_X][^\x07\x1b]*\x1b?|[ -/]*)\Z")


def _count(params: str) -> int:
    """The count of a cursor motion: its first parameter, 1 when absent or 0."""
    head = params.split(";", 1)[0]
    return int(head) if head.isdigit() and int(head) > 0 else 1


class Screen:
    """One stream's screen. `feed(text)` returns the rows that became final, oldest first;
    `close()` returns the rest. Rows are plain strings without control characters."""

    __slots__ = ("rows", "redrawn", "erased", "row", "col", "reach", "hidden", "saved",
                 "after_cr", "carry", "want_frames", "out", "frames", "erased_rows", "stamps",
                 "clock", "waiting")

    def __init__(self) -> None:
        self.rows: List[str] = [""]  # held rows; rows[0] is the oldest not yet final
        self.redrawn: List[bool] = [False]  # the row was drawn over in place
        self.erased: List[bool] = [False]  # the row's content was erased
        self.row = 0  # the cursor, as an index into rows
        self.col = 0
        self.reach = 0  # the farthest cursor-up seen: rows this close to the cursor are held
        self.hidden = False
        self.saved: Tuple[int, int] = (0, 0)
        self.after_cr = False  # text written now redraws the row
        self.carry = ""  # an escape sequence cut by the end of the last read
        self.want_frames = False  # report rows drawn over (see feed)
        self.out: List[str] = []  # what the current feed returns
        self.frames = 0  # frames reported by the current feed
        self.erased_rows: List[Tuple[int, str]] = []  # (row, text) erased since the last text
        self.stamps: List[int] = [0]  # per row: when its text was last written (self.clock)
        self.clock = 0
        self.waiting: List[Tuple[int, str]] = []  # (stamp, frame) behind an older held row,
        # oldest first

    def simple(self) -> bool:
        """True when the next plain text (no control characters but '\\n') can be appended by
        the caller itself: one row held, the cursor at its end, nothing to wait for."""
        return (len(self.rows) == 1 and self.col == len(self.rows[0]) and not self.reach
                and not self.hidden and not self.carry and not self.redrawn[0]
                and not self.waiting)

    def feed(self, text: str) -> List[str]:
        """The rows that became final, in order; with `want_frames`, also the content of each
        row drawn over from its start (a progress bar's frame) or erased, as FRAME + text, in
        its place among them (at most MAX_FRAMES a call)."""
        self.out = out = []
        self.frames = 0
        if self.carry:
            text = self.carry + text
            self.carry = ""
        if "\x1b[" in text:  # colours, the most common escapes, go in one pass
            text = _COLOURS.sub("", text)
        for m in _TOKEN.finditer(text):
            kind = m.lastindex or 0  # 0: a sequence or control that leaves no trace
            if self.erased_rows and kind <= 2:
                self._erased_frame()
            if kind == 1:
                self._write(m.group(1))
            elif kind == 2:
                self._down(len(m.group(2)))
                self.col = 0
            elif kind == 3:
                self.col = 0
                self.after_cr = True
            elif kind == 4:
                self.col = max(0, self.col - len(m.group(4)))
            elif kind == 6:
                self._csi(m.group(5), m.group(6))
            elif kind == 7:
                self._escape(m.group(7))
            elif kind == 8:
                start = m.start()
                if len(text) - start <= MAX_ESCAPE and _ESCAPE_PREFIX.match(text, start):
                    self.carry = text[start:]
                    break
        if self.erased_rows:
            self._erased_frame()
        out += self._finals()
        self.out = []
        return out

    def close(self) -> List[str]:
        """Every row still held, but erased rows and blank rows after the last line."""
        out: List[str] = []
        if self.carry:  # never completed: what followed the escape is text after all
            out = self.feed(self.carry[1:]) if len(self.carry) > 1 else []
            self.carry = ""
        out += self._take(len(self.rows))
        tail = 0  # frames released after the last rows stay after them
        while tail < len(out) and out[len(out) - 1 - tail][:1] == FRAME:
            tail += 1
        frames = out[len(out) - tail:] + [frame for _, frame in self.waiting]
        del out[len(out) - tail:]
        while out and not out[-1]:
            out.pop()
        out += frames
        self.waiting = []
        self.rows, self.redrawn, self.erased, self.stamps = [""], [False], [False], [0]
        self.row = self.col = 0
        return out

    # -- drawing ---------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        r, col = self.row, self.col
        line = self.rows[r]
        n = len(line)
        if self.after_cr and n and not col and self.want_frames:
            self._frame(line, True)
            r = self.row
        if col == n:
            self.rows[r] = ""  # the only reference left lets `+=` grow the string in place
            line += text
        elif col > n:
            line += " " * (col - n) + text
        else:
            line = line[:col] + text + line[col + len(text):]
            self.redrawn[r] = True
        if self.after_cr:
            self.redrawn[r] = True
            self.after_cr = False
        self.erased[r] = False
        older = self.stamps[r]
        self.clock += 1
        self.stamps[r] = self.clock
        self.col = col + len(text)
        self.rows[r] = line
        if len(line) > MAX_LINE and r == len(self.rows) - 1:
            # A line without end: hand its head over as a line of its own.
            self.rows[r] = line[:MAX_LINE]
            self.rows.append(line[MAX_LINE:])
            self.redrawn.append(self.redrawn[r])
            self.erased.append(False)
            self.stamps.append(self.clock)
            self.row = r + 1
            self.col = max(0, self.col - MAX_LINE)
        if self.waiting and older < self.waiting[0][0]:  # its text may have held them back
            self.out += self._release()

    def _down(self, n: int) -> None:
        self.after_cr = False
        target = self.row + n
        missing = target - (len(self.rows) - 1)
        if missing > 0:
            self.rows.extend([""] * missing)
            self.redrawn.extend([False] * missing)
            self.erased.extend([False] * missing)
            self.stamps.extend([0] * missing)
        self.row = target

    def _up(self, n: int) -> None:
        self.after_cr = False
        if n > self.reach:
            self.reach = min(n, HOLD)
        self.row = max(0, self.row - n)

    def _frame(self, line: str, in_order: bool = False) -> None:
        line = line.rstrip(" ")
        if line and self.frames < MAX_FRAMES:
            self.frames += 1
            if in_order:  # rows final before this frame come first (moves self.row)
                self.out += self._finals(drawn_below=True)
                stamp = self.stamps[self.row]
                if (len(self.rows) > 1 and not self.hidden
                        and self._oldest_held(self.row) < stamp):
                    # A row still held shows older text (a line printed above the bars, an
                    # outer bar): that text reaches the parsers first, then this frame.
                    insort(self.waiting, (stamp, FRAME + line))
                    if len(self.waiting) > MAX_WAITING:
                        self.out.append(self.waiting.pop(0)[1])
                    return
            self.out.append(FRAME + line)

    def _oldest_held(self, skip: int = -1) -> float:
        """The stamp of the oldest text a held row shows (but row `skip`); inf when none."""
        oldest = float("inf")
        erased = self.erased
        for r, stamp in enumerate(self.stamps):
            if stamp < oldest and r != skip and not erased[r]:
                line = self.rows[r]
                if line and not line.isspace():
                    oldest = stamp
        return oldest

    def _release(self, before: Optional[float] = None) -> List[str]:
        """The frames held back that no held row's text is older than any more (or than
        `before`), oldest first."""
        limit = self._oldest_held() if before is None else before
        waiting = self.waiting
        n = 0
        while n < len(waiting) and waiting[n][0] < limit:
            n += 1
        ready = [frame for _, frame in waiting[:n]]
        del waiting[:n]
        return ready

    def _erased_frame(self) -> None:
        """The rows a live display erased before drawing again (rich erases its rows from
        the bottom up) are one frame: their texts top to bottom, two blanks apart."""
        rows = sorted(self.erased_rows)
        self.erased_rows = []
        self._frame("  ".join(text.strip() for _, text in rows))

    def _erase_row(self, r: int, start: int, end: Optional[int]) -> None:
        line = self.rows[r]
        if self.want_frames and line.strip() and (start == 0 or r != self.row):
            self.erased_rows.append((r, line))
        if end is None:
            line = line[:start]
        else:
            line = " " * min(end, len(line)) + line[end:]
        if line != self.rows[r] or not line.strip():
            self.redrawn[r] = True
            if not line.strip():
                self.erased[r] = True
        self.rows[r] = line
        if self.waiting and self.erased[r]:  # its older text no longer holds frames back
            self.out += self._release()

    def _csi(self, params: str, final: str) -> None:
        if final == "m":  # colours: the most common sequence by far
            return
        if final in "AF":
            self._up(_count(params))
            if final == "F":
                self.col = 0
        elif final in "BE":
            self._down(_count(params))
            if final == "E":
                self.col = 0
        elif final == "K":
            mode = params or "0"
            if mode == "0":
                self._erase_row(self.row, self.col, None)
            elif mode == "1":
                self._erase_row(self.row, 0, self.col + 1)
            elif mode == "2":
                self._erase_row(self.row, 0, None)
        elif final == "J":
            mode = params or "0"
            if mode == "0":
                self._erase_row(self.row, self.col, None)
                rows = range(self.row + 1, len(self.rows))
            elif mode == "1":
                self._erase_row(self.row, 0, self.col + 1)
                rows = range(0, self.row)
            else:
                rows = range(len(self.rows))
            for r in rows:
                self._erase_row(r, 0, None)
        elif final == "C":
            self.col += _count(params)
        elif final == "D":
            self.col = max(0, self.col - _count(params))
        elif final == "G":
            self.col = _count(params) - 1
        elif final in "Hf":
            parts = params.split(";")
            self.col = _count(parts[1]) - 1 if len(parts) > 1 else 0
        elif final in "hl" and params == "?25":
            self.hidden = final == "l"
        elif final == "s":
            self.saved = (self.row, self.col)
        elif final == "u":
            self._restore()

    def _escape(self, seq: str) -> None:
        if seq == "7":
            self.saved = (self.row, self.col)
        elif seq == "8":
            self._restore()
        elif seq == "M":
            self._up(1)
        elif seq == "E":
            self._down(1)
            self.col = 0

    def _restore(self) -> None:
        row, col = self.saved
        if row < self.row:
            self._up(self.row - row)
        self.row, self.col = min(row, len(self.rows) - 1), col

    # -- final rows ------------------------------------------------------------------------

    def _finals(self, drawn_below: bool = False) -> List[str]:
        """The rows no program can reach any more. `drawn_below`: the cursor's row is being
        drawn over in place, so a bar above it waits no longer for a nested bar's first
        cursor-up (a nested bar steps up right after its first frame, before any redraw)."""
        if self.hidden:
            if len(self.rows) <= HOLD:
                return []
            return self._take(len(self.rows) - HOLD)
        reach, redrawn = self.reach, self.redrawn
        n = 0
        limit = min(self.row, len(self.rows))
        while n < limit:
            distance = self.row - n
            if distance <= reach or (redrawn[n] and distance <= 1 and not drawn_below):
                break
            n += 1
        if len(self.rows) - n > HOLD:
            n = len(self.rows) - HOLD
        return self._take(n) if n else []

    def _take(self, n: int) -> List[str]:
        """Removes the oldest `n` rows and returns those a terminal still shows, each after
        the frames held back that were drawn before it."""
        out = []
        held = self.waiting
        for line, redrawn, erased, stamp in zip(self.rows[:n], self.redrawn[:n],
                                                self.erased[:n], self.stamps[:n]):
            if redrawn:
                line = line.rstrip(" ")
                if not line:
                    continue
            elif erased:
                continue
            if held:
                out += self._release(before=stamp)
            out.append(line)
        del self.rows[:n], self.redrawn[:n], self.erased[:n], self.stamps[:n]
        if not self.rows:
            self.rows, self.redrawn, self.erased, self.stamps = [""], [False], [False], [0]
        if held:
            out += self._release()
        self.row = max(0, self.row - n)
        r, c = self.saved
        self.saved = (max(0, r - n), c)
        return out
