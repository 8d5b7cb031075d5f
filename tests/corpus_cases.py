"""The hand-written training loops of tests/corpus/handwritten/: each case run for real, on
pipes and on a pseudo-terminal, its console replayed through runwrap's console model and
scalar grammar (`corpus_support.records_of`), and the records judged against what the case
declares a careful user wants (`_case.py` there says how a case declares it)."""
from __future__ import annotations

import fcntl
import fnmatch
import json
import math
import os
import pty
import re
import struct
import subprocess
import sys
import tempfile
import termios
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple, Union

from corpus_support import CORPUS, Triple, replay_sources

HANDWRITTEN = CORPUS / "handwritten"
TIMEOUT = 60
ROWS, COLS = 40, 120
Sources = List[Tuple[str, bytes]]  # (stream, bytes) in the order they are fed


def case_names() -> List[str]:
    return sorted(p.stem for p in HANDWRITTEN.glob("[!_]*.py"))


def case_env(expect: Path, mode: str) -> Dict[str, str]:
    """The environment a case runs in (under runwrap too: the wrapper passes it on)."""
    env = dict(os.environ, CORPUS_EXPECT=str(expect), PYTHONPATH=str(HANDWRITTEN),
               PYTHONHASHSEED="0", TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
    env.pop("NO_COLOR", None)
    if mode == "pipe":
        env["PYTHONUNBUFFERED"] = "1"  # as runwrap sets it for a child on pipes
    return env


def _on_pipes(command: List[str], cwd: str, env: Dict[str, str]) -> Sources:
    done = subprocess.run(command, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    if done.returncode:
        raise RuntimeError(f"{command[-1]} (pipe) exited {done.returncode}:\n"
                           + done.stderr.decode(errors="replace")[-2000:])
    return [("stdout", done.stdout), ("stderr", done.stderr)]


def _on_terminal(command: List[str], cwd: str, env: Dict[str, str]) -> Sources:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    child = subprocess.Popen(command, cwd=cwd, env=env, stdin=slave,
                             stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: every holder of the terminal's other side has closed it
                break
            if not data:
                break
            chunks.append(data)
        code = child.wait(TIMEOUT)
    finally:
        os.close(master)
    out = b"".join(chunks)
    if code:
        raise RuntimeError(f"{command[-1]} (pty) exited {code}:\n"
                           + out.decode(errors="replace")[-2000:])
    return [("stdout", out)]


def run_case(name: str, mode: str) -> Tuple[dict, Sources]:
    """Run case `name` on pipes or a terminal: what it declares, and its console bytes."""
    with tempfile.TemporaryDirectory() as cwd:
        expect = Path(cwd) / "expect.json"
        env = case_env(expect, mode)
        sources = (_on_pipes if mode == "pipe" else _on_terminal)(case_command(name), cwd, env)
        return json.loads(expect.read_text()), sources


def norm(key: str) -> str:
    """Names as a user reads them: `Test Loss`, `test-loss`, `test/loss`, `test_loss` are one."""
    return re.sub(r"[ \-/]", "_", key.lower())


def _close(got: float, want: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    # `want` is already the value as printed: only the float round trip may differ.
    return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-12)


@dataclass
class Verdict:
    required: int
    found: int = 0
    lost: List[Triple] = field(default_factory=list)  # wanted, not given
    wrong: List[Triple] = field(default_factory=list)  # given under a wanted name, not wanted
    junk_keys: List[str] = field(default_factory=list)  # names neither wanted nor accepted
    source: Dict[str, str] = field(default_factory=dict)  # the case's upstream repo, path, commit
    skipped: Dict[str, int] = field(default_factory=dict)  # lines the collector failed on

    @property
    def right(self) -> bool:
        return not self.lost and not self.wrong and not self.junk_keys and not self.skipped

    def describe(self) -> str:
        return (f"{self.found}/{self.required} wanted values found; lost {self.lost[:8]}; "
                f"given but not wanted {self.wrong[:8]}; junk keys {self.junk_keys}"
                + (f"; the collector skipped lines it failed on: {self.skipped}"
                   if self.skipped else ""))


def judge(expectation: dict, got: List[Triple]) -> Verdict:
    """Every wanted value given once, at its step; nothing else under a wanted name (a test
    loss landing in the train loss's series is wrong); no key outside `wanted` and `either`.
    Values a case says a line may give are taken out next, when they are there."""
    by_name: Dict[str, List[Triple]] = {}  # what is left to match, in the order given
    for triple in got:
        by_name.setdefault(norm(triple[0]), []).append(triple)
    wanted_names = set()
    records = expectation["records"]
    verdict = Verdict(required=sum(len(r["values"]) for r in records if not r.get("optional")),
                      source=expectation["source"])
    for record in sorted(records, key=lambda r: bool(r.get("optional"))):  # wanted first
        step, optional = record["step"], bool(record.get("optional"))
        for names, value in record["values"].items():
            accepted = [norm(n) for n in names.split("|")]
            wanted_names.update(accepted)
            if not _take(by_name, accepted, step, value):
                if not optional:
                    verdict.lost.append((names, step, value))
            elif not optional:
                verdict.found += 1
    either = [norm(p) for p in expectation["either"]]
    for name, left in by_name.items():
        if name in wanted_names:
            verdict.wrong.extend(left)
        elif left and not _accepted(left[0][0], either):
            verdict.junk_keys.append(left[0][0])
    return verdict


def _accepted(key: str, either: List[str]) -> bool:
    """A key acceptable either way is so under a phase too (`test/time` as `time`)."""
    names = {norm(key), norm(key.rsplit("/", 1)[-1])}
    return any(fnmatch.fnmatchcase(n, p) for n in names for p in either)


def _take(by_name: Dict[str, List[Triple]], names: List[str], step: Union[int, List[int], None],
          value: float) -> bool:
    """Take the first triple left under one of `names` with this value (and step, if any)."""
    for name in names:
        left = by_name.get(name, [])
        for i, (_, s, v) in enumerate(left):
            if (step is None or s == step or (isinstance(step, list) and s in step)) \
                    and _close(v, value):
                del left[i]
                return True
    return False


def judge_case(name: str, mode: str) -> Verdict:
    expectation, sources = run_case(name, mode)
    records, skipped = replay_sources(sources)
    verdict = judge(expectation, records)
    verdict.skipped = skipped
    return verdict


def case_command(name: str) -> List[str]:
    return [sys.executable, str(HANDWRITTEN / f"{name}.py")]
