"""The runs filter of the dashboard: one line of terms, every term must hold.

    status:running        status, tag, group, job, sweep, project, name, id: that fact
    tag:best              (status may name several: status:failed,crashed)
    lr<0.01  depth>=4     a config value (or, when the run has no such config key, a summary
    optimizer=adam        metric's last value) compared: < <= > >= = != (numbers as numbers)
    resnet                any other word: in the name, id, project, group, tags or a config
                          `key=value` (case ignored)

Quote a term that holds spaces (`name:"my run"`). A term that cannot be read is a BadFilter
naming it and the fix, never a filter that silently matches everything.
"""
from __future__ import annotations

import math
import re
import shlex
from typing import Any, Callable, Dict, List

FACTS = ("status", "tag", "group", "job", "sweep", "project", "name", "id")
# The comparison operators, longest first so `<=` is not read as `<` and `=...`.
COMPARISON = re.compile(r"^(?P<key>[^<>=!:\s][^<>=!\s]*?)\s*(?P<op><=|>=|!=|==|<|>|=)\s*(?P<value>.*)$")

Row = Dict[str, Any]  # a runs-table row: status, tags, group, job, sweep, config, metrics, ...
Test = Callable[[Row], bool]


class BadFilter(ValueError):
    """A filter term the dashboard cannot read; the message names it and the fix."""


def parse(text: str) -> Test:
    """A test of runs-table rows that holds when every term of `text` holds."""
    try:
        terms = shlex.split(text or "")
    except ValueError as e:
        raise BadFilter(f"filter {text!r}: {e} (close the quote)") from None
    tests = [_term(t) for t in terms]
    return lambda row: all(test(row) for test in tests)


def _term(term: str) -> Test:
    key, colon, value = term.partition(":")
    if colon and key.lower() in FACTS:
        if not value:
            raise BadFilter(f"filter term {term!r} needs a value: {key}:VALUE")
        return _fact(key.lower(), value)
    found = COMPARISON.match(term)
    if found:
        name, op, wanted = found.group("key"), found.group("op"), found.group("value")
        if not wanted:
            raise BadFilter(f"filter term {term!r} needs a value after {op!r}: e.g. {name}{op}0.01")
        return _comparison(name, op, wanted)
    if term[:1] in "<>=!" or term.endswith(":"):
        raise BadFilter(f"filter term {term!r} is not KEY<VALUE, FACT:VALUE or a word; "
                        f"e.g. lr<0.01, status:running, resnet")
    word = term.lower()
    return lambda row: word in _haystack(row)


def _fact(name: str, value: str) -> Test:
    wanted = value.split(",") if name == "status" else [value]
    if name == "tag":
        return lambda row: value in (row.get("tags") or [])
    return lambda row: str(row.get(name) or "") in wanted


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _comparison(name: str, op: str, wanted: str) -> Test:
    target = _number(wanted)

    def test(row: Row) -> bool:
        config = row.get("config") or {}
        metrics = row.get("metrics") or {}
        if name in config:
            have = config[name]
        elif name in metrics:
            have = metrics[name]
        else:
            return False  # a run without the key is not lr<0.01
        number = _number(have)
        if target is not None and number is not None and not math.isnan(number):
            a, b = number, target
        elif op in ("<", "<=", ">", ">="):
            return False  # an order of a number and a word means nothing
        else:
            a, b = _text(have), wanted
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
        if op in ("=", "=="):
            return a == b
        return a != b
    return test


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _haystack(row: Row) -> str:
    parts: List[str] = [str(row.get(k) or "") for k in ("name", "id", "project", "group", "job", "sweep")]
    parts += [str(t) for t in row.get("tags") or []]
    parts += [f"{k}={_text(v)}" for k, v in (row.get("config") or {}).items()]
    return " ".join(parts).lower()
