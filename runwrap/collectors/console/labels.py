"""What a label printed before a number means, read through the vocabulary (vocabulary.py):
a metric, a step, the phase of the line, or nothing (a count, a setting, a sentence).

`read_label(phrase, form)` is called for every candidate pair the line grammar finds, so its
answers are kept in a small cache: a training log prints the same few labels again and again.
"""
from __future__ import annotations

from typing import Dict, NamedTuple, Optional

from runwrap.collectors.console.vocabulary import (
    CONFIG_WORDS, FILLER_WORDS, MODIFIER_WORDS, STEP_RANK, names_count, names_metric,
    names_optimizer_setting, names_setting, phase_of, plural_step, step_key)

# How the value follows the label.
COLON = 1  # `loss:0.5`, `loss=0.5`, `loss = 0.5`
COLON_BLANK = 2  # `Avg loss: 0.5`: a colon and a blank, the way a person writes a label
BLANK = 3  # `loss 0.5`
BRACKET = 4  # `Epoch[1]`, `Epoch: [1]`, `Epoch(train) [1]`
LIST = 5  # `episodic_return=[23.]`: a list printed after a separator (numpy's one-element array)

# What a label is.
METRIC = "metric"  # names a measure: kept whatever the form
STEP = "step"  # a step key: the value is a metric and the line's step
OTHER = "other"  # a name the vocabulary does not know: kept in the forms with a separator
PHASE = "phase"  # a phase word alone (`Test: [0/100]`, timm's `Train: 3 [...]`)

_TRAILING = frozenset("is was are were at over for in on per of during after to".split())
_PREPOSITIONS = frozenset("with without from by to into than and or".split())
# Words that make a label a sentence (`Model reached accuracy 0.9`): what happened, not a name.
_VERBS = frozenset("""
    reached achieved got gets obtained obtain has have had hit improved improves decreased
    increased dropped rose fell is was are were be now new current start starting
""".split())
_CACHE_LIMIT = 4096


class Label(NamedTuple):
    key: str
    kind: str
    words: int  # words in the label as printed (a banner is a label of several words)
    rank: Optional[int] = None  # a step key's rank in STEP_KEYS (finest first)
    banner: bool = False  # a name of several words the vocabulary does not know
    measure: str = ""  # a metric's key without its phase (`loss` of `train/loss`)
    form: int = COLON  # how the value followed the label


# (phrase, form) -> its Label or None; the line grammar looks here before calling read_label.
cache: Dict[tuple, Optional[Label]] = {}

# `file.py:123` is how logging (`%(filename)s:%(lineno)d`, absl) names a place in the code.
_SOURCE_SUFFIXES = frozenset(("py", "pyx", "c", "cc", "cpp", "cu", "h", "hpp", "rs", "go",
                              "java", "js", "ts", "jl", "lua", "sh"))
# Keys that name a thing rather than measure it. Lightning shows its logger's version as
# `v_num` in every progress bar state.
_NOT_METRICS = frozenset(("v_num",))


def label_for(phrase: str, joint: str) -> Optional[Label]:
    """read_label for a label and the text joining it to its number (`: `, `=`, ` `, `[`)."""
    found = cache.get((phrase, joint), cache)
    if found is not cache:
        return found  # type: ignore[return-value]
    label = read_label(phrase, form_of(joint))
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[phrase, joint] = label
    return label


def form_of(joint: str) -> int:
    """The form of `: `, `:`, ` = `, `: [`, blanks, `[`, an arrow (` ==> `), a fence (` * `)."""
    if ">" in joint or "\u2192" in joint:
        return COLON_BLANK  # `Avg Reward is ==> -813.85`: an arrow points a label to its value
    if joint.strip() == "-" and joint[-1:] in (" ", "\t"):
        # `loss - 7.08` (DALLE-pytorch): a dash between blanks sets a value apart as blanks
        # do, for the names a bare value takes (a minus sign is written against its number)
        return BLANK
    if joint[-1:] == "[" or "[" in joint or joint.strip()[:1] in _FENCES:
        return BRACKET  # `Epoch[1]`, `Epoch: [0]`; `Episode * 12 *`, `Epoch #3`: a step only
    for i, c in enumerate(joint):
        if c == ":" or c == "=":
            return COLON_BLANK if joint[i + 1:i + 2] in (" ", "\t") else COLON
    return BLANK


_FENCES = frozenset("*~-#")


def read_label(phrase: str, form: int) -> Optional[Label]:
    """The key and kind a label gives in `form`, or None when it is no metric there."""
    found = cache.get((phrase, form), cache)
    if found is not cache:
        return found  # type: ignore[return-value]
    label = _read(phrase, form)
    if label is not None:
        key = label.key
        if (key in _NOT_METRICS or (key[-1] == ")" and "(" not in key)
                or ("." in key and key[key.rindex(".") + 1:] in _SOURCE_SUFFIXES)):
            label = None  # `v_num`, the end of a parenthesis, `trainer.py:212`
        elif label.kind is STEP:
            label = label._replace(rank=STEP_RANK[step_key(key)])
        elif label.kind is OTHER and label.words > 1:
            label = label._replace(banner=True)
        elif label.kind is METRIC and "/" in key:
            label = label._replace(measure=key[key.index("/") + 1:])
        if label is not None:
            label = label._replace(form=form)
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()  # distinct labels are few; a flood of them must not grow memory
    cache[phrase, form] = label
    return label


def _abbreviation(stem: str) -> bool:
    """`Avg`, `No`, `approx`: a word shortened with a point, not a sentence's end."""
    if "-" in stem and stem.replace("-", "").isalpha():
        return True  # `Mel-Spec.`
    return stem.isalpha() and (len(stem) <= 3 or stem.lower() in MODIFIER_WORDS
                               or stem.lower() in _ABBREVIATIONS)


_ABBREVIATIONS = frozenset(("approx", "incl", "excl", "est", "tot"))


def _step_word(word: str) -> Optional[str]:
    """`Epoch` -> `Epoch`, `Epoch(train)` -> `Epoch`: the step key as printed, or None."""
    bare = word.split("(", 1)[0] if "(" in word else word
    return bare if step_key(bare) else None


def _read(phrase: str, form: int) -> Optional[Label]:
    if "'s " in phrase:  # a data set's own metric: LightGBM's `training's l2`
        owner, _, name = phrase.partition("'s ")
        if " " in owner or " " in name or form == BLANK:
            return None
        return Label(f"{owner}/{name}", OTHER, 2)
    words = phrase.split(" ")
    while len(words) > 1 and not any(c.isalnum() for c in words[0]):
        words = words[1:]  # `– RMSE: 3.79`: a dash or a bar before the label is none of it
        phrase = " ".join(words)
    for i in range(len(words) - 2, -1, -1):
        word = words[i]
        if word[-1] == "." and not _abbreviation(word[:-1]):
            words = words[i + 1:]  # `0.05 s/iter. Eval: 0.0002`: a sentence ended before it
            phrase = " ".join(words)
            break
    n = len(words)
    if n > 1 and (step_key(words[-1]) and words[-2].lower() == "per"
                  or plural_step(words[-1]) and all(phase_of(w) or w.lower() == "global"
                                                    for w in words[:-1])):
        # `Steps per epoch: 100`: a setting; `Train Steps: 100`: the line decides (lines.py)
        return None
    step = _step_word(words[-1])
    if step is not None and (form != COLON and form != COLON_BLANK
                             or not any(names_metric(w) for w in words[:-1])):
        # `Train Epoch: 1`, `end of epoch 1`, `Best is trial 0`: the last word is the step
        # key; but in `Training acc over epoch: 0.82` the value is the accuracy's.
        return Label(step, STEP, n)
    if form == BRACKET:
        return None
    if form == LIST:
        form = COLON
    if n == 1:
        return _one_word(words[0], form)
    return _words(words, form)


def _names_a_measure(low: list) -> bool:
    """True when plain words before a measure name it, with blanks alone before its number
    (`best development model score`, `dev score`): no phase, count, joining word or verb."""
    return all(w.isalpha() and not (phase_of(w) or names_count(w) or w in _TRAILING
                                    or w in _PREPOSITIONS or w in _VERBS or w in FILLER_WORDS)
               for w in low[:-1])


def _one_word(word: str, form: int) -> Optional[Label]:
    if names_count(word) or names_setting(word) or names_optimizer_setting(word):
        return None  # `params`, `num_workers`, `cuda`, `max_epochs`, `adam_eps`: no metric
    if phase_of(word):
        return Label(word, PHASE, 1)
    if names_metric(word):
        return Label(word, METRIC, 1)
    if form == BLANK:
        return None  # `read 3 files`: a word and a number are no pair unless the word measures
    return Label(word, OTHER, 1)


def _words(words: list, form: int) -> Optional[Label]:
    low = [w.rstrip(".").lower() for w in words]
    if any(names_optimizer_setting(w) for w in low):
        return None  # `Adam epsilon: 1e-08`: a setting of the optimizer
    if "value" in low[:-1]:
        after = low[low.index("value") + 1:]
        if after[0] in _TRAILING and not any(names_metric(w) or phase_of(w) for w in after):
            return None  # `Max Value of Action -> 2.0`: the value of a thing (a bound)
    # Trailing words that only join the label to its value: `accuracy is`, `acc over epoch`.
    while len(low) > 1 and (low[-1] in _TRAILING or low[-1] in FILLER_WORDS
                            or (low[-2] in _TRAILING and not names_metric(low[-1]))):
        low.pop()
    # Words after a preposition say under what the measure was taken (`Student accuracy with
    # CE + KD`, `Accuracy of the network on the test images`): the measure is before it.
    rest: list = []
    for i in range(1, len(low)):
        if (low[i] in _TRAILING or low[i] in _PREPOSITIONS) and any(
                names_metric(w) for w in low[:i]):
            low, rest = low[:i], low[i:]
            break
    head = None
    for i in range(len(low) - 1, -1, -1):
        if names_metric(low[i]):
            head = i
            break
    if head is None:
        if any(names_count(w) for w in low):
            return None  # `param count:25557032`, `Trainable params: 5`
        if all(phase_of(w) or w in FILLER_WORDS for w in low):
            return None  # `Train Data: 25000`: the size of a data set
        if len(low) == 2 and form == COLON_BLANK:
            # An unknown label of two words, written as a person writes a label.
            return Label(f"{low[0]}_{low[1]}", OTHER, 2)
        if form == COLON and not names_count(words[-1]):
            # `warming up lr=1e-3`: before `=` the key is the last word.
            return _one_word(words[-1], form)
        return None  # a sentence: `Number of data points in the train set: 150`
    # The words that make the key: the measure and the modifiers just before it (`avg loss`,
    # `grad norm`); a phase word anywhere before it names the phase (`Test set loss`).
    start = head
    while start > 0 and (low[start - 1] in MODIFIER_WORDS or names_metric(low[start - 1])):
        start -= 1
    if (form == COLON_BLANK and start > 0 and low[start - 1].replace("-", "").isalpha()
            and not (phase_of(low[start - 1]) or low[start - 1] in FILLER_WORDS
                     or low[start - 1] in _TRAILING or low[start - 1] in _PREPOSITIONS
                     or names_count(low[start - 1]))):
        start -= 1  # `Teacher accuracy: 75.2%`: a word naming whose measure it is
    if form == BLANK and (any(not phase_of(w) for w in words[head + 1:]) or not all(
            w in MODIFIER_WORDS or w in FILLER_WORDS or phase_of(w) or names_metric(w)
            for w in low[:start])):
        if head == len(low) - 1 and len(words) == len(low) and _names_a_measure(low):
            # `best development model score 0.5226` (flax): words naming one measure
            return Label("_".join(low), METRIC, len(words))
        return None  # `Start training from score 0.03`, `reward is now 9`: a sentence
    end = head + 1
    if form == COLON_BLANK or form == COLON:
        # `Gen Loss Total`, `loss scale`: words after the measure name it too, up to a word
        # that only joins (`acc over epoch`, `accuracy of the network on ...`).
        while (end < len(low) and low[end].replace("-", "").isalnum()
               and low[end] not in _TRAILING and low[end] not in _PREPOSITIONS
               and low[end] not in FILLER_WORDS and not phase_of(low[end])):
            end += 1
    key = "_".join(low[start:end])
    phase = None
    for i, w in enumerate(low[:start]):
        if phase_of(w):
            if i and all(m in MODIFIER_WORDS for m in low[:i]):
                # `Best val Acc`: a summary named in its own words, not a point of val/acc.
                return Label("_".join(low[:i] + [w] + low[start:head + 1]), METRIC, len(words))
            phase = phase_of(w)
    if phase is None:
        # `Accuracy of the network on the 10000 test images: 54 %`: the phase after it.
        phase = next((phase_of(w) for w in low[head + 1:] + rest if phase_of(w)), None)
    if phase is None and names_count(key):
        return None
    return Label(f"{phase}/{key}" if phase else key, METRIC, len(words))


_prefix_cache: Dict[str, bool] = {}


def head_names_settings(head: str) -> bool:
    """True when the text before a line's first colon says the rest are settings or counts
    (`Overriding: device = cpu`, `Number of parameters:    pi: 4610,   v: 4545`)."""
    found = _prefix_cache.get(head)
    if found is None:
        words = head.lower().split()
        found = any(w in CONFIG_WORDS or names_count(w) for w in words) and not any(
            names_metric(w) for w in words)
        if len(_prefix_cache) >= _CACHE_LIMIT:
            _prefix_cache.clear()
        _prefix_cache[head] = found
    return found
