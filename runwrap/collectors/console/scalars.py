"""The stdout/stderr scalar parser: one console line in, the metrics it prints out.

The grammar (the default pairs, step keys, what does not count) and the `--scalars` patterns are
described once, rule by rule with examples, in docs/console.md: change that page with the parser.
"""
from __future__ import annotations

import re
import sys
from typing import Callable, Dict, List, Optional, Tuple, Union

from runwrap.collectors.console.tables import Tables
from runwrap.errors import UsageError

__all__ = ["FRAME", "MAX_LINE", "STEP_KEYS", "ScalarParser", "StreamRecords", "as_step",
           "compile_patterns", "default_parser", "parse_number"]

Number = Union[int, float]
Parsed = Tuple[Dict[str, Number], Optional[int]]

MAX_LINE = 8192
STEP_KEYS = ("global_step", "step", "iteration", "iter", "epoch")  # finest first

# Possessive quantifiers (3.11+) stop the engine from giving back characters it can never use
# (a key can only be followed by a quote, a blank or a separator): about twice as fast. Older
# Pythons get the same grammar with plain greedy quantifiers.
_P = "+" if sys.version_info >= (3, 11) else ""
_NUMBER = (rf"[-+]?{_P}(?:(?:\d+{_P}(?:\.\d*{_P})?{_P}|\.\d+{_P})(?:[eE][-+]?{_P}\d+{_P})?{_P}"
           rf"|(?i:nan|inf(?:inity)?{_P}))")
_END = r"""(?=[\s,;|)\]}%/'"]|[.:](?!\d)|$)"""
_BOUNDARY = r"""[ \t,;|(\[{'"]"""
_WORD = rf"[A-Za-z\u00aa-\U0010ffff][\w./\u00aa-\U0010ffff-]*{_P}"
# A key is a word, or words joined by single blanks (`Avg. loss`), or a data set's own
# (`training's l2`); the parser decides what a phrase means, and which are sentences.
_PHRASE = rf"{_WORD}(?:(?:'s)?{_P}[ ]{_WORD}){{0,2}}{_P}"
# A step key may be followed by blanks alone (`epoch 3`) or a bracket (`Iteration[12]`): a
# lookbehind per step word checks, only there, that the word just read is one.
_STEP_BEHIND = "|".join(
    f"(?<=[ \\t,;|(\\[{{'\"](?:{word}|{word.title()}|{word.upper()}))" for word in STEP_KEYS)
_STEP_BEHIND = f"(?:{_STEP_BEHIND})"
# The pattern starts with a boundary character class, so the regex engine jumps from boundary
# to boundary in C instead of trying every position; the line gets a leading blank for it.
# Groups: key, separator (`:` or `=`; empty for the step forms), bracket, number, and what
# follows the number when it is a word (a unit, or the next key when a separator follows).
_DEFAULT_SOURCE = (
    _BOUNDARY
    + rf"""({_PHRASE})['"]?"""
    + rf"""(?:[ \t]*{_P}([:=][ \t]*{_P})['"]?|{_STEP_BEHIND}(?:(?=[ \t]+[-+]?\d)[ \t]+{_P}|(\[)))"""
    + rf"({_NUMBER}){_END}(?!%\|)"  # `valid:  40%|####` is a progress bar, not a metric
    + rf"""(?=([ \t]+{_P}{_PHRASE}['"]?[ \t]*{_P}[:=]?)?)""")
_DEFAULT: Optional["re.Pattern[str]"] = None  # compiled at the first line parsed
# A step written before everything else: `[12]\ttrain-rmse:0.5` (XGBoost, LightGBM) and
# `12:\tlearn: 0.69` (CatBoost).
_LEADING_STEP = re.compile(r"\[(\d{1,18})\]|(\d{1,18}):[ \t]")


def _default_regex() -> "re.Pattern[str]":
    """The default grammar, compiled on first use: compiling it costs more than a short run's
    whole recording, and a program that prints nothing never needs it."""
    global _DEFAULT
    if _DEFAULT is None:
        # ASCII classes are faster; letters beyond ASCII are listed in the key classes
        # instead, so keys in any script still work while digits stay 0-9.
        _DEFAULT = re.compile(_DEFAULT_SOURCE, re.ASCII)
    return _DEFAULT
# `file.py:123` is how logging (`%(filename)s:%(lineno)d`, absl) names a place in the code.
_SOURCE_SUFFIXES = frozenset(("py", "pyx", "c", "cc", "cpp", "cu", "h", "hpp", "rs", "go",
                              "java", "js", "ts", "jl", "lua", "sh"))
# Step keys as they are found on lines, mapped to their rank (finest first).
_STEP_RANK = {variant: rank for rank, word in enumerate(STEP_KEYS)
              for variant in (word, word.title(), word.upper())}

# Keys that name a thing rather than measure it. Lightning shows its logger's version as
# `v_num` in every progress bar state.
_NOT_METRICS = frozenset(("v_num",))

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


def _may_hold_bare_step(line: str) -> bool:
    """False when `line` surely holds no step key (`Step`, `EPOCH`, `iter`...)."""
    return ("tep" in line or "poch" in line or "ter" in line
            or "TEP" in line or "POCH" in line or "TER" in line)


def _phrase_key(phrase: str) -> Optional[str]:
    """The key a phrase names: `training's l2` -> `training/l2`, `Avg. loss` -> `avg_loss`;
    None for a phrase of more than two words (`Number of data points in the train set`),
    which is a sentence, not a name."""
    if "'s " in phrase:
        owner, _, name = phrase.partition("'s ")
        return None if " " in owner or " " in name else f"{owner}/{name}"
    first, _, second = phrase.partition(" ")
    if " " in second:
        return None
    return f"{first.rstrip('.')}_{second.rstrip('.')}".lower()


def _cut(line: str) -> str:
    """The first MAX_LINE characters, ending at a blank so that no value is cut in half."""
    head = line[:MAX_LINE]
    blank = max(head.rfind(" "), head.rfind("\t"))
    return head[:blank] if blank > 0 else ""


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
        self.parse = self._parse_user if self.patterns else self._parse_default

    def _parse_default(self, line: str) -> Optional[Parsed]:
        if len(line) > MAX_LINE:
            line = _cut(line)
        if "=" not in line and ":" not in line and not _may_hold_bare_step(line):
            return None  # cheaper than the regex for plain text lines
        found = (_DEFAULT or _default_regex()).findall(" " + line)
        if not found:
            return None
        values: Dict[str, Number] = {}
        step: Optional[int] = None
        best = len(STEP_KEYS)
        rank_of = _STEP_RANK.get
        phrased = False
        for key, sep, bracket, text, after in found:  # a loop: faster than a dict's items
            if after and sep and after[-1] not in ":=" and after.split()[0] not in _STEP_RANK:
                continue  # `12 GB`, `1.2 K`, `0 TPU cores`: a quantity and its unit
            if " " in key:
                if len(sep) < 2 or sep[0] == "=":
                    # Only a label written `Label: value` has blanks: in `warming up lr=1e-3`
                    # and the step forms (`train epoch 3`) the key is the last word.
                    key = key[key.rindex(" ") + 1:]
                else:
                    key = _phrase_key(key)
                    if key is None:  # a sentence: `Number of data points in the set: 150`
                        continue
                    phrased = True
            if "." in key and key[key.rindex(".") + 1:] in _SOURCE_SUFFIXES:
                continue  # `trainer.py:212` in a log line's prefix is a place, not a metric
            if key in _NOT_METRICS:
                continue
            # Long digit strings go through float: int() refuses over 4300 digits (3.11+).
            if text.isdigit() and len(text) < 19:
                value = values[key] = int(text)
                rank = rank_of(key)
                if rank is not None and rank <= best:  # a later one of the same rank wins
                    step, best = value, rank
            else:
                values[key] = float(text)
        if not values:
            return None
        if step is None:
            first = line[:1]
            if first == "[" or "0" <= first <= "9":
                m = _LEADING_STEP.match(line)
                if m:
                    step = int(m.group(1) or m.group(2))
            if phrased and step is None and len(values) == 1:
                return None  # `Total params: 5` alone on a line: a label, not a metric
        return values, step

    def _parse_user(self, line: str) -> Optional[Parsed]:
        if len(line) > MAX_LINE:
            line = _cut(line)
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


class StreamRecords:
    """The records of one console stream: what the line parser finds, read in the context of
    the lines before it.

    - A *header* line, whose only values are step keys (`Epoch 3/10`, `-- Epoch 1`, a tqdm
      bar described `epoch 2`), is no record; its step carries to the following lines without
      a step of their own, until the next header.
    - A *frame* (a progress line the terminal drew over, marked by a leading FRAME) is a record
      only when the next line with a step shows another step: the last frame of each step
      (a Lightning epoch bar redrawn for the next epoch) is kept, the ones before it are not,
      and a frame followed by the final line of the same step gives way to that line.
    - A final line indented by eight blanks or more continues the line above (a wrapped
      row): without a step of its own it takes that line's.
    - Tables (tables.py): a header row of names and rows of numbers (fastai), boxed
      `| key | value |` blocks (Stable-Baselines3), read from the lines with no pair.
    - A record with a step that repeats the one just before it (tqdm redraws a closed bar
      once more) is the same report shown twice, and kept once.
    - A Python traceback (`Traceback (most recent call last):`, its indented lines, and the
      exception line that ends it) is no record: it quotes source code, such as
      `model.fit(x, epochs=3, validation_split=0.25)`, not values the program reported.
    """

    __slots__ = ("parse", "carried", "frame", "last", "tables", "above", "in_traceback")

    def __init__(self, parse: Callable[[str], Optional[Parsed]], tables: bool = True):
        self.parse = parse
        self.carried: Optional[int] = None
        self.frame: Optional[Parsed] = None
        self.last: Optional[Parsed] = None
        self.above: Optional[int] = None  # the step of the last final line with values
        self.tables = Tables(parse_number, _STEP_RANK) if tables else None
        self.in_traceback = False

    @property
    def table_open(self) -> bool:
        """True while a table header or box waits for rows the block filter would skip."""
        return self.tables is not None and self.tables.open

    def feed(self, line: str) -> List[Parsed]:
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
        found = self.parse(line[1:] if is_frame else line)
        if found is None:
            if self.tables is None or is_frame:
                return []
            rows = self.tables.feed(line)
            if not rows:
                return []
            values, step = rows[0]
            return [(values, self.carried if step is None else step)]
        values, step = found
        if step is not None and all(key in _STEP_RANK for key in values):
            if not is_frame:
                # A wrapped line below it continues the header: rich on 80 columns puts
                # Lightning's `train_loss: 0.08` under `Epoch 2/2 ━━━ 4/4 ...`.
                self.carried = self.above = step
            return []
        if step is None:
            # A line indented far (`          train_loss: 0.83`) continues the one above
            # it, as rich wraps the metrics of Lightning's bar.
            step = self.above if line.startswith(_CONTINUED) else self.carried
        if not is_frame:
            self.above = step
        out: List[Parsed] = []
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
            if out[-1] == self.last:
                out.pop()
            else:
                self.last = out[-1]
        return out


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
