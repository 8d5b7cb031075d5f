"""A sweep config from the command line: `-p NAME=VALUES` words and the command after `--`.

    -p lr=0.1,0.01,0.001       values (each read as a YAML scalar: 0.1 is a number, adam a word)
    -p depth=2..8              a range: whole numbers give int_uniform, others uniform
    -p lr=1e-4..1e-1:log       a log-scale range (log_uniform_values)
    -p opt.name=adam,sgd       a nested parameter (config {'opt': {'name': ...}})

The command gets the parameters as --name=value arguments (wandb's ${args}); a command that
names ${args...} or ${args_json_file} itself places them where it says.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError


def read_config_file(path: str) -> Dict[str, Any]:
    from runwrap.store import documents  # start-up: loaded only on the path that needs it

    return documents.load_config_file(path, "sweep config file",
                                      "give a wandb sweep config in YAML")


def _scalar(text: str) -> Any:
    from runwrap.store import documents  # start-up: loaded only on the path that needs it

    try:
        value = documents.load_yaml(text) if text.strip() else ""
    except Exception:
        return text
    if isinstance(value, str):
        try:
            return float(value) if any(c in value for c in "eE") else value
        except ValueError:
            return value
    return value


def parameter_of(word: str) -> tuple:
    name, sep, raw = word.partition("=")
    name = name.strip()
    if not sep or not name or not raw:
        raise UsageError(f"-p {word!r}: write NAME=VALUES, e.g. -p lr=0.1,0.01 or "
                         f"-p depth=2..8")
    if ".." in raw and "," not in raw:
        low, _, high = raw.partition("..")
        log = high.endswith(":log")
        lo, hi = _scalar(low), _scalar(high[:-4] if log else high)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi)):
            raise UsageError(f"-p {word!r}: a range is LOW..HIGH with numbers, e.g. "
                             f"-p lr=0.001..0.1:log")
        if log:
            return name, {"distribution": "log_uniform_values", "min": lo, "max": hi}
        return name, {"min": lo, "max": hi}
    return name, {"values": [_scalar(v) for v in raw.split(",")]}


def config_from_options(params: List[str], command: List[str], method: Optional[str],
                        minimize: Optional[str], maximize: Optional[str]) -> Dict[str, Any]:
    if not command:
        raise UsageError("runwrap sweep -p ... needs the command to run after --, e.g. "
                         "runwrap sweep -p lr=0.1,0.01 -- python train.py")
    if minimize and maximize:
        raise UsageError("--minimize and --maximize exclude each other; give one metric")
    parameters: Dict[str, Any] = {}
    for word in params:
        name, spec = parameter_of(word)
        node = parameters
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {"parameters": {}})["parameters"]
        node[parts[-1]] = spec
    ranged = any("values" not in spec for spec in _leaves(parameters))
    config: Dict[str, Any] = {"method": method or ("random" if ranged else "grid"),
                              "parameters": parameters}
    if minimize or maximize:
        config["metric"] = {"name": minimize or maximize,
                            "goal": "minimize" if minimize else "maximize"}
    if any("${" in word for word in command):
        config["command"] = command
    else:
        config["command"] = list(command) + ["${args}"]
    return config


def _leaves(parameters: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    for spec in parameters.values():
        if "parameters" in spec:
            out.extend(_leaves(spec["parameters"]))
        else:
            out.append(spec)
    return out
