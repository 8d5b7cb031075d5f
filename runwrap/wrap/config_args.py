"""`--config`: YAML files and KEY=VALUE words, merged in the order given."""
from __future__ import annotations

import os
import re
from typing import Any, Dict, List

from runwrap.errors import UsageError
from runwrap.store import documents

_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")


def load_config_file(path: str) -> Dict[str, Any]:
    return documents.load_config_file(path, "--config file", "give a YAML file or KEY=VALUE")


def _set_nested(config: Dict[str, Any], dotted: str, value: Any) -> None:
    """`a.b=1` sets config['a']['b'] (the way Hydra and OmegaConf users write overrides)."""
    parts = dotted.split(".")
    if any(not p for p in parts):
        raise UsageError(f"--config key {dotted!r} has an empty part; write KEY=VALUE or A.B=VALUE")
    node = config
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def parse_config_args(items: List[str]) -> Dict[str, Any]:
    """Merge `--config` words: an existing file is YAML; otherwise KEY=VALUE with VALUE read as a
    YAML scalar (`lr=1e-3` is a float, `name=abc` a string, `flag=true` a bool)."""
    config: Dict[str, Any] = {}
    if not items:
        return config
    import yaml  # start-up: yaml is imported only where it is used

    for item in items:
        if "=" in item and not os.path.isfile(item):
            key, _, raw = item.partition("=")
            key = key.strip()
            if not key:
                raise UsageError(f"--config {item!r} has no key; write KEY=VALUE")
            try:
                value = documents.load_yaml(raw) if raw.strip() else ""
            except documents.YamlTooLarge as e:
                raise UsageError(f"--config {key}=... is refused: {e}; {e.fix}")
            except yaml.YAMLError:
                value = raw
            if isinstance(value, str) and _FLOAT.match(value):
                value = float(value)  # YAML 1.1 reads `1e-3` as a string; people mean 0.001
            _set_nested(config, key, value)
        else:
            config.update(load_config_file(item))
    return config
