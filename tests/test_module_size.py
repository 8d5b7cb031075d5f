"""A module of runwrap fits on a few screens: one over LIMIT lines says why in its docstring.

The reason is a sentence of the module's docstring that reads "Over 400 lines because ..."
(or "longer than most because ..."): what keeps the module whole, so a reader who thinks of
splitting it knows what the split would cost. A module with no such reason is split instead,
one job per module.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import runwrap

ROOT = Path(runwrap.__file__).parent
LIMIT = 400
REASON = re.compile(r"\b(over|more than) 400 lines because\b|\blonger than most because\b",
                    re.IGNORECASE)


def has_reason(source: str) -> bool:
    docstring = ast.get_docstring(ast.parse(source)) or ""
    return bool(REASON.search(" ".join(docstring.split())))


def test_every_module_over_the_limit_says_why():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        if lines > LIMIT and not has_reason(source):
            found.append(f"  {path.relative_to(ROOT.parent)}: {lines} lines")
    if found:
        pytest.fail(f"modules over {LIMIT} lines without a reason in their docstring "
                    "(split them, or say 'Over 400 lines because ...'):\n" + "\n".join(found),
                    pytrace=False)


def test_the_reason_is_read_from_the_docstring_only():
    assert has_reason('"""A module.\n\nOver 400 lines\nbecause it is one state machine."""\n')
    assert has_reason('"""A module. This module is longer than most because of X."""\n')
    assert not has_reason('"""A module."""\n# Over 400 lines because of a comment\n')
    assert not has_reason('"""Over 400 lines."""\n')
