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

Number = Union[int, float]
Record = Tuple[Dict[str, Number], Optional[int]]

_HEADER_SPLIT = re.compile(r"[ \t]{2,}|\t")
_NAME = re.compile(r"[A-Za-z#][\w#/.%-]*(?: [A-Za-z#][\w#/.%-]*)*\Z")
_DURATION = re.compile(r"\d+(?::\d\d)+(?:\.\d+)?\Z")
_BORDER = re.compile(r"-{5,}\Z")


class Tables:
    """The table state of one console stream. `feed(line)` is called for each final line
    that gave no values otherwise; it returns the records that line completes."""

    __slots__ = ("number", "step_rank", "columns", "box", "section")

    def __init__(self, number: Callable[[str], Optional[Number]],
                 step_rank: Dict[str, int]):
        self.number = number
        self.step_rank = step_rank
        self.columns: Optional[List[str]] = None  # the last header's names
        self.box: Optional[Dict[str, Number]] = None  # the box being read
        self.section = ""

    @property
    def open(self) -> bool:
        """True while a header or a box waits for rows that hold no separator or step word."""
        return self.columns is not None or self.box is not None

    def feed(self, line: str) -> List[Record]:
        text = line.strip()
        if not text:
            return []
        if text[0] == "|" or text[0] == "-":
            if text[0] == "-" and " " in text and self.columns is not None:
                return []  # a ruler under a header (`---  ------`)
            return self._box_line(text)
        if self.columns is not None:
            fields = text.split()
            if len(fields) == len(self.columns):
                row = self._row(fields)
                if row is not None:
                    return [row]
        parts = _HEADER_SPLIT.split(text)
        if len(parts) >= 2 and all(_NAME.match(p) for p in parts):
            self.columns = [_column(p) for p in parts]
        else:
            self.columns = None
        return []

    def _row(self, fields: List[str]) -> Optional[Record]:
        values: Dict[str, Number] = {}
        step: Optional[int] = None
        best = len(self.step_rank)
        for name, field in zip(self.columns or (), fields):
            value = self.number(field)
            if value is None:
                if _DURATION.match(field):
                    continue
                return None
            if name == "#":  # a row number: the step, and nothing else
                if type(value) is int:
                    step, best = value, -1
                continue
            values[name] = value
            rank = self.step_rank.get(name)
            if rank is not None and type(value) is int and rank < best:
                step, best = value, rank
        return (values, step) if values else None

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


def _column(name: str) -> str:
    return name.replace(" ", "_").lower() if " " in name else name
