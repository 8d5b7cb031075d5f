"""Prints the corpus tables: per library transcript, the library versions, the keys runwrap
records, the values expected (from the library's API) and got in pipe and pty mode, and the
junk keys; with `handwritten`, per hand-written case (tests/corpus/handwritten/), its upstream
source, the wanted values found in pipe and pty mode, and the junk keys.

    python tests/corpus/report.py [handwritten]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from corpus_support import compare, expected, names, versions  # noqa: E402
from corpus_cases import case_names, judge_case  # noqa: E402


def keys(name: str) -> str:
    seen = []
    for key, _, _ in expected(name, "pipe") + expected(name, "pty"):
        if key not in seen:
            seen.append(key)
    shown = ", ".join(f"`{k}`" for k in seen[:8])
    return (shown + f" and {len(seen) - 8} more") if len(seen) > 8 else (shown or "nothing")


def main() -> None:
    v = versions()
    print("| transcript | versions | what runwrap records | values expected / got (pipe; pty) "
          "| junk keys |")
    print("| --- | --- | --- | --- | --- |")
    for name in names():
        pipe, pty = compare(name, "pipe"), compare(name, "pty")
        libs = ", ".join(f"{k} {x}" for k, x in v.get(name, {}).items())
        junk = sorted(set(pipe.junk_keys) | set(pty.junk_keys))
        print(f"| {name} | {libs} | {keys(name)} | {pipe.expected} / {pipe.got - len(pipe.extra)}"
              f"{'' if pipe.exact else ' (inexact)'}; {pty.expected} / "
              f"{pty.got - len(pty.extra)}{'' if pty.exact else ' (inexact)'} | "
              f"{', '.join(junk) or 'none'} |")


def _found(verdict) -> str:
    """`found/wanted`, and how many values came under a wanted name that were not wanted."""
    wrong = f" (+{len(verdict.wrong)} not wanted)" if verdict.wrong else ""
    return f"{verdict.found}/{verdict.required}{wrong}"


def handwritten() -> None:
    print("| case | source | wanted values found (pipe; pty) | junk keys | right (pipe; pty) |")
    print("| --- | --- | --- | --- | --- |")
    right = {"pipe": 0, "pty": 0}
    cases = case_names()
    for name in cases:
        verdicts = {mode: judge_case(name, mode) for mode in right}
        source = verdicts["pipe"].source
        for mode, verdict in verdicts.items():
            right[mode] += verdict.right
        pipe, pty = verdicts["pipe"], verdicts["pty"]
        junk = sorted(set(pipe.junk_keys) | set(pty.junk_keys))
        if pipe.skipped or pty.skipped:
            junk.append("(lines the grammar failed on)")
        print(f"| {name} | {source['repo']} `{source['path']}` @{source['commit'][:10]} | "
              f"{_found(pipe)}; {_found(pty)} | "
              f"{', '.join(junk) or 'none'} | {'yes' if pipe.right else 'no'}; "
              f"{'yes' if pty.right else 'no'} |")
    print(f"\n{len(cases)} cases; fully right: {right['pipe']} on pipes, {right['pty']} on a "
          "terminal")


if __name__ == "__main__":
    handwritten() if sys.argv[1:] == ["handwritten"] else main()
