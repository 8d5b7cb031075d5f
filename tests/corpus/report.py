"""Prints the corpus table for the README: library, version, records expected and got, junk.

    python tests/corpus/report.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from corpus_support import MODES, compare, names, versions  # noqa: E402

print("| transcript | versions | mode | values expected | values got | lost | extra | junk keys |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
v = versions()
for name in names():
    for mode in MODES:
        r = compare(name, mode)
        libs = ", ".join(f"{k} {x}" for k, x in v.get(name, {}).items())
        print(f"| {name} | {libs} | {mode} | {r.expected} | {r.got} | {len(r.lost)} | "
              f"{len(r.extra)} | {', '.join(r.junk_keys) or '-'} |")
