"""Run code right after a module is imported, without importing it ourselves.

torch takes seconds to import; sync_tensorboard must not pay that for programs that never use
it. A meta-path finder wraps the loader of the named modules and calls the hook once the module
has executed. Modules already imported get the hook immediately.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from typing import Any, Callable, Dict, List

_hooks: Dict[str, List[Callable[[Any], None]]] = {}
_lock = threading.Lock()
_installed = False


def when_imported(module_name: str, hook: Callable[[Any], None]) -> None:
    global _installed
    module = sys.modules.get(module_name)
    if module is not None:
        _safe(hook, module)
        return
    with _lock:
        _hooks.setdefault(module_name, []).append(hook)
        if not _installed:
            sys.meta_path.insert(0, _Finder())
            _installed = True


def _safe(hook: Callable[[Any], None], module: Any) -> None:
    try:
        hook(module)
    except Exception:  # an integration must never break the user's import
        pass


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname not in _hooks:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, fullname)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any, fullname: str):
        self._inner = inner
        self._fullname = fullname

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self._inner.create_module(spec)

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        self._inner.exec_module(module)
        with _lock:
            hooks = _hooks.pop(self._fullname, [])
        for hook in hooks:
            _safe(hook, module)
