"""The stdout/stderr scalar parser: one console line in, the metrics it prints out.

Default grammar (used unless `--scalars` is given). A line is scanned left to right for
*pairs*; every pair found gives one value, so a line may give several:

    pair      = boundary key quote? sep number end
    boundary  = start of line | space | tab | one of , ; | ( [ { ' "
    key       = a letter (ASCII, or any non-ASCII character), then those, ASCII digits, `_`,
                `.`, `/`, `-`   (`train/loss`, `lr.head`, `损失`)
    quote     = ' or "                    (so printed dicts work: {'loss': 0.41, 'epoch': 1})
    sep       = optional blanks, `:` or `=`, optional blanks
    number    = [+-] digits [. digits] [e|E [+-] digits]  |  [+-] .digits  |  [+-] nan|inf|infinity
                (digits 0-9; nan/inf in any case)
    end       = end of line | blank | one of , ; | ) ] } % / ' "  |  `.` or `:` not followed by
                a digit

A *step key* (`global_step`, `step`, `iteration`, `iter`, `epoch`, in lower, Title or UPPER
case) may also be followed by blanks alone, before a number that starts with a sign or digit:
`epoch 3 loss: 0.41 acc=0.93` gives epoch=3, loss=0.41, acc=0.93.
The step key's value is a metric like any other, and the line's `_step` too when it is
written as plain digits; when a line holds several step keys the finest wins (global_step,
step, iteration, iter, epoch in that order). Values written without sign, point, exponent
(`3`) are ints, everything else floats. A key seen twice on a line keeps the last value.

What does not count, on purpose: a number glued to more text (`loss: 0.4s`, `v=1.2.3`,
`12:30:00`, `date: 2024-01-05`), a key glued to the text before it (`ms/step` in `2ms/step`),
keys starting with `_` (they would clash with the reserved `_time`, `_step`, `_runtime`), a
source file's line number (`trainer.py:212`, as logging prints it).

Only the first MAX_LINE characters of a line are parsed, cut back to the last blank so that
no number is cut in half: a 10 MB line costs no more than an 8 KB one.

`--scalars PATTERN` (repeatable) replaces the defaults with Python regular expressions; every
match of every pattern gives values:
    (?P<key>...)(?P<value>...)      the key and the value both from the line
    NAME:=REGEX                     REGEX has (?P<value>...); NAME is the fixed key
    (?P<some_metric>...)            any other named group is a metric of that name
    (?P<step>...)                   optional in any of them: sets `_step`
A matched value that is not a number (after dropping punctuation glued to its end, as in
`0.5,`) is ignored.
"""
from __future__ import annotations

import re
import sys
from typing import Dict, List, Optional, Tuple, Union

from runwrap.errors import UsageError

__all__ = ["MAX_LINE", "STEP_KEYS", "ScalarParser", "as_step", "compile_patterns", "default_parser",
           "parse_number"]

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
# A step key may be followed by blanks alone (`epoch 3`): a lookbehind per step word checks,
# only where a word is followed by blanks and a digit, that the word just read is one.
_STEP_BEHIND = "|".join(
    f"(?<={_BOUNDARY}(?:{word}|{word.title()}|{word.upper()}))" for word in STEP_KEYS)
# The pattern starts with a boundary character class, so the regex engine jumps from boundary
# to boundary in C instead of trying every position; the line gets a leading blank for it.
_DEFAULT_SOURCE = (
    _BOUNDARY
    + rf"""([A-Za-z\u00aa-\U0010ffff][\w./\u00aa-\U0010ffff-]*{_P})['"]?"""
    + rf"(?:[ \t]*{_P}[:=][ \t]*{_P}|(?=[ \t]+[-+]?\d)(?:{_STEP_BEHIND})[ \t]+{_P})"
    + rf"({_NUMBER}){_END}")
_DEFAULT: Optional["re.Pattern[str]"] = None  # compiled at the first line parsed


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


def as_step(value: Optional[Number]) -> Optional[int]:
    if type(value) is int:  # not bool
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _may_hold_bare_step(line: str) -> bool:
    """False when `line` surely holds no step key (`Step`, `EPOCH`, `iter`...)."""
    return ("tep" in line or "poch" in line or "ter" in line
            or "TEP" in line or "POCH" in line or "TER" in line)


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
        for key, text in found:  # a loop over the list: measurably faster than a dict's items
            if "." in key and key[key.rindex(".") + 1:] in _SOURCE_SUFFIXES:
                continue  # `trainer.py:212` in a log line's prefix is a place, not a metric
            # Long digit strings go through float: int() refuses over 4300 digits (3.11+).
            if text.isdigit() and len(text) < 19:
                value = values[key] = int(text)
                rank = rank_of(key)
                if rank is not None and rank <= best:  # a later one of the same rank wins
                    step, best = value, rank
            else:
                values[key] = float(text)
        return (values, step) if values else None

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
