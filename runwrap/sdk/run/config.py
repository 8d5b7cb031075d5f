"""`run.config`: a dict with attribute access that saves itself to config.yaml on every change.

Rules from wandb's documentation: keys may not contain '.', a value may be at most 10 MB
serialised, and a key that is set may only change with `allow_val_change`.
"""
from __future__ import annotations

import json
import math
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional

from runwrap.errors import UsageError
from runwrap.store.values import TooDeep, plain_value

MAX_VALUE_BYTES = 10 * 1024 * 1024


def to_plain(value: Any, what: str = "a value") -> Any:
    """A value YAML and JSON can hold (store.values.plain_value); `what` names it when it is
    nested too deep."""
    try:
        return plain_value(value)
    except TooDeep:
        raise TooDeep(what) from None


def check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise UsageError(f"config key {key!r} is a {type(key).__name__}; use a string")
    if "." in key:
        raise UsageError(f"config key {key!r} contains '.'; use '_' or a nested dict instead")
    return key


def check_size(key: str, value: Any) -> None:
    size = len(json.dumps(value, default=str))
    if size > MAX_VALUE_BYTES:
        raise UsageError(f"config value of {key!r} is {size} bytes serialised; the limit is "
                         f"10 MB: store large data as a file with run.save() instead")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


class Config:
    """Item and attribute access, `update`, `setdefaults`, `as_dict`; thread-safe."""

    def __init__(self, items: Optional[Dict[str, Any]] = None, allow_val_change: bool = False,
                 on_change: Optional[Callable[[Dict[str, Any], list], None]] = None):
        object.__setattr__(self, "_items", dict(items or {}))
        object.__setattr__(self, "_allow", allow_val_change)
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_lock", threading.RLock())

    # -- changing ---------------------------------------------------------------------------
    def _set_many(self, pairs: Iterable[tuple], allow_val_change: Optional[bool],
                  only_missing: bool = False) -> None:
        allow = self._allow if allow_val_change is None else allow_val_change
        with self._lock:
            changed: Dict[str, Any] = {}
            for key, value in pairs:
                check_key(key)
                value = to_plain(value, f"config key {key!r}")
                check_size(key, value)
                if key in self._items:
                    old = self._items[key]
                    if only_missing or _same(old, value):
                        continue
                    if not allow:
                        raise UsageError(
                            f"config key {key!r} is already {old!r}; refusing to change it to "
                            f"{value!r}: pass allow_val_change=True to init() or "
                            f"config.update({{{key!r}: ...}}, allow_val_change=True), or log "
                            f"changing values with run.log()")
                changed[key] = value
            if changed:
                self._items.update(changed)
                if self._on_change is not None:
                    self._on_change(changed, [])

    def __setitem__(self, key: str, value: Any) -> None:
        self._set_many([(key, value)], None)

    def __setattr__(self, key: str, value: Any) -> None:
        self._set_many([(key, value)], None)

    def update(self, data: Any = None, allow_val_change: Optional[bool] = None, **kwargs: Any) -> None:
        pairs = list(config_items(data).items()) + list(kwargs.items())
        self._set_many(pairs, allow_val_change)

    def setdefaults(self, data: Any) -> None:
        """Set the keys of `data` that are not set yet; keep the others."""
        self._set_many(list(config_items(data).items()), None, only_missing=True)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.setdefaults({key: default})
        return self._items[key]

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._items[key]
            if self._on_change is not None:
                self._on_change({}, [key])

    # -- reading ----------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def as_dict(self) -> Dict[str, Any]:
        return dict(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return self._items == other._items
        return isinstance(other, Mapping) and self._items == dict(other)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"


def config_items(config: Any) -> Dict[str, Any]:
    """The key/value pairs of any config form init() accepts (a str is a YAML file path)."""
    if config is None:
        return {}
    if isinstance(config, Config):
        return config.as_dict()
    if isinstance(config, Mapping):
        return dict(config)
    if isinstance(config, str):
        return load_yaml_config(config)
    flag_values = getattr(config, "flag_values_dict", None)
    if callable(flag_values):  # absl.flags.FLAGS
        return dict(flag_values())
    if hasattr(config, "_get_kwargs") or type(config).__name__ == "Namespace":
        return dict(vars(config))  # argparse.Namespace
    raise UsageError(f"config must be a dict, argparse.Namespace, absl flags or a YAML file "
                     f"path, got {type(config).__name__}")


def load_yaml_config(path: str) -> Dict[str, Any]:
    # start-up: loaded only on the path that needs it
    from runwrap.store.documents import load_config_file

    return load_config_file(path, "config file", "pass a dict or an existing YAML file path")


def filter_keys(items: Dict[str, Any], include: Optional[Iterable[str]],
                exclude: Optional[Iterable[str]]) -> Dict[str, Any]:
    if include is not None and exclude is not None:
        raise UsageError("config_include_keys and config_exclude_keys are mutually exclusive; "
                         "pass only one")
    if include is not None:
        wanted = _key_set(include, "config_include_keys")
        return {k: v for k, v in items.items() if k in wanted}
    if exclude is not None:
        unwanted = _key_set(exclude, "config_exclude_keys")
        return {k: v for k, v in items.items() if k not in unwanted}
    return items


def _key_set(keys: Any, argument: str) -> set:
    """A list of config keys as a set; one string is one key (not a set of its letters)."""
    if isinstance(keys, str):
        return {keys}
    try:
        return set(keys)
    except TypeError:
        raise UsageError(f"{argument}={keys!r} must be a list of config keys") from None
