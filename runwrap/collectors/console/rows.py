"""A block of result rows under a heading, one `key = value` a line, read as one report.
BERT's run_classifier logs its evaluation through TF1's logging, the keys sorted:

    INFO:tensorflow:***** Eval results *****
    INFO:tensorflow:  eval_accuracy = 0.8455882
    INFO:tensorflow:  eval_loss = 0.49312
    INFO:tensorflow:  global_step = 343
    INFO:tensorflow:  loss = 0.49312

A step key among the rows (`global_step = 343`) is the step of every row of the block, of
the rows printed before it too, as the `| step | 100 |` row of a logger's box is. So the
rows of a block opened by a heading are held back until its step row comes, and then given
with its step; when the block ends without one (a line that is no row of it, a block of
LIMIT rows, the end of the stream), they are given as they were read.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple, Union

Number = Union[int, float]
Parsed = Tuple[Dict[str, Number], Optional[int]]

# A heading: a banner (`***** Eval results *****`, `=== Validation ===`) or a line ending in
# a colon (`Eval results:`).
_HEADING = re.compile(r"(?:[*=#~-]{3,}.*|.*(?::|[*=#~-]{3,}))\Z")
# A row: indented, one name, `=` or `:`, one value.
_ROW = re.compile(r"[ \t]+[A-Za-z_][\w./-]*[ \t]*[=:][ \t]*\S+[ \t]*\Z")
LIMIT = 64

_CLOSED, _WAITING, _STEPPED = 0, 1, 2


class ResultRows:
    """The rows block of one console stream (StreamRecords asks it about each line)."""

    __slots__ = ("state", "held")

    def __init__(self) -> None:
        self.state = _CLOSED
        self.held: List[Parsed] = []

    def is_row(self, body: str) -> bool:
        """True when `body` (a line's message) is a row of an open block."""
        return self.state != _CLOSED and _ROW.match(body) is not None

    @property
    def open(self) -> bool:
        return self.state != _CLOSED

    @property
    def waiting(self) -> bool:
        """True while the open block's rows wait for its step row."""
        return self.state == _WAITING

    def no_values(self, body: str) -> List[Parsed]:
        """A line that gave no values: a row of the block (`  num_examples = 408`) keeps it
        open; any other ends it (the rows held are given back) and opens one if it reads as
        a heading."""
        if self.is_row(body):
            return []
        out = self.release()
        self.state = _WAITING if _HEADING.match(body.strip()) else _CLOSED
        return out

    def step_row(self, step: int) -> List[Parsed]:
        """The block's step row: the rows held so far, at its step."""
        out = [(values, step) for values, _ in self.held]
        self.held = []
        self.state = _STEPPED
        return out

    def hold(self, record: Parsed) -> List[Parsed]:
        """Hold a row of a block that waits for its step; past LIMIT rows, give them all."""
        self.held.append(record)
        return self.release() if len(self.held) >= LIMIT else []

    def end(self) -> List[Parsed]:
        """A line that is no row ends the block: the rows held, as they were read."""
        self.state = _CLOSED
        return self.release()

    def release(self) -> List[Parsed]:
        out, self.held = self.held, []
        return out
