"""The text a logger or a launcher writes before a message: `INFO:__main__:`, `INFO root:15`,
`2024-01-01 12:00:00,123 - INFO - train.py:42 - `, absl's and glog's `I1207 10:00:00.123
train.py:55] `, torchrun's `[rank0]:`, loguru's `… | INFO     | __main__:train:42 - `. It
says when and where a line was written, never what was measured: the grammar reads the
message after it, and the prefix gives nothing (no `root` key from `root:15`, no phase from a
file called `train.py`).

A prefix is a run of items at the start of a line, each with the separator after it:

- a launcher's tag of the process: `[rank0]:`, `[default3]:`, `[1,0]<stdout>:`;
- glog's and absl's header: a level letter, `MMDD hh:mm:ss.us`, a thread id, `file:line]`;
- a date and time, or a time of day (`2024-01-01 12:00:00,123`, `12/07 05:34:46`, `10:00:00`);
- a level (`INFO`, `WARNING`, ... in capitals; any case in brackets: `[info]`);
- a logger's name or a place in the code after one of those (`root`, `__main__`,
  `fairseq_cli.train`, `train.py:42`, `__main__:train:42`), when a separator a logger
  writes follows it (` - `, ` | `, `:` glued to the message, `:` then a blank);
- any of these in brackets (`[2024-01-01 12:00:00,123]`, `[__main__]`, `[logging.py:96:log]`,
  `[titan]`, `[12/07 10:00:00 d2.utils.events]:`); a file and its line in parentheses before
  a `:` (Swin-Transformer's `[2024-01-01 12:00:00 swin_tiny](main.py 191): INFO `).

A terminal's echo of keys pressed while the program runs opens a line the same way: a
terminal echoes a control key in caret notation (`^C`, `^@` for the NUL `script` sends, `^[[A`
for an arrow key), and the program's next print continues that row (`^@Train Epoch: 1 ...`).
Echoes are read first, glued to what follows, and a logger's prefix may come after them.

It is a prefix only when it holds a level, a time, glog's header or a launcher's tag: a line
opening with a bare name (`root: 15`, `[0] train-rmse:0.5`) has none. A name that is a phase
word (`| valid |`, fairseq's logger for validation; `[train]`) is not taken as part of the
prefix: it names the phase of the message, as it would at the start of any line. An item
followed by a number (`ERROR: 0.05`) is no item: the number is the item's value.
"""
from __future__ import annotations

import re
from typing import Dict

from runwrap.collectors.console.vocabulary import LOG_LEVELS, names_metric, phase_of, step_key

_LEVEL = "|".join(sorted(LOG_LEVELS, key=len, reverse=True))
# What follows an item: blanks (a padded level), or blanks, one of `-` `|` `:` and at most
# one blank: the message may be indented (`INFO:tensorflow:  eval_loss = 0.49`).
_SEP = re.compile(r"[ \t]*(?:[-|:][ \t]?)?")
_NUMBER = re.compile(r"[-+]?\.?\d")
_DATE = r"\d{2,4}[-/.]\d\d(?:[-/.]\d{2,4})?"
_TIME = r"\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_STAMP = rf"(?:{_DATE}(?:[ T]|,[ \t]*){_TIME}|{_TIME})"
_NAME = r"[A-Za-z_<][\w.<>-]*"
_PLACE = rf"{_NAME}(?::{_NAME})*:\d+(?::{_NAME})?"
_GLOG = r"[IWEF]\d{4}[ \t]+\d\d:\d\d:\d\d(?:\.\d+)?(?:[ \t]+\d+)?(?:[ \t]+[\w./<>-]+:\d+)?"
# One item. Groups: 1 a launcher's tag, glog's header, a time or a level in brackets (each
# makes the text a prefix); 2 a level written bare (the same, unless a number follows it);
# 3 a name in brackets; 4 a place in the code; 5 a logger's name (3 to 5 are no prefix alone).
_ITEM = re.compile(
    rf"""(\[[A-Za-z_]*\d+\](?=:)|\[\d+,\d+\]<std(?:out|err)>|{_GLOG}\]|\[{_GLOG}\]
         |[IWEF][ \t][\w./<>-]+:\d+\]|\[{_STAMP}(?:[ \t]+{_NAME})?\]|{_STAMP}(?=[ \t|\]:-])
         |\[(?i:{_LEVEL})\])
       |((?:{_LEVEL})\b)
       |\[({_NAME}|{_PLACE}|Rank[ \t]\d+)\]
       |({_PLACE}\]?(?=[ \t])|\({_NAME}[ \t]\d+\)(?=:))
       |({_NAME}(?=[ \t]*[-|][ \t]|:|[ \t]+(?:\[|(?:{_LEVEL})\b)))""",
    re.X | re.ASCII)
# A logger's name between colons (`INFO:__main__:`), in the place of group 5 of _ITEM.
_GLUED_NAME = re.compile(rf"()()()()({_NAME})(?=:)", re.ASCII)
# How a prefix can open (a cheap first look: most lines open with none): a bracket before a
# name, a date, a rank or a level; a date or a time; glog's level letter; a level.
_OPENING = re.compile(rf"""\[(?:[A-Za-z_<]|\d+(?:\]:|,)|\d\d[-/.:]\d\d|\d{{4}}[-/.]\d\d)
                          |\d\d(?:\d\d)?[-/.]\d\d[-/. ]|\d\d:\d\d:\d\d
                          |[IWEF](?:\d{{4}}[ \t]|[ \t])|(?:{_LEVEL})\b""",
                       re.X | re.ASCII)
_FIRST = frozenset("[0123456789CDEFINSTW")
# Control keys as a terminal echoes them (ECHOCTL): `^` and a character, and for `^[` (ESC)
# the rest of the key's escape sequence (`^[[A`, `^[[1;5C`, `^[OP`).
_ECHOES = re.compile(r"(?:\^(?:\[(?:\[[\d;]*[@-~]|O[@-~])?|[@A-Z\\\]^_?]))+")


# Lines of one logger open alike but for the digits of their times: the end found for the
# first line of a shape (its head, digits made 0) serves the next ones.
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_HEAD = 160  # a prefix is read in the first characters only
_ends: Dict[bytes, int] = {}


def prefix_end(line: str) -> int:
    """Where the message starts after a logger's or launcher's prefix (or a terminal's echo
    of control keys), or 0 when `line` opens with none."""
    if line[:1] == "^":
        echoes = _ECHOES.match(line)
        if echoes is not None:
            return echoes.end() + prefix_end(line[echoes.end():])
    if line[:1] not in _FIRST or _OPENING.match(line) is None:
        return 0
    head = line[:_HEAD]
    shape = head.encode().translate(_ZEROS)
    end = _ends.get(shape)
    if end is None:
        end = _read(head)
        if len(_ends) >= 4096:
            _ends.clear()
        _ends[shape] = end
    return end


def _read(line: str) -> int:
    at = end = 0
    strong = named = False
    level = None  # the last item, when it was a level written bare
    n = len(line)
    while at < n:
        glued = level and line[at - 1:at] == ":" and _GLUED_NAME.match(line, at)
        m = glued or _ITEM.match(line, at)
        if m is None:
            break
        name = m.group(5)
        if glued:
            after = m.end() + 1  # `INFO:name:` (logging's default format): the message is next
        else:
            after = _SEP.match(line, m.end()).end()  # type: ignore[union-attr]
            if after == m.end() and line[after - 1] != "]" and after < n:
                break  # `INFOloss`: no item
            if m.group(2) is None and line[m.end():after].isspace():
                # Blanks alone: one separates (the message may be indented); a level is
                # padded (`%(levelname)-8s`).
                after = m.end() + 1
            if ((m.group(2) or m.group(4) or name) and _NUMBER.match(line, after)
                    and line[m.end():after].strip() in (":", "") and not _strong_at(line, after)):
                break  # `ERROR: 0.05`, `INFO - iter: 19`: the word is the number's label
        if name is not None:
            if (named or not strong or names_metric(name) or step_key(name)
                    or not glued and (after == n or line[m.end():after] == ": ")):
                # One logger's name, after a level or a time: `root: 15` alone is no prefix;
                # `INFO - Epoch:[1/10]`, `INFO: Note: ...`, `INFO:__main__:Config:` are the
                # message (only `INFO:name:` glues a name to a colon and a blank).
                break
            named = True
        if (name or m.group(3)) and phase_of(name or m.group(3)) and not _strong_at(line, after):
            break  # `| valid | epoch 001 | loss 8.1`, `[train] loss=0.5`: the message's phase
        at = after
        level = m.group(2)
        if m.group(1) or level:
            strong = True
        if strong:
            end = at
    return end


def _strong_at(line: str, at: int) -> bool:
    """True when an item that makes a prefix (a level, a time ...) starts at `at`."""
    m = _ITEM.match(line, at)
    return m is not None and bool(m.group(1) or m.group(2))
