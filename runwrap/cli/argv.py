"""Splitting `runwrap [OPTIONS] [--] COMMAND [ARGS]...` into runwrap's words and the program's.

The main use is written `runwrap python train.py --project x`, so runwrap's own *long* options
are also taken from after the command, with a notice. An explicit `--` before the command, or
anywhere after it, ends that: every later word is the program's, verbatim. Unknown options and
short options after the command always belong to the program.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

from runwrap.errors import UsageError


class SplitArgs:
    def __init__(self, own: List[str], command: List[str], taken: Optional[List[str]] = None):
        self.own = own  # runwrap's options, ready for click (or the fast path)
        self.command = command  # the program and its arguments, verbatim
        self.taken = taken or []  # options taken from after the command


def _option_word(word: str, arity: Dict[str, bool]) -> Tuple[str, bool]:
    """(option name, value attached with '=') if `word` is one of our options, else ('', False)."""
    name, eq, _ = word.partition("=")
    if name in arity:
        return name, bool(eq)
    return "", False


def subcommand_first(args: List[str], arity: Dict[str, bool],
                     commands: Iterable[str]) -> Optional[List[str]]:
    """`runwrap --dir X ls` as `runwrap ls --dir X`: runwrap's options written before a
    subcommand's name apply to that subcommand. None when the first word after the leading
    options is not a subcommand, or when `--` comes first (`runwrap -- ls` wraps the program)."""
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            return None
        if not word.startswith("-") or word == "-":
            break
        name, attached = _option_word(word, arity)
        if name and arity[name] and not attached:
            i += 1
        i += 1
    if 0 < i < len(args) and args[i] in commands:
        return [args[i]] + list(args[:i]) + list(args[i + 1:])
    return None


def split_args(args: List[str], arity: Dict[str, bool]) -> SplitArgs:
    own: List[str] = []
    i = 0
    # Leading part: our options (any form) up to the first positional or `--`.
    while i < len(args):
        word = args[i]
        if word == "--":
            return SplitArgs(own, list(args[i + 1:]))
        if not word.startswith("-") or word == "-":
            break
        own.append(word)
        name, attached = _option_word(word, arity)
        if name and arity[name] and not attached and i + 1 < len(args):
            own.append(args[i + 1])
            i += 1
        i += 1
    command: List[str] = []
    taken: List[str] = []
    if i < len(args):
        command.append(args[i])
        i += 1
    # After the command: take our long options, leave everything else to the program.
    while i < len(args):
        word = args[i]
        if word == "--":
            command.extend(args[i:])
            break
        name, attached = _option_word(word, arity) if word.startswith("--") else ("", False)
        if not name:
            command.append(word)
            i += 1
            continue
        if arity[name] and not attached:
            if i + 1 >= len(args):
                raise UsageError(f"option {name} after the command needs a value; "
                                 f"give one, or put the command after -- to pass it on")
            taken.append(f"{name} {args[i + 1]}")
            own.extend([word, args[i + 1]])
            i += 2
        else:
            taken.append(word)
            own.append(word)
            i += 1
    return SplitArgs(own, command, taken)
