"""The stdout/stderr scalar parser: one console line in, the metrics it prints out, and the
records of a whole console stream (StreamRecords: headers, frames, tables, phases).

The default grammar (used unless `--scalars` is given) is lines.py, reading labels through
labels.py and the words of vocabulary.py. The grammar and the `--scalars` patterns are
described once, rule by rule with examples, in docs/console.md: change that page with the
parser.

Over 400 lines because StreamRecords.feed is one reading of a line in the context of the
lines before it: each piece of that context (headers, frames, tables, phases, echoes, a
block of rows) decides at its own point of the same few steps, so they stay in one method;
the pieces that keep state of their own live in tables.py and rows.py.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Union

from runwrap.collectors.console.lines import (
    MAX_LINE, Parsed, continues_config_echo, csv_cells, csv_names, cut_line, dict_record,
    heading_phase, line_phase, names_best_step, opens_structure, opens_summary, parse_line,
    sentence_phase,
    says_training_ended, starts_config_echo, with_phase)
from runwrap.collectors.console.prefixes import prefix_end
from runwrap.collectors.console.rows import ResultRows
from runwrap.collectors.console.tables import Tables
from runwrap.collectors.console.vocabulary import (
    STEP_KEYS, TRACKER_PREFIXES, printed_by_tracker)
from runwrap.errors import UsageError

__all__ = ["FRAME", "MAX_LINE", "STEP_KEYS", "ScalarParser", "StreamRecords", "as_step",
           "compile_patterns", "default_parser", "parse_number"]

Number = Union[int, float]

# Step keys as they are found on lines (lower, Title or UPPER case), mapped to their rank
# (finest first), for the tables.
_STEP_RANK = {variant: rank for rank, word in enumerate(STEP_KEYS)
              for variant in (word, word.title(), word.upper())}

_FIXED_KEY = re.compile(r"([A-Za-z_][\w./-]*):=(.*)", re.S)
_RESERVED_GROUPS = ("key", "value", "step")
_TRAILING = ",;:|)]}%'\""


def parse_number(text: str) -> Optional[Number]:
    """`text` as an int (plain digits) or a float; None if it is not a number."""
    text = text.strip()
    if text.isdecimal() and len(text) < 19:
        return int(text)
    try:
        return float(text)
    except (ValueError, OverflowError):
        return None


def _loose_number(text: str) -> Optional[Number]:
    """A number captured by a user's pattern, forgiving punctuation glued to its end."""
    return parse_number(text.strip().rstrip(_TRAILING))


STEP_LIMIT = 1 << 63  # steps are int64 (MLflow's, TensorBoard's): 1e300 is not a step


def as_step(value: Optional[Number]) -> Optional[int]:
    """`value` as a step: an integer (or integral float) that fits in int64; else None."""
    if type(value) is int:  # not bool
        return value if -STEP_LIMIT <= value < STEP_LIMIT else None
    if isinstance(value, float) and value.is_integer() and -STEP_LIMIT <= value < STEP_LIMIT:
        return int(value)
    return None


class _UserPattern:
    """One `--scalars` pattern, compiled, with what each of its groups means."""

    def __init__(self, regex: "re.Pattern[str]", fixed_key: Optional[str]):
        self.regex = regex
        names = regex.groupindex
        self.has_key = "key" in names
        self.has_value = "value" in names
        self.has_step = "step" in names
        self.fixed_key = fixed_key
        self.metric_groups = [g for g in names if g not in _RESERVED_GROUPS]


class ScalarParser:
    """Turns a console line into `({metric: value}, step or None)`, or None when it has none.

    Built by `compile_patterns`; `parse` is called once per console line, so the default path
    is kept to one regex call for a line without values.
    """

    def __init__(self, patterns: Optional[List[_UserPattern]] = None):
        self.patterns = patterns or []
        self.parse = self._parse_user if self.patterns else parse_line

    def _parse_user(self, line: str) -> Optional[Parsed]:
        if len(line) > MAX_LINE:
            line = cut_line(line)
        values: Dict[str, Number] = {}
        step: Optional[int] = None
        for p in self.patterns:
            for m in p.regex.finditer(line):
                if p.has_value:
                    key = m.group("key") if p.has_key else p.fixed_key
                    value = _loose_number(m.group("value") or "")
                    if key and value is not None:
                        values[key] = value
                for name in p.metric_groups:
                    text = m.group(name)
                    value = _loose_number(text) if text else None
                    if value is not None:
                        values[name] = value
                if p.has_step and m.group("step"):
                    found = as_step(_loose_number(m.group("step")))
                    if found is not None:
                        step = found
        if not values:
            return None
        return values, step


FRAME = "\x00"  # starts a superseded progress frame among final console lines
_TRACEBACK = "Traceback (most recent call last):"
_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(?::|$)")
_CONTINUED = " " * 8
# The close of a tqdm bar: `[elapsed<remaining, rate]` or `[elapsed, rate]` (a bar without a
# total), the rate as tqdm writes it (`14928.47it/s`, `?it/s`, `1.20s/it`, `3.10kimg/s`),
# a postfix after it (`, loss=0.5`); only where more text follows on the row.
_BAR_CLOSE = re.compile(r"\[(?:\d+:)?\d\d:\d\d(?:<(?:(?:\d+:)?\d\d:\d\d|\?))?,[ \t]*"
                        r"(?:\?|\d+(?:\.\d+)?)[^\s\],/]*/[A-Za-z]+(?:,[^\]]*)?\](?=[ \t]*\S)")
_TRACKER_FIRST = frozenset([p[0] for p in TRACKER_PREFIXES] + [FRAME])  # a cheap first look


class StreamRecords:
    """The records of one console stream: what the line parser finds, read in the context of
    the lines before it.

    - A *header* line, whose only values are step keys (`Epoch 3/10`, `-- Epoch 1`, a tqdm
      bar described `epoch 2`), is no record; its step carries to the following lines without
      a step of their own, until the next header. A header saying training has ended
      (`Early stopping at step 21`) ends the carried step instead (default grammar).
    - A *frame* (a progress line the terminal drew over, marked by a leading FRAME) is a record
      only when the next line with a step shows another step: the last frame of each step
      (a Lightning epoch bar redrawn for the next epoch) is kept, the ones before it are not,
      and a frame followed by the final line of the same step gives way to that line.
    - A final line indented by eight blanks or more continues the line above (a wrapped
      row): without a step of its own it takes that line's.
    - Tables (tables.py): a header row of names and rows of numbers (fastai), boxed
      `| key | value |` blocks (Stable-Baselines3), read from the lines with no pair.
    - A progress bar's record with a step that repeats the one just before it (tqdm redraws
      a closed bar once more) is the same report shown twice, and kept once; two log lines
      that happen to print the same values are two reports.
    - A line a tracker prints about the records it keeps itself (vocabulary.TRACKER_PREFIXES:
      wandb's `wandb: Run summary:` footer, runwrap's own notices) is no record, under any
      grammar: its values are the tracker's, read from its own files.
    - A Python traceback (`Traceback (most recent call last):`, its indented lines, and the
      exception line that ends it) is no record: it quotes source code, such as
      `model.fit(x, epochs=3, validation_split=0.25)`, not values the program reported.
    - A configuration echo (the default grammar only): the lines after a line announcing a
      configuration (`Saving config:`, `Overriding config with x.py:`, `trainer:`), and a
      structure printed over many lines (pprint's `{'lr': 0.1,` left open), give nothing
      while they read as one (indented, comments, brackets, `name = value`).
    - A CSV header and row on two lines under one label (detectron2's `copypaste:`) give
      one record (the default grammar only).
    - Phases (the default grammar only): a line that names nothing but a phase (`Test:`,
      `=== Validation ===`) heads a block whose lines take that phase (`test/loss`) until a
      blank line, a header or another phase; a summary line starting `* ` takes the phase of
      the last line that named one (` * Acc@1 75.0` after the `Test: [..]` lines), and a
      line opening with a summary word (vocabulary.SUMMARY_WORDS: `Averaged stats: loss: 14.0`,
      `average loss 3.58`) takes the phase of the line with values just before it, if that
      line had one.
    - A block of `key = value` rows under a heading (rows.py) is one report: a step row
      among them is the step of them all (the default grammar only; `finish` gives what a
      block still holds when the stream ends).
    """

    __slots__ = ("parse", "carried", "frame", "last", "tables", "above", "in_traceback",
                 "block", "section", "before", "in_echo", "csv", "dicts", "rows", "ruled",
                 "listing", "next")

    def __init__(self, parse: Callable[[str], Optional[Parsed]], tables: bool = True):
        self.parse = parse
        self.carried: Optional[int] = None
        self.frame: Optional[Parsed] = None
        self.last: Optional[Parsed] = None
        self.above: Optional[int] = None  # the step of the last final line with values
        self.tables = Tables(parse_number, _STEP_RANK) if tables else None
        self.in_traceback = False
        self.block: Optional[str] = None  # the phase a heading line gave the lines below it
        self.section: Optional[str] = None  # the phase the last line named at its start
        self.before: Optional[str] = None  # the phase of the last line that gave values
        self.next: Optional[str] = None  # the phase a sentence gave the line after it
        self.in_echo = False  # within the lines of a configuration echo
        self.csv: Optional[tuple] = None  # (label, names) of a CSV header line
        # A dict taken for arguments, by its keys: its values, step, and whether it was
        # printed again with other numbers (then it is a record: see _dict_again).
        self.dicts: Dict[tuple, tuple] = {}
        self.rows = ResultRows()
        self.ruled = False  # the last line was a rule (`=====`)
        self.listing: Optional[List[str]] = None  # the `- key : value` rows after a rule

    @property
    def table_open(self) -> bool:
        """True while a table header or box, or a block of rows under a heading, waits for
        rows the block filter would skip."""
        return self.tables is not None and (self.tables.open or self.rows.open)

    def _csv(self, line: str) -> Optional[List[Parsed]]:
        """A CSV header and row on two lines under one label (detectron2's `copypaste: AP,
        AP50` then `copypaste: 40.44,61.00`): the row is one record. None for other lines."""
        found = csv_cells(line)
        if found is None:
            return None
        label, cells = found
        if csv_names(cells):
            self.csv = (label, cells)
            return []
        header, self.csv = self.csv, None
        if header is None or header[0] != label or len(header[1]) != len(cells):
            return None
        numbers = [parse_number(c) for c in cells]
        if any(n is None for n in numbers):
            return None
        return [(dict(zip(header[1], numbers)), self.carried)]

    def _dict_again(self, line: str) -> Optional[List[Parsed]]:
        """A one-line dict taken for arguments for its word values is a record when it is
        printed again with other numbers (a metrics dict naming its model and optimizer at
        every epoch): from then on each print, and the first one too when the second
        comes. None for other lines, and for a dict printed with the same numbers."""
        found = dict_record(line)
        if found is None:
            return None
        values, step = found
        if step is None:
            step = self.carried
        key = tuple(values)
        seen = self.dicts.get(key)
        if seen is None or not seen[2] and seen[0] == values:
            if len(self.dicts) >= 64:
                self.dicts.clear()
            self.dicts[key] = (values, step, False)
            return None
        self.dicts[key] = (values, step, True)
        return [(values, step)] if seen[2] else [(seen[0], seen[1]), (values, step)]

    def _phase(self, line: str, found: Optional[Parsed]) -> Optional[Parsed]:
        """`found` with the phase of the block or section it belongs to (default grammar)."""
        told, self.next = self.next, None
        if found is None:
            heading = heading_phase(line)
            if heading is not None:
                self.block = self.section = heading
            elif not line.strip():
                self.block = None
            else:
                self.next = sentence_phase(line)  # `Checking accuracy on the val set`
            return None
        own = line_phase(line)
        if own is not None:
            self.section, self.block = own, None
            self.before = own
            return found
        values, step = found
        if step is not None and all(key in _STEP_RANK for key in values):
            if not self.rows.is_row(line):
                self.block = None  # a header: a new step begins
            self.before = None
            return found
        phase = self.block or (told if step is None else None)  # (a step: training's)
        if phase is None and self.section is not None and line.lstrip()[:2] == "* ":
            phase = self.section
        if phase is None and self.before is not None and opens_summary(line):
            phase = self.before  # `Averaged stats: loss: 14.0` right after the `Test:` lines
        self.before = phase
        return found if phase is None else (with_phase(values, phase), step)

    def feed(self, line: str) -> List[Parsed]:
        if self.tables is None:
            return self._feed(line)
        listed = line[:1] != FRAME and _LISTED.match(line, prefix_end(line)) is not None
        if self.listing is not None:
            if listed and len(self.listing) < _LISTING_LIMIT:
                self.listing.append(line)
                return []
            return self._end_listing() + self.feed(line)
        if self.ruled and listed:
            self.ruled, self.listing = False, [line]
            return []
        self.ruled = line[:1] != FRAME and _RULE.match(line, prefix_end(line)) is not None
        return self._feed(line)

    def _end_listing(self) -> List[Parsed]:
        """The `- key : value` rows printed under a rule: an arguments listing, no record,
        when a value is a word (`- scheduler : linear`, `- fp16 : False`); else read as
        they were printed."""
        held, self.listing = self.listing or [], None
        values = [_LISTED.match(row, prefix_end(row)).group(1) for row in held]
        if any(parse_number(value) is None for value in values):
            return []
        return [record for row in held for record in self._feed(row)]

    def _feed(self, line: str) -> List[Parsed]:
        if line[:1] in _TRACKER_FIRST and printed_by_tracker(line.lstrip(FRAME)):
            return []  # `wandb:     score 22`: the tracker's own record, read from its files
        if self.in_traceback:
            # Indented lines are frames and source; the first line that is not ends it, and
            # is the exception (`ValueError: lr=10 is too big`) unless it reads otherwise (a
            # line the console prefilter skipped may have been the exception).
            if line[:1] in (" ", "\t"):
                return []
            self.in_traceback = False
            if _EXCEPTION_LINE.match(line):
                return []
        if line.startswith(_TRACEBACK):
            self.in_traceback = True
            return []
        is_frame = line[:1] == FRAME
        if self.tables is not None and not is_frame and "/" in line and "]" in line:
            m = _BAR_CLOSE.search(line)
            if m is not None:
                # `… 5050/5600 [00:00<00:00, 14928.47it/s]G: 1.17 | D: 0.48`: a print after a
                # tqdm bar's refresh() continues the bar's row; the two are read apart.
                return self.feed(line[:m.end()]) + self.feed(line[m.end():].lstrip())
        # The message after a logger's prefix (`INFO:root:`, `I1207 10:00:00.1 x.py:5] `) is
        # what reads as a heading, a table row or a configuration (the default grammar).
        body = line
        if self.tables is not None and not is_frame:
            start = prefix_end(line)
            if start:
                body = line[start:]
        if self.in_echo:
            if continues_config_echo(body):
                return []
            self.in_echo = False
        if self.tables is not None and "," in line and ": " in line and not is_frame:
            rows = self._csv(body)
            if rows is not None:
                return rows
        if self.tables is not None and not is_frame and opens_structure(body):
            self.in_echo = True
            return []
        found = self.parse(line[1:] if is_frame else line)
        if self.tables is not None and not is_frame:
            if found is None and body.lstrip()[:1] == "{":
                again = self._dict_again(line)
                if again is not None:
                    return again
            if found is None and starts_config_echo(body):
                self.in_echo = True
                return []
            found = self._phase(body, found)
        if found is None:
            if self.tables is None or is_frame:
                return []
            held = self.rows.no_values(body)
            rows = self.tables.feed(body)
            if not rows:
                return held
            values, step = rows[0]
            return held + [(values, self.carried if step is None else step)]
        values, step = found
        held = []
        if self.tables is not None and not is_frame:
            if self.rows.is_row(body):
                if step is not None and all(key in _STEP_RANK for key in values):
                    held = self.rows.step_row(step)  # `  global_step = 343`: theirs too
                elif step is None and self.rows.waiting:
                    return self.rows.hold((values, self.carried))
            elif self.rows.open:
                held = self.rows.end()
        if step is not None and all(key in _STEP_RANK for key in values):
            if not is_frame:
                if self.tables is not None and says_training_ended(body):
                    # `Early stopping at step 21`: what follows (a test accuracy, a summary)
                    # reports on the whole run, at no step of training.
                    self.carried = self.above = None
                elif self.tables is not None and names_best_step(body):
                    pass  # `... the best epoch: 4.`: a step past, carried to nothing
                else:
                    # A wrapped line below it continues the header: rich on 80 columns puts
                    # Lightning's `train_loss: 0.08` under `Epoch 2/2 ━━━ 4/4 ...`.
                    self.carried = self.above = step
            return held
        if step is None:
            # A line indented far (`          train_loss: 0.83`) continues the one above
            # it, as rich wraps the metrics of Lightning's bar.
            step = self.above if body.startswith(_CONTINUED) else self.carried
        if not is_frame:
            self.above = step
        out: List[Parsed] = held
        last = self.frame
        if last is not None and step is not None:
            self.frame = None
            if last[1] != step:
                out.append(last)
        if is_frame:
            if step is not None:
                self.frame = (values, step)
        else:
            out.append((values, step))
        if out and step is not None:
            if out[-1] == self.last and _is_bar(line):
                out.pop()
            else:
                self.last = out[-1]
        return out


    def finish(self) -> List[Parsed]:
        """What the stream still holds back when it ends (the rows of a block, a listing)."""
        listed = self._end_listing() if self.listing is not None else []
        return listed + self.rows.release()


# A rule (`=====`, `-----`: ten or more of one mark) and a listed row under it (`        -
# weight_decay : 0.01`, `* lr: 0.1`): print_args-style listings of arguments.
_RULE = re.compile(r"[ \t]*([=*#~_-])\1{9,}[ \t]*\Z")
_LISTED = re.compile(r"[ \t]*[-*+][ \t]+[A-Za-z_][\w.-]*[ \t]*:[ \t]+(\S.*?)[ \t]*\Z")
_LISTING_LIMIT = 512


def _is_bar(line: str) -> bool:
    """True when `line` shows a progress bar (tqdm's `%|` and rates, rich's and Keras's)."""
    return "%|" in line or "it/s" in line or "s/it" in line or "━" in line or "[=" in line


def compile_patterns(patterns: List[str]) -> ScalarParser:
    """The parser for `--scalars` values: the default grammar when `patterns` is empty.

    Raises UsageError naming the first pattern that is not a valid regular expression or has
    no group to take a value from. Call it before anything is written.
    """
    compiled: List[_UserPattern] = []
    for text in patterns:
        fixed_key: Optional[str] = None
        source = text
        m = _FIXED_KEY.match(text)
        if m:
            fixed_key, source = m.group(1), m.group(2)
        if not source:
            raise UsageError(f"--scalars {text!r}: the pattern is empty; give a regular "
                             "expression with (?P<key>...) and (?P<value>...) groups")
        try:
            regex = re.compile(source)
        except re.error as e:
            raise UsageError(f"--scalars {text!r}: not a valid regular expression ({e}); "
                             "fix it, and quote it for the shell") from None
        p = _UserPattern(regex, fixed_key)
        if p.has_key and not p.has_value:
            raise UsageError(f"--scalars {text!r}: has (?P<key>...) but no (?P<value>...) "
                             "group; add one")
        if p.has_value and not p.has_key and not fixed_key:
            raise UsageError(f"--scalars {text!r}: has (?P<value>...) but no key; add a "
                             f"(?P<key>...) group or name the key: --scalars 'loss:={text}'")
        if p.has_key and fixed_key:
            raise UsageError(f"--scalars {text!r}: names a fixed key {fixed_key!r} and has a "
                             "(?P<key>...) group; keep one of the two")
        if not p.has_value and not p.metric_groups:
            raise UsageError(f"--scalars {text!r}: no named group to take a value from; use "
                             "(?P<key>...)(?P<value>...), NAME:=...(?P<value>...) or "
                             "(?P<metric_name>...)")
        compiled.append(p)
    return ScalarParser(compiled)


def default_parser() -> ScalarParser:
    """The parser for the default grammar (what `compile_patterns([])` returns)."""
    return ScalarParser()
