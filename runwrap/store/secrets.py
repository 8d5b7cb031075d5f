"""Secrets in a command line, masked before the command is recorded or shown.

A run records the command it ran (run.json, `runwrap show`/`diff`, MLflow tags), and command
lines carry credentials in many shapes. The rule, applied to every word of the argv (a
`sh -c '...'` script is one word, so it is searched as text too):

- the value of an option whose name holds key, token, secret, passw(or)d, credential, or a
  part (between `-`, `_`, `.`) that is pass, pw, pwd, auth, authorization, creds or cookie:
  `--password X`, `--api-key=X`, `--auth X`, `--credentials X`;
- `-p X` (and `-pX`) once the command named a user (`-u`, `-U`, `--user`, `--username`,
  `--login`), or in programs whose `-p` is a password (sshpass, mysql, mariadb);
- `NAME=VALUE` where NAME is such a name: `env TOKEN=X`, `AWS_SECRET_ACCESS_KEY=X`,
  `--config api_key=X`;
- the password of a URL (`scheme://user:X@host`), anywhere;
- HTTP credentials: `Authorization: Bearer X`, `Basic X`, `X-Api-Key: X`, `Cookie: X`.

Each secret becomes `***`; masking a masked command changes nothing, so readers may mask
again what an older runwrap stored unmasked.
"""
from __future__ import annotations

import os
import re
from typing import List

MASK = "***"

_SUBSTRINGS = ("key", "token", "secret", "passw", "credential")
_PARTS = frozenset(("pass", "pw", "pwd", "auth", "authorization", "creds", "cookie"))
_USER_OPTIONS = frozenset(("-u", "-U", "--user", "--username", "--login"))
_PASSWORD_P_PROGRAMS = frozenset(("sshpass", "mysql", "mysqldump", "mysqladmin", "mariadb"))

_VALUE = r"(?:\"[^\"]*\"|'[^']*'|[^\s\"';&|<>()]+)"  # quoted, or up to a shell operator
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s/:@\"']+):([^\s/@\"']+)@")
_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization\s*:\s*(?:(?:bearer|basic|token|digest)\s+)?"
    r"|(?:x-api-key|api-key|x-auth-token|private-token|cookie)\s*:\s*"
    r"|bearer\s+)([^\s\"';&|<>()]+)")
_ASSIGNMENT = re.compile(r"(?<![\w.-])([A-Za-z_][\w.]*)=(" + _VALUE + ")")
_INLINE_OPTION = re.compile(r"(?<!\S)(--?[A-Za-z][\w.-]*)(=|\s+)(" + _VALUE + ")")


def is_secret_name(name: str) -> bool:
    """Whether an option or variable called `name` (dashes stripped or not) holds a secret."""
    lowered = name.lower().lstrip("-")
    if any(s in lowered for s in _SUBSTRINGS):
        return True
    return any(part in _PARTS for part in re.split(r"[-_.]", lowered))


def mask_text(text: str) -> str:
    """`text` (one word, or a whole shell script) with URL passwords, HTTP credentials and
    secret `NAME=VALUE` / `--secret VALUE` pairs masked."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(rf"\1:{MASK}@", text)
    text = _HEADER.sub(rf"\1{MASK}", text)
    text = _ASSIGNMENT.sub(lambda m: f"{m[1]}={MASK}" if is_secret_name(m[1]) else m[0], text)
    if any(c.isspace() for c in text):  # a script: its options are words inside this word
        text = _INLINE_OPTION.sub(
            lambda m: f"{m[1]}{m[2]}{MASK}" if is_secret_name(m[1]) else m[0], text)
    return text


def mask_argv(argv: List[str]) -> List[str]:
    """The argv to record, every secret replaced by `***` (see the module's rule)."""
    out: List[str] = []
    mask_next = False
    short_p = False  # whether `-p` is a password here
    for word in argv:
        word = str(word)
        if mask_next:
            out.append(MASK)
            mask_next = False
            continue
        if (word.split("=", 1)[0] in _USER_OPTIONS
                or os.path.basename(word) in _PASSWORD_P_PROGRAMS):
            short_p = True
        if short_p and word == "-p":
            out.append(word)
            mask_next = True
            continue
        if short_p and word.startswith("-p") and len(word) > 2 and not word.startswith("--"):
            out.append(f"-p{MASK}")
            continue
        if word.startswith("-") and len(word) > 1 and not any(c.isspace() for c in word):
            name, eq, _ = word.partition("=")
            if is_secret_name(name):
                if eq:
                    out.append(f"{name}={MASK}")
                else:
                    out.append(word)
                    mask_next = True
                continue
        out.append(mask_text(word))
    return out
