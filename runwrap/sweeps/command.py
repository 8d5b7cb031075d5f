"""A trial's command line from the sweep's `command`, with wandb's macros filled in.

    ${env}               /usr/bin/env
    ${interpreter}       the Python running runwrap (wandb: `python` from PATH)
    ${program}           the sweep's `program`
    ${args}              --name=value for each top-level parameter
    ${args_no_hyphens}   name=value (Hydra's override syntax)
    ${args_no_equals}    --name value
    ${args_no_boolean_flags}   --name=value, a true boolean as --name, a false one left out
    ${args_json}         the parameters as one JSON object
    ${args_json_file}    the path of a file holding that JSON object
    ${envvar:NAME}       the value of environment variable NAME

A word that is exactly a macro becomes zero or more words; a macro inside a longer word
(`--config=${args_json_file}`) is replaced in place. A value is written as Python's str() of it,
as wandb's agent writes it (a nested parameter's value is its dict).
"""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError

_MACRO = re.compile(r"\$\{([A-Za-z_]+)(?::([A-Za-z0-9_]*))?\}")


def macro_values(params: Dict[str, Any], program: Optional[str],
                 json_file: Optional[str]) -> Dict[str, List[str]]:
    args, no_hyphens, no_equals, no_bool = [], [], [], []
    for name, value in params.items():
        word = f"{name}={value}"
        args.append(f"--{word}")
        no_hyphens.append(word)
        no_equals += [f"--{name}", str(value)]
        if isinstance(value, bool):
            if value:
                no_bool.append(f"--{name}")
        else:
            no_bool.append(f"--{word}")
    return {
        "env": ["/usr/bin/env"] if os.path.exists("/usr/bin/env") else [],
        "interpreter": [sys.executable],
        "program": [program] if program else [],
        "args": args,
        "args_no_hyphens": no_hyphens,
        "args_no_equals": no_equals,
        "args_no_boolean_flags": no_bool,
        "args_json": [json.dumps(params)],
        "args_json_file": [json_file] if json_file else [],
    }


def uses_json_file(command: List[str]) -> bool:
    return any("${args_json_file}" in word for word in command)


def build_command(command: List[str], params: Dict[str, Any], program: Optional[str],
                  json_file: Optional[str] = None) -> List[str]:
    """The words to run for a trial with `params` (the nested config)."""
    values = macro_values(params, program, json_file)
    out: List[str] = []
    for word in command:
        whole = _MACRO.fullmatch(word)
        if whole and whole.group(1) != "envvar":
            out.extend(_lookup(values, whole.group(1)))
            continue
        out.append(_MACRO.sub(lambda m: _inline(values, m), word))
    if not out:
        raise UsageError("the sweep's command is empty once its macros are filled in; give "
                         "`program` or a `command`")
    return out


def _lookup(values: Dict[str, List[str]], name: str) -> List[str]:
    if name not in values:
        raise UsageError(f"sweep command macro ${{{name}}} is not known; use one of "
                         f"{', '.join('${' + k + '}' for k in values)}, ${{envvar:NAME}}")
    if name == "program" and not values["program"]:
        raise UsageError("the sweep's command uses ${program} but the sweep config has no "
                         "`program`; add `program: train.py`")
    return values[name]


def _inline(values: Dict[str, List[str]], m: "re.Match[str]") -> str:
    if m.group(1) == "envvar":
        return os.environ.get(m.group(2) or "", m.group(2) or "")
    return " ".join(_lookup(values, m.group(1)))
