"""`run.summary`: each metric's last value by default, what define_metric asks for otherwise,
and explicit assignments, which always win and are saved to summary-user.json."""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

from runwrap.sdk.run.config import to_plain
from runwrap.store.summary import MISSING, SUMMARY_KINDS, definition_of, summary_value

__all__ = ["Summary", "SUMMARY_KINDS"]


class Summary:
    def __init__(self, stats: Callable[[], Dict[str, Dict[str, Any]]],
                 first: Callable[[], Dict[str, Any]],
                 metrics: Callable[[], Dict[str, Dict[str, Any]]],
                 user: Optional[Dict[str, Any]] = None,
                 on_change: Optional[Callable[[Dict[str, Any], List[str]], None]] = None):
        self._stats = stats
        self._first = first
        self._metrics = metrics
        self._user: Dict[str, Any] = dict(user or {})
        self._deleted: set = set()
        self._on_change = on_change

    def _computed(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        first = self._first()
        metrics = self._metrics()
        for key, entry in self._stats().items():
            if key in self._deleted:
                continue
            if "first" not in entry and key in first:  # a resumed run's older statistics
                entry = dict(entry, first=first[key])
            value = summary_value(entry, definition_of(key, metrics))
            if value is not MISSING:
                out[key] = value
        return out

    def as_dict(self) -> Dict[str, Any]:
        out = self._computed()
        out.update(self._user)
        return out

    def user(self) -> Dict[str, Any]:
        return dict(self._user)

    # -- dict interface -----------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key in self._user:
            return self._user[key]
        return self._computed()[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"summary has no key {key!r}") from None

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self[key] = value

    def update(self, data: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> None:
        changed = {str(k): to_plain(v, f"summary key {str(k)!r}")
                   for k, v in dict(data or {}, **kwargs).items()}
        self._user.update(changed)
        self._deleted.difference_update(changed)
        if self._on_change is not None:
            self._on_change(changed, [])

    def __delitem__(self, key: str) -> None:
        present = key in self._user or key in self._computed()
        if not present:
            raise KeyError(key)
        self._user.pop(key, None)
        self._deleted.add(key)
        if self._on_change is not None:
            self._on_change({}, [key])

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return key in self.as_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def keys(self):
        return self.as_dict().keys()

    def values(self):
        return self.as_dict().values()

    def items(self):
        return self.as_dict().items()

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"
