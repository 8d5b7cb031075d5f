"""The default console grammar: one line in, the metrics it prints and its step out.

The rules, with examples, are in docs/console.md ("How a line is read"); the words they use
are in vocabulary.py, and what a label means is decided in labels.py. In short: the line is
scanned for candidate pairs, a label (one to four words) and a number after `:`, `=`, blanks
or a bracket; each label is read for its meaning (a metric, a step, a phase, a count, or a
name the vocabulary does not know) and the form decides only for the names it does not know.

Over 400 lines because every test the console collector makes of one line lives here (pairs,
phases, a config echo, a CSV row): they read the same masks and patterns, and the collector
asks them in turn of each line; and because parse_line keeps, per shape of line, the plan
the reading in full traced (the cache of shapes), which must follow every one of those tests.
"""
from __future__ import annotations

import re
import sys
from bisect import bisect_left
from operator import itemgetter
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

from runwrap.collectors.console.prefixes import prefix_end
from runwrap.collectors.console.labels import (
    BLANK, COLON, COLON_BLANK, LIST, METRIC, OTHER, PHASE, STEP, Label, head_names_settings,
    label_for, read_label)
from runwrap.collectors.console.labels import cache as labels_cache
from runwrap.collectors.console.vocabulary import (
    FILLER_WORDS, CONFIG_SECTIONS, CONFIG_WORDS, METRIC_WORDS, PERCENT_MEASURES, PHASE_KEYS, PROCESS_WORDS,
    SETTING_SUFFIXES,
    STEP_COUNT_WORDS, STEP_RANK, SUMMARY_WORDS, ends_training, names_count, names_metric, parts,
    phase_of, plural_step, printed_by_tracker, step_key)

Number = Union[int, float]
Parsed = Tuple[Dict[str, Number], Optional[int]]

try:
    from operator import call as _call  # 3.11+
except ImportError:  # pragma: no cover
    def _call(convert, text):  # type: ignore[no-redef]
        return convert(text)

MAX_LINE = 8192

# Possessive quantifiers (3.11+) stop the engine from giving back characters it can never use
# (a key can only be followed by a quote, a blank or a separator): about twice as fast. Older
# Pythons get the same grammar with plain greedy quantifiers.
_P = "+" if sys.version_info >= (3, 11) else ""
# `41,943,040` and `1,234.5` are one number each (groups of three digits after a comma, then
# maybe a fraction: `1,234.5, acc`); `1,2345` and `1,234,5` are not.
_NUMBER = (rf"[-+]?{_P}(?:(?:\d{{1,3}}(?:,\d\d\d)+(?:\.\d+{_P})?{_P}(?![\d]|[,.]\d)"
           rf"|\d+{_P}(?:\.\d*{_P})?{_P}|\.\d+{_P})"
           rf"(?:[eE][-+]?{_P}\d+{_P})?{_P}|(?i:nan|inf(?:inity)?{_P}))")
_END = r"""(?=[\s,;|)\]}%/'"]|[.:](?!\d)|$)"""
_BOUNDARY = r"""[ \t,;|(\[{'"]"""
# A word starts with a letter of any script (or any character past U+00A9: one range is
# much faster for the engine than several; labels.py decides what such a word means).
# Each class is written as the characters it leaves out: [A-Za-z\u00aa-\U0010ffff] and
# [\w./@()\u00aa-\U0010ffff-] (no letter or digit lies in U+0080-U+00A9) hold the same
# characters, but re compiles a class listing a range past U+FFFF one code point at a time
# in Python, about 9 ms a class, and every run pays that at its start.
_START = r"[^\x00-@\[-`{-\u00a9\u2190-\u21ff]"  # (no arrow: `loss → 0.3`)
_REST = r"[^\x00-'*-,:-?\[-^`{-\u00a9]"
_WORD = rf"{_START}{_REST}*{_P}"
# A word as a unit after a number: punctuation, arrows, box drawing and other symbols
# (U+2000-U+2BFF: the en dash in `RMSE: 3.79 – 0:00:00.246`, a bar's `━`) start none.
_UNIT_WORD = rf"[^\x00-@\[-`{{-\u00a9\u2000-\u2bff]{_REST}*"
_AFTER = re.compile(rf"""[ \t]+({_UNIT_WORD}(?:(?:'s)?[ ]{_UNIT_WORD})?)['"]?[ \t]*([:=]?)""")
# A label is a word, or up to four words joined by single blanks (`Training acc over epoch`),
# or a data set's own (`training's l2`); labels.py decides what it means.
_PHRASE = rf"{_WORD}(?:(?:'s)?{_P}[ ]{_WORD}){{0,3}}{_P}"
# The pattern starts with a boundary character class, so the regex engine jumps from boundary
# to boundary in C instead of trying every position; the line gets a leading blank for it.
# Groups: label; what joins it to the number (`: `, `=`, `: [`, blanks, `[`: labels.py reads
# the form from it); number; the denominator of a fraction (`9782/10000`); a bracket closing
# right after the number (`[23.]`); and the text after it (a unit, or the next label).
_DEFAULT_SOURCE = (
    _BOUNDARY
    + rf"""({_PHRASE})['"]?"""
    + rf"""([ \t]*{_P}(?:={{1,3}}|-{{1,3}})>[ \t]*{_P}|[ \t]*{_P}\u2192[ \t]*{_P}"""
    + rf"""|[ \t]*{_P}[:=][ \t]*{_P}['"]?(?:\[[ \t]*{_P})?"""
    + rf"""|(?=[ \t]+{_P}[-+]?\.?\d)[ \t]+{_P}|[ \t]*{_P}\[[ \t]*{_P}"""
    + rf"""|[ \t]+{_P}(?:[*~]{{1,3}}[ \t]+{_P}|-{{1,3}}[ \t]+{_P}|\#[ \t]*{_P}))"""
    + rf"({_NUMBER})(?:/(\d+{_P}))?(\])?{_END}"
    + r"(?!%\||%[ \t]+\d+/\d)"  # `valid:  40%|####`, `train: 100% 50/50`: a bar's position
    + r"(?=(.{0,48}))")  # what follows, for the unit rule (read only after a name it lacks)
_DEFAULT: Optional["re.Pattern[str]"] = None  # compiled at the first line parsed
# A step written before everything else: `[12]\ttrain-rmse:0.5` (XGBoost, LightGBM),
# `[1,000] Accuracy: 86.69%`, `12:\tlearn: 0.69` (CatBoost), and counters in brackets
# with no word, the outer one first (DCGAN's `[0/25][14/782] Loss_D: ...` is in epoch 0, as
# `Epoch: [0][14/782]` is).
_LEADING_STEP = re.compile(r"""\[(\d{1,3}(?:,\d{3}){1,5}|\d{1,18})\]|(\d{1,18}):[ \t]
                               |\[[ \t]*(\d{1,18})[ \t]*/[ \t]*\d{1,18}[ \t]*\](?=[ \t\[:]|\Z)""",
                           re.X)
# A phase word, then two counters in brackets (Swin-Transformer's `Train: [0/300][10/1251]`):
# the outer one is the line's step, as with no word before them. Groups: the word, the step.
_PHASE_COUNTERS = re.compile(
    r"([A-Za-z]+):?[ \t]*\[[ \t]*(\d{1,18})[ \t]*/[ \t]*\d{1,18}[ \t]*\]\[[ \t]*\d{1,18}[ \t]*/")
# A phase named at the start of a line: `Test: [0/100]`, `Validation Results - Epoch: 1`,
# `Train Epoch: 1`, `Epoch(val) [1][10/10]` (MMEngine), `* Test set: Average loss`.
_LINE_PHASE = re.compile(
    r"[ \t*=>#\-\[(|]*(?:(?:Epoch|Iter)\((\w+)\)|([A-Za-z]+)(?=[ \t:\])\-|,.]|$))")
_COARSE = STEP_RANK["episode"]  # step keys from here on count rounds, not steps
# A phrase right after a value saying at which step it was measured: `Loss: 0.0007 after
# 721 batches`, `acc 0.91 (after 3 epochs)`, `loss 0.01 in 1,200 iterations`, `acc 0.91 at
# batch 300`. Groups: the number, then the word counting steps (either order).
_COUNT_WORD = "|".join(sorted(STEP_COUNT_WORDS, key=len, reverse=True))
_N = r"(\d{1,3}(?:,\d{3})+|\d{1,18})"
_STEP_PHRASE = re.compile(rf"""%?[ \t]*[(,]?[ \t]*(?:after|in|at)[ \t]+
                               (?:{_N}[ \t]+({_COUNT_WORD})|({_COUNT_WORD})[ \t]+{_N})\b""",
                          re.X | re.I)
# The same phrase opening the line (`After 721 batches, loss: 0.0007`), or ending a label
# before its `:` or `=` (`Validation accuracy after 3 epochs: 0.91`). Group: the number.
_OPENING_PHRASE = re.compile(rf"(?:after|at)[ \t]+{_N}[ \t]+(?:{_COUNT_WORD})\b[ \t]*[,:;|-]",
                             re.I)
_LABEL_PHRASE = re.compile(
    rf"[ \t](?:after|in|at)[ \t]+{_N}[ \t]+(?:{_COUNT_WORD})[ \t]*[:=][ \t]*[-+.\d]", re.I)
# The first letters of the phase words, and of MMEngine's Epoch( and Iter(.
# A line that may name a phase at its start (line_phase reads it): it starts with the first
# letters of one, with punctuation before one, or with a logging prefix.
_PHASE_HEADS = frozenset(("tra", "val", "tes", "eva", "pre", "inf"))
_MMENGINE = ("Epoch(", "Iter(")
_PHASE_LEAD = frozenset(" \t*=>#-[(|<0123456789")
_NUMBER_STARTS = frozenset("0123456789-+.")
_PHASE_STARTS = ("tra", "val", "tes", "eva", "pre", "inf", "epoch(", "iter(")
# What a program or a launcher prints before a message to say which process printed it, not
# what was measured: a number (mnist_hogwild prints its pid first: `18257\tTrain Epoch: 1`;
# `0: `, `3 | `), a process word and its number (`rank 0: `, `Worker-1 | `, `Rank 1 `), or a
# tag in brackets (`[rank 3] `, `[GPU0]`, `<rank 0>`, Ray's `(pid=4242) `). The
# phase named after it is the line's phase (a number may still be the line's step: see
# _LEADING_STEP).
_PROCESS = "|".join(sorted(PROCESS_WORDS, key=len, reverse=True))
_TAG_HEADS = frozenset(w[:3] for w in PROCESS_WORDS)
_TAG = re.compile(rf"""[ \t]*(?:(?:\[[^\[\]]{{1,32}}\]|\([^()]{{1,64}}\)|<[^<>]{{1,32}}>)
                               [ \t]*[:|]?[ \t]*
                      |\d{{1,18}}(?:[ \t]*[:|][ \t]*|[ \t]+)
                      |(?i:{_PROCESS})[ \t_-]?\d{{1,18}}(?:[ \t]*[:|][ \t]*|[ \t]+))+""", re.X)
# A clause that names the best so far (Optuna's `... Best is trial 0 with value: 0.10.`).
_BEST_CLAUSE = re.compile(r"(?:^|[.;,|:\]] +)[Bb]est\b")
# The arguments of a call or a printed object (`Namespace(lr=0.1)`, `Linear(in_features=9)`)
# are no metrics.
# The label of a dict printed after it: a dict of settings or samples is no metrics.
_DICT_LABEL = re.compile(r"([A-Za-z][\w .-]*)['\"]?[ \t]*[:=][ \t]*\Z")
# A value in a dict that is not a number: a string (a name, a path) makes it a dict of
# arguments, as do two flags (a metrics dict may hold one, `'is_best': True`).
_WORD_VALUE = re.compile(
    r""":[ \t]*(?:(')(?![-+.\d]|nan'|inf')|(")(?![-+.\d])|True\b|False\b|None\b)""")
# A phase named as the value of a phase key (vocabulary.PHASE_KEYS): `'split': 'test'`,
# `mode=eval`, `Phase: Train`.
_PHASE_VALUE = re.compile(
    r"""(?i:(?<![\w-])(?:%s)['"]?[ \t]*[:=][ \t]*['"]?)([A-Za-z]+)(?![\w-])"""
    % "|".join(sorted(PHASE_KEYS)))
_PHASE_KEY_PARTS = tuple(k[1:] for k in sorted(PHASE_KEYS))  # (`Split`, `split`)


def _names_phase_key(line: str) -> bool:
    """A cheap first look for _PHASE_VALUE."""
    return any(k in line for k in _PHASE_KEY_PARTS)


# A line of at least _TEXT_LINE characters giving fewer than one value per _TEXT_SPAN
# letters is text. Reports are denser: a printed dict of metrics, a progress bar's postfix
# or a Megatron line give one value per 5 to 40 letters.
_TEXT_LINE = 400
_TEXT_SPAN = 80


def _letters(line: str) -> int:
    if line.isascii():
        return len(line) - len(line.encode().translate(None, _ASCII_LETTERS))
    return sum(c.isalpha() for c in line)


_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SETTINGS_HEAD = re.compile(r"[A-Za-z][A-Za-z _/-]*\Z")
# A scalar as an array library writes it, the number first: PyTorch's `tensor(0.45,
# grad_fn=<...>)`, NumPy's `np.float64(26.59)` and `array(0.5)`, JAX's `Array(0.15,
# dtype=float32)` (`DeviceArray` before 0.4), TensorFlow's `tf.Tensor(0.5, shape=(),
# dtype=float32)` and, in a printed dict, `<tf.Tensor: shape=(), dtype=float32, numpy=0.5>`.
_TENSOR = re.compile(
    rf"\b(?:tensor|tf\.Tensor|(?:Device)?Array|array|(?:np|numpy)\.(?:float|int|uint)\d*)"
    rf"\(({_NUMBER})(?:,[^()]*(?:\(\)[^()]*)*)?\)"
    rf"|<tf\.(?:Tensor|Variable)\b[^<>]*?[ \t]numpy=({_NUMBER})>")
_TENSOR_HINTS = ("tensor(", "Tensor", "rray(", "np.", "numpy")


def _scalar_of(m: "re.Match[str]") -> str:
    return m.group(1) or m.group(2)
_CLOSE = {"(": ")", "{": "}", "[": "]"}
# The number ending a line after `:` or `=` (not a comparison: `acc=0.93 >= 0.9`, `!= 0.5`).
_LAST_NUMBER = re.compile(rf"(?<![<>!=])[:=][ \t]+({_NUMBER})[ \t]*%?[ \t]*\Z")
_WORDS = re.compile(r"[A-Za-z][\w@.-]*")


def _default_regex() -> "re.Pattern[str]":
    """The default grammar, compiled on first use: compiling it costs more than a short run's
    whole recording, and a program that prints nothing never needs it."""
    global _DEFAULT
    if _DEFAULT is None:
        # ASCII classes are faster; letters beyond ASCII are listed in the key classes
        # instead, so keys in any script still work while digits stay 0-9.
        _DEFAULT = re.compile(_DEFAULT_SOURCE, re.ASCII)
    return _DEFAULT


def cut_line(line: str) -> str:
    """The first MAX_LINE characters, ending at a blank so that no value is cut in half."""
    head = line[:MAX_LINE]
    blank = max(head.rfind(" "), head.rfind("\t"))
    return head[:blank] if blank > 0 else ""


# A number after blanks (`epoch 3`, `loss 0.41`) or opening an array's scalar (`loss
# tensor(0.41)`): a line without it, `:` or `=` holds no value.
_BLANK_NUMBER = re.compile(r"[ \t(][-+]?\.?\d")


def may_hold_bare_pairs(text: str) -> bool:
    """False when no line of `text` holds a number after blanks (`epoch 3`, `loss 0.41`) or
    a parenthesis (`loss tensor(0.41)`)."""
    return _BLANK_NUMBER.search(text) is not None


# A label's qualifier, one word in parentheses after a blank, right before the `=` or `:` of
# a number (tqdm's postfix of `set_postfix(**{'loss (batch)': loss})`: `loss (batch)=0.202`;
# `acc (top1): 0.9`): part of the label, `loss_batch`. The line keeps its length (`loss
# (batch)=` reads `loss_batch  =`), so every number stays at its place.
_QUALIFIER = re.compile(r"(?<=[A-Za-z0-9_]{2}) \(([A-Za-z][A-Za-z0-9_]{0,31})\)"
                        r"(?=[ \t]*[:=][ \t]*[-+]?\.?\d)")


def _qualified(m: "re.Match[str]") -> str:
    return "_" + m.group(1) + "  "


# (Blanks after the quote only: two blank runs side by side made a failed match quadratic
# in the blanks a masked call leaves, 0.3 s for one 8 KiB line.)
_LABELLED = re.compile(r"[ \t]*(?:['\"][ \t]*)?[:=]")


def _mask_arguments(line: str, trace: Optional[dict] = None, words: bool = True) -> str:
    """`line` with the arguments of calls and printed objects blanked out (a `trace` is
    told when the decision read a number: see parse_line); with `words` False, a dict is
    not taken for arguments for its word values alone (see dict_record)."""
    start = line.find("(")
    while start > 0:
        close = line.find(")", start)
        if close < 0:
            break
        if (line[start - 1].isalnum() or line[start - 1] == "_") and "=" in line[start:close]:
            line = _blank(line, start)
            close = line.find(")", start)  # the matching one, nested calls included
            if _LABELLED.match(line, start) is None:
                # The object's name goes too: micrograd's `Value(data=0.89, grad=0) 0.5`
                # names no value 0.5, while `MulticlassAccuracy(num_classes=10): 0.9` does.
                name = start
                while name > 0 and (line[name - 1].isalnum() or line[name - 1] in "_."):
                    name -= 1
                line = line[:name] + " " * (start - name) + line[start:]
        start = line.find("(", close)
    start = line.find("@[")
    while start >= 0:  # pycocotools' `AP @[ IoU=0.50:0.95 | maxDets=100 ] = 0.404`: conditions
        line = _blank(line, start + 1)
        start = line.find("@[", start + 1)
    start = line.find("{")
    word_values: Optional[_WordValues] = None
    while start >= 0:
        m = _DICT_LABEL.search(line, max(0, start - 64), start) if start else None
        if trace is not None and m is not None and _HAS_DIGIT.search(m.group(1)):
            trace["bad"] = True  # `Sample 3 of the set: {...}`: the label holds a number
        if m is not None and head_names_settings(m.group(1)):
            line = _blank(line, start)  # `parameters: {'x': 1.2}`, `Sample 3 of the set: {...}`
        elif words:
            if word_values is None:
                word_values = _WordValues(line)
            if word_values.holds_arguments(start) and not _reports_a_point(line, start):
                line = _blank(line, start)  # `{'input_file': 'names.txt', 'lr': 0.1}`: arguments
        start = line.find("{", start + 1)
    return line


# An item of a printed dict: its key, and its value as a word or as a number.
_DICT_ITEM = re.compile(r"""['"]([A-Za-z_][\w./@-]{0,63})['"][ \t]*:[ \t]*"""
                        r"""(?:['"]([A-Za-z][\w.-]*)['"]|['"]?([-+]?[\d.]+(?:[eE][-+]?\d+)?))""")


def _reports_a_point(line: str, start: int) -> bool:
    """True when the dict opening at `start` reads as a report rather than a run's arguments,
    though it holds words: a measure with a number and a step key with a whole number or a
    phase named under a phase key (`{'epoch': 1, 'loss': 0.3, 'phase': 'train', 'model':
    'resnet'}`), or two measures or more making most of its numbers (`{'test_loss': 0.3,
    'test_acc': 0.9, 'checkpoint': 'best.pt'}`). A measure is a metric word other than a side
    value (`lr`), not named as a setting of it (`loss_weight`, `score_threshold`)."""
    measures = numbers = 0
    point = False
    for m in _DICT_ITEM.finditer(line, start, line.find("}", start) % (len(line) + 1)):
        key, word = m.group(1), m.group(2)
        if word is not None:
            point = point or (key.lower() in PHASE_KEYS and phase_of(word) is not None)
            continue
        numbers += 1
        if step_key(key):
            point = point or m.group(3).isdigit()
            continue
        label = read_label(key, COLON)
        if label is not None and label.kind is METRIC:
            last = parts(key)[-1]
            measures += last not in _SIDE_VALUES and last not in SETTING_SUFFIXES
    return measures > 0 and point or measures >= 2 and 2 * measures > numbers


class _WordValues:
    """Where a line's word values and flags are (_WORD_VALUE), found once per line: asking
    anew from each `{` of a line holding hundreds made the masking quadratic (0.14 s for an
    8 KiB line of `": {`)."""

    __slots__ = ("last_word", "flags")

    def __init__(self, line: str):
        self.last_word = -1
        self.flags: List[int] = []
        for m in _WORD_VALUE.finditer(line):
            if m.group(1) or m.group(2):
                self.last_word = m.start()
            else:
                self.flags.append(m.start())

    def holds_arguments(self, start: int) -> bool:
        """True when the dict at `start` (or what follows it on the line) holds a string
        value, or two flags."""
        return self.last_word >= start or len(self.flags) - bisect_left(self.flags, start) >= 2


def _blank(line: str, start: int) -> str:
    """`line` with the bracket at `start` and what it holds, to its match, made blanks."""
    opener = line[start]
    closer = _CLOSE[opener]
    depth, end = 0, len(line)
    for i in range(start, len(line)):
        c = line[i]
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                end = i + 1
                break
    return line[:start] + " " * (end - start) + line[end:]


def line_phase(line: str) -> Optional[str]:
    """The phase a line names at its start (`Test:` -> `test`), or None."""
    if not _opens_with_phase(line):
        # After a logging prefix (`12/07 05:34:46 - mmengine - INFO - Epoch(val) [1]`), or
        # a tag saying who printed the line (`18257\tTrain Epoch: 1`, `[rank 3] Test:`).
        start = prefix_end(line)
        m = _TAG.match(line, start)
        if m is not None:
            start = m.end()
        line = line[start:]
        if not start or not _opens_with_phase(line):
            return None
    m = _LINE_PHASE.match(line)
    if m is None:
        return None
    return phase_of(m.group(1) or m.group(2))


_SUMMARY_START = re.compile(r"[ \t*=>#\-\[(|]*([A-Za-z]+)\b")


def opens_summary(line: str) -> bool:
    """True for a line that opens with a summary word (`Averaged stats: …`, `average loss
    3.58`), after a logger's prefix if it has one."""
    m = _SUMMARY_START.match(line, prefix_end(line))
    return m is not None and m.group(1).lower() in SUMMARY_WORDS


def _opens_with_phase(line: str) -> bool:
    return line.lstrip(" \t*=>#-[(|")[:6].lower().startswith(_PHASE_STARTS)


_HEADING = re.compile(r"[\W_]*([A-Za-z]+)(?:(?:[ \t]+(?:set|data|dataset|results?|phase|split))?"
                      r"[\W_]*|(?:[ \t]+[A-Za-z]+){1,3}[ \t]*:[ \t]*)\Z")


_LETTERS = re.compile(r"[A-Za-z]+")


def says_training_ended(line: str) -> bool:
    """True when a line with a step says training has ended there (`Early stopping at step
    21 due to no improvement`, `Training finished at epoch 9`): see vocabulary.ends_training."""
    return ends_training([w.lower() for w in _LETTERS.findall(line)])


def names_best_step(line: str) -> bool:
    """True when a line's step word follows *best* (Keras's `Restoring model weights from the
    end of the best epoch: 4.`): it names a step past, not the one training is at."""
    words = [w.lower() for w in _LETTERS.findall(line)]
    return any(w in STEP_RANK and i and words[i - 1] == "best" for i, w in enumerate(words))


def heading_phase(line: str) -> Optional[str]:
    """The phase a line names and nothing else (`Test:`, `=== Validation ===`, a label
    without a value such as `Test Error:`), or None."""
    if len(line) > 80:
        return None
    m = _HEADING.match(line)
    return None if m is None else phase_of(m.group(1))


# A sentence naming the data set the next line measures (CS231n's `Checking accuracy on the
# val set`, `Evaluating on the test set...`): no digit, and it ends so.
_SENTENCE_PHASE = re.compile(r"[A-Za-z][A-Za-z ,'-]*[ \t](?:on|over|for)[ \t]+(?:the[ \t]+)?"
                             r"([A-Za-z]+)[ \t]+(?:set|data|dataset|split)[ \t]*[.:!]*[ \t]*\Z")


def sentence_phase(line: str) -> Optional[str]:
    """The phase a sentence names for the line after it (see _SENTENCE_PHASE), or None."""
    if len(line) > 80 or "set" not in line and "data" not in line and "split" not in line:
        return None
    m = _SENTENCE_PHASE.match(line.strip())
    return None if m is None else phase_of(m.group(1))


def with_phase(values: Dict[str, Number], phase: str) -> Dict[str, Number]:
    """`values` with `phase/` before each key that names no step and no phase of its own."""
    out: Dict[str, Number] = {}
    for key, value in values.items():
        if _takes_phase(key):
            out[f"{phase}/{key}"] = value
        else:
            out[key] = value
    return out


_phased: Dict[str, bool] = {}


def _takes_phase(key: str) -> bool:
    """True for a key that names a measure and no phase of its own: `loss`, `Acc@1` take the
    phase (so does `correct`, as `97.5% correct` gives it); `val_loss`, a step key, and side
    values (`lr`, `time`, `data`, `eta`) do not."""
    found = _phased.get(key)
    if found is None:
        found = (names_metric(key) or key in PERCENT_MEASURES) and not _has_phase(key) and not names_count(key) and (
            parts(key)[-1] not in _SIDE_VALUES)
        if len(_phased) >= 4096:
            _phased.clear()
        _phased[key] = found
    return found


# Measures that belong to no phase: the learning rate is the optimizer's.
_SIDE_VALUES = frozenset(("lr", "rate", "norm", "grad", "epsilon"))


def _has_phase(key: str) -> bool:
    cut = len(key)
    for sep in "/_-":
        i = key.find(sep)
        if 0 < i < cut:
            cut = i
    return phase_of(key[:cut]) is not None


# Lines of one shape are read alike. The shape of a line is its text with each digit made
# `0`, beside the words that hold digits (`top5`, `Acc@1`, the `e-04` of `3.00e-04`), kept
# as they are: two lines of one shape differ only in the digits of their numbers, and every
# test the grammar makes of a line reads a digit as a digit, whichever it is, except a few
# that compare numbers (two step counters, a denominator of 0, a line ending in the number
# a pair took, a digit in the label of a printed dict). So the first line of a shape is
# read in full, and where none of those comparisons was made, what it gave is kept as a
# plan: for each key, where its number stands on the line; the next lines of that shape
# only convert their numbers. A shape whose reading compared numbers is always read in
# full. The cache is cleared past _SHAPES_LIMIT shapes (memory stays bounded whatever the
# input), and the next _BYPASS lines are read in full (text where shapes rarely repeat, such
# as random bytes, would pay for the plans without using them); lines longer than
# _SHAPE_MAX, and lines with characters past ASCII, are always read in full.
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
# From the first letter of a run of letters (not from each), to the first digit, then on to
# the end of the word: one pass over a word that holds none.
_DIGIT_WORDS = re.compile(rf"(?<!{_START}){_START}[^\x00-'*-,0-?\[-^`{{-\u00a9]*[0-9]{_REST}*")
_HAS_DIGIT = re.compile(r"[0-9]")
_SHAPE_MAX = 400
_SHAPES_LIMIT = 4096
_word_spans: Dict[bytes, object] = {}  # shape: an itemgetter of its digit words, or None
_shapes: Dict[object, object] = {}  # shape, or (shape, digit words...): the plan
_BYPASS = 4 * _SHAPES_LIMIT  # lines read in full, without the cache, after it filled up
_bypass = 0
_FULL = object()  # a shape read in full every time
_MISS = object()
# A plan: None (the line prints no metric), or the keys, an itemgetter of their numbers on
# the line, the function that makes each a value, and the step's (start, end, function) or
# None. An op, as the reading in full traces it, is (start, end, has_comma, as_int).


def _comma_int(text: str) -> int:
    return int(text.replace(",", ""))


def _comma_float(text: str) -> float:
    return float(text.replace(",", ""))


_CONVERT = {(False, True): int, (False, False): float, (True, True): _comma_int,
            (True, False): _comma_float}


def _plan(ops: Dict[str, tuple], step_op: Optional[tuple]) -> tuple:
    names = tuple(ops)
    places = [slice(start, end) for start, end, _, _ in ops.values()]
    convert = tuple(_CONVERT[op[2:]] for op in ops.values())
    if len(places) == 1:
        places.append(places[0])  # a tuple, as with more (zip stops at the one name)
    step_at = None if step_op is None else (step_op[0], step_op[1], _CONVERT[step_op[2:]])
    return names, itemgetter(*places), convert, step_at


# A line of `label value` fields set apart by blanks alone, three or more, each value a number
# or a duration (StyleGAN's `tick 2     kimg 8.1      time 51m 27s      sec/tick 925.6   …
# augment 0.004`): each field reads as `label: value`, and a duration gives nothing.
_FIELD = (r"[A-Za-z_][\w/.@-]*[ \t]+"
          r"(?:[-+]?\d[\d.]*(?:e[-+]?\d+)?|(?:\d+[dhms][ \t]+)*\d+[dhms])(?![^ \t])")
_FIELDS = re.compile(rf"[ \t]*(?:{_FIELD}[ \t]+){{2,}}{_FIELD}[ \t]*\Z")
_ONE_FIELD = re.compile(rf"({_FIELD})")
_DURATION = re.compile(r"[A-Za-z_][\w/.@-]*[ \t]+\d+[dhms]")


# A table row whose first cell is a name with an output index glued to it (StyleGAN's module
# summary: `synthesis.b4:0        8192        16       [8, 512, 4, 4]      float32`): the
# other cells, two blanks or more apart, are bare (a number, `-`, a bracketed shape, a word),
# one of them no number, none a label before a number; the name no step or measure. No
# `name: value` pair.
_BARE_CELL = r"(?:[-+]?\d[\d.]*(?:e[-+]?\d+)?|-|\[[^\[\]]*\]|\([^()]*\)|[A-Za-z_]\w*)"
_INDEXED_ROW = re.compile(rf"[ \t]*[A-Za-z_][\w.]*:\d+(?:[ \t]{{2,}}{_BARE_CELL})+[ \t]*\Z")
_WORD_CELL = re.compile(r"[ \t]{2,}(?:\[|\(|[A-Za-z_])")


def _indexed_row(line: str) -> bool:
    if _INDEXED_ROW.match(line) is None:
        return False
    colon = line.index(":")
    name = line[:colon].strip()
    if step_key(name) or names_metric(name) or _LABEL_CELL.search(line, colon):
        return False  # `epoch:3  train`, `loss:1  -`, `x:1  loss  0.5`: pairs
    return _WORD_CELL.search(line, colon) is not None


_LABEL_CELL = re.compile(r"[A-Za-z_]\w*[ \t]{2,}[-+]?\d")


def _as_fields(line: str) -> str:
    """`line` with its `label value` fields written `label: value` when it is made of them
    alone (see _FIELDS), the durations blanked; else `line` itself."""
    start = line.rfind(":") + 1
    if _FIELDS.match(line, start) is None:
        return line
    if start:  # the fields after a logger's prefix only
        start = prefix_end(line)
        if _FIELDS.match(line, start) is None:
            return line
    out = [line[:start]]
    labels = set()
    for m in _ONE_FIELD.finditer(line, start):
        label, value = m.group(1).split(None, 1)
        if label.lower() in labels:
            return line  # a label twice: no fields
        labels.add(label.lower())
        if not _DURATION.match(m.group(1)):
            out.append(f"{label}: {value}  ")
    return "".join(out)


def parse_line(line: str) -> Optional[Parsed]:
    """The metrics a console line prints and its step, or None when it prints none."""
    if "=" not in line and ":" not in line and _BLANK_NUMBER.search(line) is None:
        return None  # cheaper than the regex for plain text lines
    if "=" not in line:
        line = _as_fields(line)  # (so the shape is the fields' shape; _parse does it too)
    global _bypass
    if len(line) > _SHAPE_MAX or not line.isascii():
        return _parse(line, None)  # (finding the digit words of other text costs more)
    if _bypass:  # the cache filled up: text of many shapes, for which it costs more
        _bypass -= 1
        return _parse(line, None)
    shape = line.encode().translate(_ZEROS)
    words = _word_spans.get(shape, _MISS)
    if words is _MISS:  # the digit words stand at the same places on every line of a shape
        places = [slice(*m.span()) for m in _DIGIT_WORDS.finditer(line)]
        words = _word_spans[shape] = itemgetter(*places) if places else None
    key = shape if words is None else (shape, words(line))  # type: ignore[operator]
    plan = _shapes.get(key, _MISS)
    if plan is _MISS:
        trace: dict = {}
        found = _parse(line, trace)
        if len(_shapes) >= _SHAPES_LIMIT:
            _shapes.clear()
            _word_spans.clear()
            _bypass = _BYPASS
        _shapes[key] = _FULL if trace.get("bad") else trace.get("plan")
        return found
    if plan is None:
        return None
    if plan is _FULL:
        return _parse(line, None)
    names, numbers, convert, step_at = plan  # type: ignore[misc]
    values = dict(zip(names, map(_call, convert, numbers(line))))
    if step_at is None:
        return values, None
    start, end, convert = step_at
    return values, convert(line[start:end])


def dict_record(line: str) -> Optional[Parsed]:
    """What a line holding a dict with word values gives when the dict is read as a record,
    not as arguments (`{'loss': 0.3, 'acc': 0.9, 'model': 'resnet', 'opt': 'adam'}`): the
    stream asks when such a dict is printed again with other numbers (scalars.py); None
    when it holds no measure."""
    found = _parse(line, None, words=False)
    if found is None or not any(names_metric(k) and not names_count(k)
                                and parts(k)[-1] not in _SIDE_VALUES for k in found[0]):
        return None
    return found


def _parse(line: str, trace: Optional[dict], words: bool = True) -> Optional[Parsed]:
    """parse_line's reading in full; with a `trace`, also the plan for the line's shape
    (trace["plan"]), or trace["bad"] when the reading compared numbers."""
    if len(line) > MAX_LINE:
        line = cut_line(line)
    if "=" not in line and ":" not in line and _BLANK_NUMBER.search(line) is None:
        return None  # cheaper than the regex for plain text lines
    if "=" not in line:
        line = _as_fields(line)
        if ":" in line and _indexed_row(line):
            return None
    if printed_by_tracker(line):
        return None  # `wandb:     score 22`: a tracker's footer about its own records
    start = prefix_end(line)
    if start:
        # `INFO root:15 loss=0.5`, `I1207 10:00:00.123 train.py:55] ...`: a logger's prefix
        # says when and where, not what; blanks keep each number at its place on the line.
        line = " " * start + line[start:]
    if " (" in line:
        line = _QUALIFIER.sub(_qualified, line)
    if "(" in line or "<tf." in line:
        if any(hint in line for hint in _TENSOR_HINTS):
            # `valid tensor(0.4523)`, `'loss': Array(0.15, dtype=float32)`: the number
            line = _TENSOR.sub(_scalar_of, line)
            if trace is not None:
                trace["bad"] = True  # the numbers moved
        if "=" in line:
            line = _mask_arguments(line, trace, words)
        elif "{" in line or "@[" in line:
            line = _mask_arguments(line, trace, words)
    elif "{" in line or "@[" in line:
        line = _mask_arguments(line, trace, words)
    best_at = -1
    if "est" in line:
        m = _BEST_CLAUSE.search(line[start:] if start else line)
        if m is not None:
            best_at = start + m.end() - 4
    first_trace = None if trace is None else {}
    late = None
    if ("," in line or "/" in line) and _LISTED_VALUES.search(line, start) is not None:
        late = _listed(line, start)
    if late is None and (_VALUE_FIRST_START.match(line, start) is not None
                         or _VALUE_FIRST_AFTER.search(line, start) is not None):
        late = _value_first(line, start, trace)
    if late is not None:
        line = late.line  # what the items took is blanked out for the pairs
    if best_at <= start:
        values, step, first_step = _pairs(line, best_at == start, first_trace, 0)
    else:
        values, step, first_step = _pairs(line[:best_at], False, first_trace, 0)
        best_trace = None if trace is None else {}
        best, _, _ = _pairs(line[best_at:], True, best_trace, best_at)
        values.update(best)
        if trace is not None:
            first_trace["ops"].update(best_trace["ops"])  # type: ignore[index]
            if best_trace.get("bad"):  # type: ignore[union-attr]
                trace["bad"] = True
    if trace is not None:
        if first_trace.get("bad"):  # type: ignore[union-attr]
            trace["bad"] = True
        ops = first_trace["ops"]  # type: ignore[index]
        step_op = first_trace["step"]  # type: ignore[index]
    if late is not None:
        values = {**late.values, **values}
        if trace is not None:
            ops = {**late.ops, **ops}
        if step is None and late.step is not None:
            step = late.step
            if trace is not None:
                step_op = late.step_op
    if not values:
        return None
    if len(line) >= _TEXT_LINE and len(values) * _TEXT_SPAN < _letters(line):
        # A long line with few pairs is text (a model's generated sample, a record of a data
        # set echoed): its `population = 4412` and `score: 12` are there by chance.
        return None
    colon = line.find(":", start)
    if start < colon < start + 80 and line[colon + 1:colon + 3].strip()[:1] not in _NUMBER_STARTS and (
            _SETTINGS_HEAD.match(line, start, colon) and head_names_settings(line[start:colon])):
        return None  # `Overriding: device = cpu`, `Number of parameters:  pi: 4610,  v: 4545`
    if step is None:
        step = first_step
        if trace is not None:
            step_op = first_trace["first"]  # type: ignore[index]
        if step is None:
            first = line[start:start + 1]
            if first == "[" or "0" <= first <= "9":
                m = _LEADING_STEP.match(line, start)
                if m:
                    g = 1 if m.group(1) else 2 if m.group(2) else 3
                    step = int(m.group(g).replace(",", ""))
                    if trace is not None:
                        step_op = (m.start(g), m.end(g), True, True)
            elif first.isalpha():
                m = _PHASE_COUNTERS.match(line, start)
                if m is not None and phase_of(m.group(1)) is not None:
                    step = int(m.group(2))  # `Train: [0/300][10/1251]`: epoch 0
                    if trace is not None:
                        step_op = (m.start(2), m.end(2), False, True)
    first = line[:1]
    phase = None
    if (line[:3].lower() in _PHASE_HEADS or line.startswith(_MMENGINE)
            or line[:3].lower() in _TAG_HEADS if first.isalpha() else first in _PHASE_LEAD):
        phase = line_phase(line)
    if phase is None and late is not None:
        phase = late.phase  # `E1 trn  0.0748 loss, …`
    if phase is None and ("=" in line or ":" in line) and _names_phase_key(line):
        m = _PHASE_VALUE.search(line)
        if m is not None:
            phase = phase_of(m.group(1))  # `{'split': 'test', ...}`, `mode=eval loss=0.3`
    if phase is not None:
        values = with_phase(values, phase)
        if trace is not None:
            ops = with_phase(ops, phase)
    if trace is not None and not trace.get("bad"):
        trace["plan"] = _plan(ops, step_op)
    return values, step


def _pairs(line: str, best: bool, trace: Optional[dict] = None, offset: int = 0
           ) -> Tuple[Dict[str, Number], Optional[int], Optional[int]]:
    """The values of the pairs on `line`, its step, and the number after a phase word that
    starts it (timm's `Train: 3 [...]`), which is the step when no step key is found.
    In a clause naming the best so far, keys start with `best_` and steps are not the line's.
    With a `trace` (a dict), also the place of each value: trace["ops"] (key: op, see
    parse_line; `offset` is where `line` starts on the line read), trace["step"] and
    trace["first"] (the ops of the step and of that number), and trace["bad"] when a
    decision compared numbers."""
    regex = _DEFAULT or _default_regex()
    spans: List[Tuple[int, int]] = []
    if trace is None:
        found = regex.findall(" " + line)
    else:
        matches = list(regex.finditer(" " + line))
        found = [m.groups() for m in matches]
        spans = [(m.start(3) - 1, m.end(3) - 1, m.start(6) - 1) for m in matches]
        ops: Dict[str, tuple] = {}
        trace["ops"] = ops
        trace["step"] = trace["first"] = None
        kept_end = -1
    values: Dict[str, Number] = {}
    step: Optional[int] = None
    first_step: Optional[int] = None
    best_rank = len(STEP_RANK)
    banner = False
    kept_text = ""  # the number of the last pair kept
    kept_at = -1  # and its place among the pairs
    measure = ""  # the measure of the last `train/loss`, for a phase and value after it
    measured = False  # a measure other than a side value (`lr`) was kept
    counter = None  # a plural step word's pair (`Steps: 64`): its place, Label and number
    phrase_step = None  # `Loss: 0.0007 after 721 batches`: the step, its rank and op
    known = labels_cache.get
    for i, (phrase, joint, text, denominator, closed, after) in enumerate(found):
        label = known((phrase, joint), labels_cache)
        if label is labels_cache:
            label = label_for(phrase, joint)
        if label is None:
            if closed and not denominator and "[" in joint and joint[0] != "[":
                label = read_label(phrase, LIST)  # `episodic_return=[23.]`: a list of one
            elif counter is None and text.isdigit() and len(text) < 19 and not best:
                found_counter = _counter(phrase)
                if found_counter is not None and (
                        denominator or joint.strip()
                        or line.lstrip(" \t[(|*-").startswith(phrase)):
                    counter = (i, found_counter, text)  # the step or a setting: see below
            elif " " in phrase and not joint.strip() and after[:1] in _PHRASE_LEAD and (
                    _step_phrase(after, None) is not None):
                label = _measure_in(phrase, joint)  # `reached loss 0.01 in 1200 iterations`
            if label is None:
                continue
        key, kind, _, rank, is_banner, label_measure, form = label
        if kind is METRIC:
            if after[:1] in (" ", "\t") and text.isdigit() and _counts_things(after):
                continue  # `Error: 3 files missing`: a number of things, not the measure
            if label_measure:
                measure = label_measure
            if not measured and parts(key)[-1] not in _SIDE_VALUES:
                measured = True
        elif kind is not STEP:
            if kind is PHASE:
                if (form == COLON_BLANK and not values and first_step is None
                        and text.isdigit() and len(text) < 19 and _LINE_PHASE.match(line)):
                    first_step = int(text)  # `Train: 3 [  0/100 (0%)]`: the phase, its epoch
                    if trace is not None:
                        trace["first"] = (spans[i][0] + offset, spans[i][1] + offset, False, True)
                    continue
                if form == BLANK:
                    if not measure:
                        continue
                    key = f"{phase_of(phrase)}/{measure}"  # `LOSS train 0.41 valid 0.45`
                    kind = METRIC
                else:
                    kind = OTHER  # CatBoost's `test: 1.03`: a name here
            if kind is OTHER:
                if form != BLANK and after[:1] in (" ", "\t") and _is_unit(after):
                    continue  # `12 GB`, `0 TPU cores`, `0.05 s/iter. Eval:`: a unit
                at = line.find(phrase)
                if at > 2 and line[at - 3:at] in (" + ", " & "):
                    continue  # `Student accuracy with CE + KD: 71.2%`: the end of a label
                banner = banner or is_banner
        if rank is not None and text[-1:] == "." and text[:-1].isdigit():
            # `Saving checkpoint at step 100.`, `Epoch 3. Loss: 0.5`: a sentence's point
            text = text[:-1]
            if trace is not None:
                spans[i] = (spans[i][0], spans[i][1] - 1, *spans[i][2:])
        kept_text, kept_at = text, i
        if trace is not None:
            kept_end = spans[i][1]
        if phrase_step is None and not best and after[:1] in _PHRASE_LEAD:
            phrase_step = _step_phrase(after, None if trace is None else spans[i][2] + offset)
        if best:
            if rank is not None:
                continue
            if not key.lower().startswith("best"):
                key = "best_" + key
        if "," in text:
            text = text.replace(",", "")
        # Long digit strings go through float: int() refuses over 4300 digits (3.11+).
        if text.isdigit() and len(text) < 19:
            if denominator and kind is METRIC and _divisor(denominator):
                values[key] = int(text) / _divisor(denominator)  # `Accuracy: 9782/10000 (98%)`
                if trace is not None:
                    trace["bad"] = True
                continue
            if trace is not None:
                if denominator and kind is METRIC:
                    trace["bad"] = True  # a denominator of 0 (`5/0`, `5/00`)
                op = ops[key] = (spans[i][0] + offset, spans[i][1] + offset, "," in kept_text,
                                 True)
                if rank is not None and rank < _COARSE and best_rank < _COARSE:
                    trace["bad"] = True  # two counters of steps: the larger is the step
            value = values[key] = int(text)
            if rank is not None and (
                    rank < _COARSE and (best_rank >= _COARSE or value >= step)  # type: ignore
                    or rank >= _COARSE and rank <= best_rank):
                # Of the counters of steps (global_step, step, iteration, iter) the one that
                # has counted most is the finest (litgpt's `iter 16 step 1`); episodes, epochs
                # and trials only when the line names none of them.
                step, best_rank = value, rank
                if trace is not None:
                    trace["step"] = op
        else:
            values[key] = float(text)
            if trace is not None:
                ops[key] = (spans[i][0] + offset, spans[i][1] + offset, "," in kept_text, False)
    if counter is not None and measured and step is None and first_step is None:
        # A plural step word counts the line's steps when the line reports a measure and
        # names no other step (`Steps : 0, Gen Loss Total : 150.0`, `loss: 0.5 | steps:
        # 100`, `Epochs 3/10 - loss: 0.4`); else it is a setting (`Steps: 64` beside
        # `Epoch 0`, `Epochs: 10` alone).
        i, label, text = counter
        step = values[label.key] = int(text)
        if i > kept_at:
            kept_text, kept_at = text, i
            if trace is not None:
                kept_end = spans[i][1]
        if trace is not None:
            trace["step"] = ops[label.key] = (spans[i][0] + offset, spans[i][1] + offset, False,
                                              True)
    if phrase_step is not None and (step is None and first_step is None or (
            best_rank >= _COARSE and phrase_step[1] < _COARSE)):
        # `Loss: 0.0007 after 721 batches`: when the value was measured (a finer counter
        # than the line's epoch: `Epoch 2 loss 0.3 after 500 steps` is at step 500).
        step, _, op = phrase_step
        if trace is not None:
            trace["step"] = op
    if (not best and (line[-1:].isdigit() or line[-1:] == "%")
            and not (kept_text and _ends_with(line, kept_text))):
        # `Training loss (for one batch) at step 0: 123.4`: the label of a value that ends
        # the line, when no pair took it, is the whole text before it.
        ending = _ending(line, trace)
        if ending is not None:
            key, value = ending
            values[key] = value
            banner = False
            if trace is not None:
                ops[key] = trace["ending"]
    if trace is not None and not best and (line[-1:].isdigit() or line[-1:] == "%") and (
            kept_text and kept_end != len(line.rstrip().rstrip("% "))):
        trace["bad"] = True  # whether the line ends with the number kept compared them
    if (step is None and first_step is None and values and not best
            and ("fter " in line or " in " in line or " at " in line or "At " in line)):
        # The phrase before the value: `After 721 batches, loss: 0.0007`, `Validation
        # accuracy after 3 epochs: 0.91`.
        m = (_OPENING_PHRASE.match(line, len(line) - len(line.lstrip(" \t*=>#-[(|")))
             or _LABEL_PHRASE.search(line))
        if m is not None:
            step = int(m.group(1).replace(",", ""))
            if trace is not None:
                trace["step"] = (m.start(1) + offset, m.end(1) + offset, "," in m.group(1), True)
    if banner and len(values) == 1 and step is None and first_step is None:
        if trace is not None:
            trace["ops"] = {}
            trace["step"] = trace["first"] = None
        return {}, None, None  # `Learning rate set to: 0.5` alone on a line: a banner
    return values, step, first_step


_PHRASE_LEAD = frozenset(" \t%(,")


def _step_phrase(after: str, at: Optional[int]) -> Optional[tuple]:
    """The step a phrase after a value names (`after 721 batches`), its rank, and its op
    when `at` (where `after` starts on the line) is given; None without one."""
    m = _STEP_PHRASE.match(after)
    if m is None:
        return None
    g = 1 if m.group(1) else 4
    text = m.group(g)
    rank = STEP_RANK[STEP_COUNT_WORDS[(m.group(2) or m.group(3)).lower()]]
    op = None if at is None else (at + m.start(g), at + m.end(g), "," in text, True)
    return int(text.replace(",", "")), rank, op


def _measure_in(phrase: str, joint: str) -> Optional[Label]:
    """The metric the last words of a sentence name (`reached loss` -> `loss`), for a value
    a step phrase follows: `after 1200 iterations` says the number was measured."""
    words = phrase.split(" ")
    for i in range(1, len(words)):
        label = label_for(" ".join(words[i:]), joint)
        if label is not None:
            return label if label.kind is METRIC else None
    return None


# Values written before their names, in parts of a line set apart by commas, bars or
# semicolons (tinygrad's `  7  221.74 ms run,    2.22 ms python, ...,    2.31 loss, 0.000807
# LR, 4.66 GB used`), or in a run of such items (`4 2.31 train_loss 2.45 val_loss`). A part
# is read so when it is nothing but such items (the first part may open with the step, a
# bare whole number), or they are followed by a `KEY=` pair or a parenthesis (`1.35
# val_loss STEP=250 (in 1314.59 ms)`). Only names of measures give values; a whole number
# before a plural measure (`2 errors`) counts things. A phase word opening a part, then a
# count `a/b` and the percentage it makes, with decimals (`eval 6664/9728 68.50%`), is that
# phase's accuracy (a whole percentage, `eval 300/400 75%`, is a progress display's).
# A first look for such a part, at the start (match) or after a separator (search).
_VALUE_FIRST_AT = (r"[ \t]*(?:[A-Za-z]+[ \t]+)?\d+[ \t]*/[ \t]*\d+[ \t]+[A-Za-z]|"
                   r"[ \t]*(?:(?:\d+|[A-Za-z]+|[A-Za-z]{1,3}\d{1,9}[ \t]+[A-Za-z_]+)[ \t]+)?[-+]?\.?\d[\d.eE+-]*%?[ \t]+[A-Za-z]"
                   r"|[ \t]*[A-Za-z]+[ \t]+\d+/\d+[ \t]+[\d.]+%")
_VALUE_FIRST_START = re.compile(_VALUE_FIRST_AT)
_VALUE_FIRST_AFTER = re.compile(rf"[,|;:](?:{_VALUE_FIRST_AT})")
_PARTS_OF_LINE = re.compile(r"[^,|;]+")
_NAME = r"[A-Za-z][\w./@-]*(?![\w=])"
_ITEM = re.compile(rf"[ \t]*({_NUMBER})%?[ \t]+({_NAME}(?:[ \t]+{_NAME}){{0,2}})[ \t]*")
# What the first part may open with: the step (a bare whole number), a phase word, or a
# label of the line's step (`step 5: 1.234 loss`), which the pairs read.
# After a step written as a letter or a few and its number (dlwpt's `E1 trn  0.0748 loss`),
# the phase word is the line's phase, with a part of the data set after `_` (`E1 val_neg`).
_LEAD = re.compile(r"[ \t]*(?:(\d{1,9})|[^,|;]{0,40}?\d\]?:|([A-Za-z]+)"
                   r"|[A-Za-z]{1,3}\d{1,9}[ \t]+([A-Za-z]+)(?:_([A-Za-z]+))?)[ \t]+(?=[-+]?\.?\d)")
_TAIL = re.compile(r"[A-Za-z_]\w*=|\(")
# A count `a / b` before a word of PERCENT_MEASURES is the share (CS231n's `Got 101 / 1000
# correct (10.10%)` -> `correct`=0.101); a word may open the part. Groups: a, b, the word.
_COUNT_OF = re.compile(r"[ \t]*(?:[A-Za-z]+[ \t]+)?(\d{1,18})[ \t]*/[ \t]*(\d{1,18})[ \t]+"
                       r"([A-Za-z]+)(?=[ \t]*(?:\(|\Z))")
_PHASE_COUNT = re.compile(
    r"[ \t]*([A-Za-z]+)[ \t]+(\d{1,18})/(\d{1,18})[ \t]+(\d+\.(\d+))%[ \t]*\Z")


class _Late(NamedTuple):
    """What value-first items give: the line with them blanked out, values, their ops (for
    the plan of the line's shape), the step and its op."""
    line: str
    values: Dict[str, Number]
    ops: Dict[str, tuple]
    step: Optional[int]
    step_op: Optional[tuple]
    phase: Optional[str] = None


# Names listed together, then their values in the same order (jax's DP-SGD example: `Test
# set loss, accuracy (%): (0.60, 80.64)`; `val (loss, acc) = (0.41, 0.88)`, `Train loss/acc:
# 0.5 / 0.9`): the words before the list name each of them too.
_LISTED = re.compile(
    rf"""\(?([A-Za-z][\w.@-]*(?:[ \t]*[,/][ \t]*[A-Za-z][\w.@-]*)+)\)?(?:[ \t]*\([^()]*\))?"""
    rf"""[ \t]*[:=][ \t]*\(?((?:{_NUMBER})(?:[ \t]*[,/][ \t]*(?:{_NUMBER}))+)\)?(?![\w.])""")
_LIST_SEP = re.compile(r"[ \t]*[,/][ \t]*")
_LISTED_VALUES = re.compile(rf"[:=][ \t]*\(?(?:{_NUMBER})[ \t]*[,/]")  # a first look
_LIST_REACH = 240  # characters of names before, and of values after, the `:` or `=`
_HEAD_WORDS = re.compile(r"((?:[A-Za-z][\w.@-]*[ \t]+){0,3})\Z")


def _listed(line: str, start: int) -> Optional[_Late]:
    """The values of names listed together and values listed together (see above), or None
    when the counts differ or a name is no measure."""
    # Each list is looked for within _LIST_REACH of a `:` or `=` its values follow: a search
    # of the whole line tried the names from every word on, to the line's end (quadratic:
    # two seconds for a line of 7,000 characters of `loss, acc` names).
    for hit in _LISTED_VALUES.finditer(line, start):
        end = min(len(line), hit.end() + _LIST_REACH)
        m = _LISTED.search(line, max(start, hit.start() - _LIST_REACH), end)
        if m is not None:
            break
    else:
        return None
    if m.end() == end < len(line):
        return None  # the values run past the reach: a number may be cut
    names = _LIST_SEP.split(m.group(1))
    numbers = list(re.finditer(_NUMBER, line[:m.end(2)][m.start(2):]))
    if len(names) != len(numbers):
        return None
    head = _HEAD_WORDS.search(line, start, m.start()).group(1).split()  # type: ignore[union-attr]
    values: Dict[str, Number] = {}
    ops: Dict[str, tuple] = {}
    for name, number in zip(names, numbers):
        label = read_label(" ".join(head + [name]), COLON_BLANK)
        if label is None or label.kind is not METRIC:
            return None
        text = number.group()
        at = m.start(2) + number.start()
        whole = text.isdigit() and len(text) < 19
        values[label.key] = int(text) if whole else float(text.replace(",", ""))
        ops[label.key] = (at, at + len(text), "," in text, whole)
    a, b = m.start(2), m.end(2)
    return _Late(line[:a] + " " * (b - a) + line[b:], values, ops, None, None)


def _value_first(line: str, start: int, trace: Optional[dict]) -> Optional[_Late]:
    """The values a line writes before their names (see above), or None."""
    values: Dict[str, Number] = {}
    ops: Dict[str, tuple] = {}
    step = step_op = None
    taken: List[Tuple[int, int]] = []
    phase = None
    for n, part in enumerate(_PARTS_OF_LINE.finditer(line, start)):
        at, end = part.start(), part.end()
        m = _COUNT_OF.match(line[:end], at)
        if m is not None and m.group(3).lower() in PERCENT_MEASURES and int(m.group(2)):
            if trace is not None:
                trace["bad"] = True  # the value is a division
            values[m.group(3).lower()] = int(m.group(1)) / int(m.group(2))
            taken.append((m.start(1), m.end(3)))
            continue
        m = _PHASE_COUNT.match(line[:end], at)
        if m is not None:
            if trace is not None:
                trace["bad"] = True  # the reading compares numbers
            phase, right, total = phase_of(m.group(1)), int(m.group(2)), int(m.group(3))
            if phase and total and abs(100 * right / total - float(m.group(4))) <= (
                    10 ** -len(m.group(5))):
                values[f"{phase}/accuracy"] = right / total  # `eval 6664/9728 68.50%`
                taken.append((m.start(2), m.end(4)))
            continue
        lead = _LEAD.match(line, at, end) if n == 0 else None
        if lead is not None:
            if lead.group(2) and not phase_of(lead.group(2)):
                continue  # `Loaded 3 files`: a sentence
            if lead.group(3):
                phase = phase_of(lead.group(3))
                if phase is None:
                    continue  # `E1 LunaTrainingApp 3 files`
                if lead.group(4):
                    phase = f"{phase}_{lead.group(4).lower()}"  # `E1 trn_neg`: train_neg
            at = lead.end()
        items = []
        while True:
            m = _ITEM.match(line, at, end)
            if m is None:
                break
            items.append(m)
            at = m.end()
        if not items or at < end and _TAIL.match(line, at, end) is None:
            continue  # (`Loaded 3 files from /data`: text follows, no items)
        if lead is not None and lead.group(1):
            step = int(lead.group(1))
            step_op = (lead.start(1), lead.end(1), False, True)
            taken.append(lead.span(1))
        for m in items:
            text, name = m.group(1), " ".join(m.group(2).split())
            label = read_label(name, COLON_BLANK)
            whole = text.isdigit() and len(text) < 19
            if line[m.end(1):m.end(1) + 1] == "%" and name.lower() in PERCENT_MEASURES:
                key = name.lower()  # `97.5% correct`
            elif label is None or label.kind is not METRIC or whole and _counts(name):
                continue
            else:
                key = label.key
            values[key] = int(text) if whole else float(text.replace(",", ""))
            ops[key] = (m.start(1), m.end(1), "," in text, whole)
            taken.append((m.start(1), m.end(2)))
    if not taken:
        return None
    for a, b in taken:
        line = line[:a] + " " * (b - a) + line[b:]
    return _Late(line, values, ops, step, step_op, phase)


def _counts(name: str) -> bool:
    """True for a plural of a measure (`errors`, `rewards`): a number of them."""
    low = name.lower()
    return low[-1:] == "s" and (low[:-1] in METRIC_WORDS or low[-2:] == "es"
                                and low[:-2] in METRIC_WORDS)


def _divisor(denominator: str) -> int:
    """The denominator of a fraction as a number to divide by; 0 (no fraction) for one of
    zeros (`5/0`, `5/00`) and for one too long to be a count (int() refuses 4300 digits)."""
    digits = denominator.lstrip("0")
    return int(digits) if 0 < len(digits) < 19 else 0


def _counter(phrase: str) -> Optional[Label]:
    """The step key of a plural step word, alone or after a phase (`Steps`, `Train Steps`,
    `Global Steps`): the line decides whether it is the step (see _pairs); None for other
    labels (`Num Epochs`, `Total steps`: settings)."""
    words = phrase.split(" ")
    singular = plural_step(words[-1])
    if singular is None or not all(phase_of(w) or w.lower() == "global" for w in words[:-1]):
        return None
    return Label(words[-1], STEP, 1, STEP_RANK[singular])


_COUNTED = re.compile(r"[ \t]+([A-Za-z][\w-]*)(?![\w/-]|[ \t]*[:=]|[ \t]+[-+]?\.?\d)")


def _counts_things(after: str) -> bool:
    """True when a whole number is followed by a word naming things counted, which labels
    no next pair (`3 files missing`, not `3 batch: 5` nor `3 batch 5`)."""
    m = _COUNTED.match(after)
    return m is not None and names_count(m.group(1))


def _is_unit(after: str) -> bool:
    """True when the text after a number starts with a word that begins no pair: a unit."""
    m = _AFTER.match(after)
    if m is None:
        return False
    words = m.group(1)
    return (not m.group(2) or ". " in words) and words.split()[0].lower() not in STEP_RANK


def _ends_with(line: str, number: str) -> bool:
    """True when `number` is the last number of `line`, whole."""
    tail = line.rstrip().rstrip("% ")
    n = len(number)
    return tail.endswith(number) and (len(tail) == n or tail[-n - 1] not in "0123456789.")


def _ending(line: str, trace: Optional[dict] = None) -> Optional[Tuple[str, Number]]:
    m = _LAST_NUMBER.search(line.rstrip())
    if m is None or line[:m.start()].rstrip()[-1:] in ("]", "@"):
        return None  # (`AP @[ maxDets=100 ] = 0.404`: a cell of a table, not a sentence's end)
    words = _WORDS.findall(line[:m.start()])
    if not words or len(words) > 16:
        return None
    label = read_label(" ".join(words), COLON_BLANK)
    if label is None or label.kind is not METRIC:
        return None
    kept_text = m.group(1)
    text = kept_text.replace(",", "")  # `1,234.5`
    as_int = text.isdigit() and len(text) < 19
    if trace is not None:
        trace["ending"] = (m.start(1), m.end(1), "," in kept_text, as_int)
    return label.key, (int(text) if as_int else float(text))


# A configuration echo: a line that announces one (`Saving config:`, `Overriding config with
# x.py:`, timm's `Data processing configuration for current model + dataset:`, minGPT's
# `trainer:`), then its lines, as long as they read as configuration (indented, comments,
# brackets, `name = value` assignments, `Overriding: name = value`, `section:` headings).
_ECHO_WORDS = re.compile(r"[A-Za-z]+")
_ECHO_LINE = re.compile(r"(?:[ \t]|#|[\[\]{}(),]+\Z|\Z|[A-Za-z_][\w.]*(?:[ \t]*(?:=|:\Z)|[ \t]+:)|"
                        r"(?i:overrid\w*):)")


# A section of a YAML dump whose keys are capitals (yacs' CfgNode.dump(): `AUG:`, `TRAIN:`),
# and within the dump a key of its top level (`PRINT_FREQ: 10`).
_YAML_SECTION = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*:\Z")
_YAML_TOP = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*:(?:[ \t]|\Z)")


def starts_config_echo(line: str) -> bool:
    """True when `line` announces a configuration printed on the lines after it."""
    text = line.rstrip()
    if not text.endswith(":") or len(text) > 100:
        return False
    words = [w.lower() for w in _ECHO_WORDS.findall(text)]
    if len(words) == 1 and text[0] != " " and words[0] in CONFIG_SECTIONS:
        return True
    head = text[:-1]
    if (_YAML_SECTION.match(text) and phase_of(head) is None and not names_metric(head)
            and head.lower() not in FILLER_WORDS):
        return True  # yacs' `config.dump()`: `AUG:`, then `  MIXUP: 0.8` ...
    return any(w in CONFIG_WORDS for w in words) or (
        len(words) <= 3 and any(names_count(w) for w in words))  # `Parameter counts:`


def opens_structure(line: str) -> bool:
    """True when `line` starts a printed structure it does not close (pprint's dict of
    arguments, a JSON document over many lines): its lines are a configuration echo."""
    text = line.lstrip()
    if not (text[:1] in ("{", "[") or _OPENING_CALL.match(text)):
        return False
    return (text.count("{") + text.count("[") + text.count("(")
            > text.count("}") + text.count("]") + text.count(")"))


_OPENING_CALL = re.compile(r"[A-Za-z_][\w.]*\(")


def continues_config_echo(line: str) -> bool:
    """True when `line` reads as a line of a configuration echo."""
    if _ECHO_LINE.match(line) is not None:
        return True
    m = _YAML_TOP.match(line)
    return m is not None and not names_metric(line[:m.end()].rstrip(": \t"))


_CSV_NAME = re.compile(r"[A-Za-z][\w@/.-]*\Z")


def csv_cells(line: str) -> Optional[Tuple[str, List[str]]]:
    """A line ending in `label: a,b,c` (comma-separated, no blanks): the label's last word
    and the cells; None for any other line."""
    head, _, tail = line.rpartition(": ")
    tail = tail.strip()
    if not head or " " in tail or "," not in tail:
        return None
    return (head.split()[-1] if head.split() else head), tail.split(",")


def csv_names(cells: List[str]) -> bool:
    return all(_CSV_NAME.match(c) for c in cells)
