"""Small documents (run.json, config.yaml, summary.json): replaced atomically, updated under a lock.

A reader always sees a whole old or a whole new document: write a temporary file in the same
directory, fsync it, rename it over the old one. Read-modify-write by several processes (the
wrapper and the child's init(), several ranks) goes through `update_json`, which holds an
exclusive flock on the run directory's `.lock` for the duration.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from runwrap.store.layout import LOCK_FILE
from runwrap.store.values import to_json_safe


def write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        # Disk full, directory gone...: leave no half-written temporary file behind.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json(path: Path, obj: Any) -> None:
    write_bytes_atomic(path, (json.dumps(to_json_safe(obj), indent=2, default=str) + "\n").encode())


def read_json(path: Path, default: Any = None) -> Any:
    """The parsed document, or `default` when it is missing or unreadable (never raises on bad data)."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError):
        return default


def write_yaml(path: Path, obj: Any) -> None:
    import yaml

    text = yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, default_flow_style=False)
    write_bytes_atomic(path, text.encode())


def read_yaml(path: Path, default: Any = None) -> Any:
    import yaml

    try:
        with open(path, "rb") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return default
    return default if data is None else data


@contextlib.contextmanager
def locked(run_dir: Path) -> Iterator[None]:
    """Exclusive lock over the run directory's documents (flock: released if the holder dies)."""
    fd = os.open(run_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def update_json(path: Path, mutate: Callable[[dict], Optional[dict]]) -> dict:
    """Read the JSON document at `path`, let `mutate` change it (in place or by returning a new
    dict), and replace it atomically, all under the run directory's lock. Returns the result."""
    with locked(path.parent):
        doc = read_json(path, {}) or {}
        result = mutate(doc)
        if result is not None:
            doc = result
        write_json(path, doc)
        return doc
