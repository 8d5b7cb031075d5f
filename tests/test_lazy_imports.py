"""Every import inside a function in runwrap/ says why it is not at the top of its module.

Read statically, like test_import_graph.py. An import is function-level when it sits in a
function (or lambda) body at any depth; imports under `if TYPE_CHECKING:` never run and do not
count. Its mark is a comment that begins with one of

    # start-up: ...              kept off the import path of `runwrap` / the wrapper for speed
    # optional extra (...)       a dependency only an extra installs (`# optional: ...` for one
                                 the user may have, such as their own pandas)
    # cycle: ... / # Avoid circular import.    a cycle still broken by laziness (say which)

and stands on one of the import's own lines or in the comment lines directly above it. An import
that directly follows another import in the same block shares that import's mark (a marked
`import ctypes` followed by `import signal`).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path
from typing import Dict, List

import pytest

import runwrap

ROOT = Path(runwrap.__file__).parent

MARK = re.compile(r"#\s*(start-up\b|optional\b|cycle\b|avoid circular import)", re.IGNORECASE)

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_IMPORTS = (ast.Import, ast.ImportFrom)


def _comments(source: str) -> Dict[int, str]:
    """Line number -> the comment on that line (tokenized, so a '#' inside a string is none)."""
    out = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            out[token.start[0]] = token.string
    return out


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def unmarked_imports(source: str) -> List[int]:
    """The first line of each function-level import in `source` that carries no mark."""
    lines = source.splitlines()
    comments = _comments(source)

    def marked_here(node: ast.stmt) -> bool:
        if any(MARK.search(comments.get(n, "")) for n in range(node.lineno, node.end_lineno + 1)):
            return True
        above = node.lineno - 1  # the comment-only lines directly above the import
        while above >= 1 and lines[above - 1].lstrip().startswith("#"):
            if MARK.search(comments.get(above, "")):
                return True
            above -= 1
        return False

    bad: List[int] = []

    def visit_block(stmts: List[ast.stmt], in_function: bool) -> None:
        previous_ok = None  # the mark state of the import directly before, if any
        previous_end = -1
        for stmt in stmts:
            if isinstance(stmt, _IMPORTS):
                follows = previous_ok is not None and stmt.lineno == previous_end + 1
                ok = marked_here(stmt) or (follows and previous_ok)
                if in_function and not ok:
                    bad.append(stmt.lineno)
                previous_ok, previous_end = ok, stmt.end_lineno
            else:
                previous_ok = None
                visit(stmt, in_function)

    def visit(node: ast.AST, in_function: bool) -> None:
        if _is_type_checking(node):
            visit_block(node.orelse, in_function)
            return
        inside = in_function or isinstance(node, _FUNCTIONS)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                visit_block(block, inside)
        for handler in getattr(node, "handlers", []):
            visit_block(handler.body, inside)
        for case in getattr(node, "cases", []):
            visit_block(case.body, inside)

    visit(ast.parse(source), False)
    return bad


def test_every_function_level_import_in_runwrap_says_why():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for line in unmarked_imports(source):
            where = path.relative_to(ROOT.parent)
            found.append(f"  {where}:{line}: {lines[line - 1].strip()}")
    if found:
        pytest.fail("function-level imports without a reason (add '# start-up: ...', "
                    "'# optional extra (...)' or '# cycle: ...'):\n" + "\n".join(found),
                    pytrace=False)


def test_the_mark_check_reads_comments_not_strings():
    """The check itself: marks inline, above, and shared by a following import count; a mark
    in a string, an unrelated comment, a module-level import and TYPE_CHECKING do not matter."""
    source = '''\
import os
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from runwrap.store import layout


def marked():
    import json  # start-up: only for --json
    # optional extra (gpu)
    import pynvml
    import signal
    # a note that is no reason
    # cycle: runwrap.sdk.run imports this module
    from runwrap.sdk import run


def unmarked():
    text = "# start-up: in a string"
    import csv
    import zlib  # faster this way

    def inner():
        try:
            import yaml
        except ImportError:
            import json
    return lambda: None
'''
    lines = source.splitlines()
    assert [lines[n - 1].strip() for n in unmarked_imports(source)] == [
        "import csv", "import zlib  # faster this way", "import yaml", "import json"]
