"""Tables printed on the console, read as records (the default grammar only).

Two shapes, found in real training output:

- A *column table*: a header row of two or more names set apart by two or more blanks, then
  rows with one field per column, each a number or a duration (`00:03`). Each row is one
  record; a column named for a step key gives the row's step; durations are left out.
  fastai prints its training table this way:

      epoch     train_loss  valid_loss  accuracy  time
      0         0.466536    0.425456    0.468750  00:00

- A *boxed key/value table*: a border of dashes, rows `| key | value |`, a row whose value is
  empty and whose key ends in `/` naming the section of the rows under it, and a closing
  border. Each box is one record. Stable-Baselines3 prints its logger this way:

      ---------------------------------
      | rollout/           |          |
      |    ep_rew_mean     | 22.6     |
      ---------------------------------

A header's names follow the key rules: one word as printed, several words joined with `_`
in lower case (`LOSS TOK2VEC` -> `loss_tok2vec`). A column named for a step key gives the
row's step (and a value, as a step key does on a line); a column named `#` (read "number", as
spaCy heads its step column) gives the step only. spaCy prints its table so:

      E    #       LOSS TEXTCAT  CATS_SCORE  SCORE
      ---  ------  ------------  ----------  ------
        0       0          0.25       62.50    0.62
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Tuple, Union

from runwrap.collectors.console.vocabulary import names_count, names_metric, step_key

Number = Union[int, float]
Record = Tuple[Dict[str, Number], Optional[int]]

_HEADER_SPLIT = re.compile(r"[ \t]{2,}|\t")
_NAME = re.compile(r"[A-Za-z#][\w#/.%-]*(?: [A-Za-z#][\w#/.%-]*)*\Z")
_DURATION = re.compile(r"\d+(?::\d\d)+(?:\.\d+)?\Z")
_BORDER = re.compile(r"-{5,}\Z")
_BAR_TAIL = re.compile(r":?[ \t]*\d{1,3}%\|.*\Z")
_FIELD = re.compile(r"\S+")
_HEADER_NAME = re.compile(r"\S+(?: \S+)*")
_ROW_NAME = re.compile(r"[A-Za-z][\w-]*\Z")
_WITH_UNIT = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[A-Za-z%]{1,3}\Z")
_MARKERS = frozenset(("+", "*", "-", "v", "^", "!"))


class Tables:
    """The table state of one console stream. `feed(line)` is called for each final line
    that gave no values otherwise; it returns the records that line completes."""

    __slots__ = ("number", "step_rank", "columns", "spans", "box", "section")

    def __init__(self, number: Callable[[str], Optional[Number]],
                 step_rank: Dict[str, int]):
        self.number = number
        self.step_rank = step_rank
        self.columns: Optional[List[str]] = None  # the last header's names
        self.spans: List[Tuple[int, int]] = []  # where each name stands on its line
        self.box: Optional[Dict[str, Number]] = None  # the box being read
        self.section = ""

    @property
    def open(self) -> bool:
        """True while a header or a box waits for rows that hold no separator or step word."""
        return self.columns is not None or self.box is not None

    def feed(self, line: str) -> List[Record]:
        if "%|" in line:
            line = _BAR_TAIL.sub("", line)  # a row or header drawn as a bar's description
        text = line.strip()
        if not text:
            return []
        if text[0] == "|" or text[0] == "-":
            if text[0] == "-" and " " in text and self.columns is not None:
                return []  # a ruler under a header (`---  ------`)
            return self._box_line(text)
        if self.columns is not None:
            fields = [(m.group(), m.start(), m.end()) for m in _FIELD.finditer(line)]
            if len(fields) == len(self.columns):
                row = self._row([(name, f[0]) for name, f in zip(self.columns, fields)])
            else:
                row = self._row(self._aligned(fields))
            if row is not None:
                return [row]
        parts = _HEADER_SPLIT.split(text)
        if len(parts) >= 2 and all(_NAME.match(p) for p in parts):
            self.columns = [_column(p) for p in parts]
            self.spans = [(m.start(), m.end()) for m in _HEADER_NAME.finditer(line)]
            if len(self.spans) != len(self.columns):
                self.spans = []
        elif _names_a_table(text):
            # Names one blank apart (`Time Epoch Iteration Progress (%Epoch) Loss`): a header
            # when it names steps or measures, as prose does not.
            found = list(_FIELD.finditer(line))
            self.columns = [m.group() for m in found]
            self.spans = [(m.start(), m.end()) for m in found]
        else:
            self.columns = None
        return []

    def _aligned(self, fields: List[Tuple[str, int, int]]) -> List[Tuple[str, str]]:
        """Fields placed under the header names they overlap most, for a row with an empty
        cell (skorch leaves its `cp` column blank where no checkpoint was saved)."""
        if not self.spans or not self.columns:
            return []
        out = []
        for text, start, end in fields:
            overlaps = [min(end, b) - max(start, a) for a, b in self.spans]
            best = max(range(len(overlaps)), key=overlaps.__getitem__)
            if overlaps[best] <= 0:
                return []
            out.append((self.columns[best], text))
        return out

    def _row(self, cells: List[Tuple[str, str]]) -> Optional[Record]:
        values: Dict[str, Number] = {}
        step: Optional[int] = None
        best = len(self.step_rank)
        prefix = ""
        for i, (name, field) in enumerate(cells):
            value = self.number(field)
            if value is None:
                if i == 0 and _ROW_NAME.match(field):
                    prefix = field + "/"  # YOLOv5's `all` and class rows
                    continue
                if "/" in field:
                    if name not in self.step_rank:
                        continue  # a position (`50/4292` under `Progress`)
                    value = self.number(field.partition("/")[0])  # `1/299` under `Epoch`
                elif field in _MARKERS or _DURATION.match(field) or _WITH_UNIT.match(field):
                    continue  # a marker (skorch's `+`), a duration, a size such as `3.21G`
                if value is None:
                    return None
            if name == "#":  # a row number: the step, and nothing else
                if type(value) is int:
                    step, best = value, -1
                continue
            rank = self.step_rank.get(name)
            if rank is None and names_count(name):
                continue  # a column of counts: YOLOv5's `Images`, `Instances`, `Size`
            values[prefix + name if rank is None else name] = value
            if rank is not None and type(value) is int and rank < best:
                step, best = value, rank
        if not values or (prefix and all(k in self.step_rank for k in values)):
            return None
        return values, step

    def _box_line(self, text: str) -> List[Record]:
        if _BORDER.match(text):
            box, self.box, self.section = self.box, {}, ""
            if not box:
                return []
            # A row named for a step key (Spinning Up's `| Epoch | 0 |`) is the box's step.
            steps = [(self.step_rank[k], v) for k, v in box.items()
                     if k in self.step_rank and type(v) is int]
            return [(box, min(steps)[1] if steps else None)]
        if self.box is None or not (text[0] == "|" and text[-1] == "|"):
            self.box = None
            return []
        cells = text[1:-1].split("|")
        if len(cells) != 2:
            self.box = None
            return []
        key, value = cells[0].strip(), cells[1].strip()
        if not value:
            self.section = key if key.endswith("/") else ""
            return []
        number = self.number(value)
        if number is not None and key:
            self.box[self.section + key] = number
        return []


_WORD_NAME = re.compile(r"\(?%?[A-Za-z][\w/%.-]*\)?\Z")


def _names_a_table(text: str) -> bool:
    words = text.split()
    return (len(words) >= 4 and all(_WORD_NAME.match(w) for w in words)
            and sum(1 for w in words if names_metric(w) or step_key(w)) >= 2)


def _column(name: str) -> str:
    return name.replace(" ", "_").lower() if " " in name else name
