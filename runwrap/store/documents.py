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
from typing import Any, BinaryIO, Callable, Dict, Iterator, Optional, Tuple

from runwrap.store.layout import LOCK_FILE, PARTS_DIR, RESERVE_FILE, RUN_JSON
from runwrap.store.values import MAX_DEPTH, to_json_safe


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """`data` as the whole content of `path`, or the old content: never a part. `durable`
    also fsyncs (a power cut keeps it); without, a killed process still leaves it whole."""
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)  # disk full, directory gone...: leave no half-written temporary file behind
        raise


def discard(path: "str | os.PathLike[str]") -> None:
    """Remove the file at `path` if it is there (a temporary file a write gave up on, the disk
    reserve): cleaning up never raises over the error that made it necessary."""
    try:
        os.unlink(path)
    except OSError:
        pass


def copy_hashed(source: BinaryIO, path: Path) -> Tuple[str, int]:
    """Copy the open file `source` into a new file at `path` in 1 MiB chunks (memory bounded
    whatever its size), hashing it on the way: (sha256 hex digest, size)."""
    import hashlib  # start-up: loading OpenSSL costs every run ~6 ms; only media and files use it

    digest = hashlib.sha256()
    size = 0
    with open(path, "wb") as out:
        while True:
            chunk = source.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class SpaceReserve:
    """Room on the run's disk held from the start of a run to its end.

    A disk that fills during the run would leave nowhere to write the run's end (status, exit
    code, summary), and the run would read `crashed`. The owner of run.json holds SIZE bytes in
    a hidden file and frees them just before recording the end. A run killed before its end
    leaves the file; `release` of a later owner (a resume) or removing the run frees it."""

    SIZE = 256 * 1024

    def __init__(self, run_dir: Path, part: Optional[str] = None):
        """`part`: a task of a launcher job holds its own (each task records its own end)."""
        self.path = Path(run_dir) / (f"{RESERVE_FILE}.{part}" if part else RESERVE_FILE)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError:
            return
        try:
            os.posix_fallocate(fd, 0, self.SIZE)
        except OSError:  # already full, or a filesystem without fallocate: hold what we got
            pass
        finally:
            os.close(fd)

    def release(self) -> None:
        discard(self.path)


def write_json(path: Path, obj: Any, durable: bool = True) -> None:
    """`obj` as the whole of `path` (see write_bytes_atomic for `durable`)."""
    data = json.dumps(to_json_safe(obj), indent=2, default=str) + "\n"
    write_bytes_atomic(path, data.encode(), durable)
    if path.name == RUN_JSON:
        _touch(path.parent.parent)
    elif path.parent.name == PARTS_DIR:
        _touch(path.parent.parent.parent)


def _touch(project_dir: Path) -> None:
    """Move the project folder's mtime: the listing index (index.py) re-checks a project's runs
    one by one only when that mtime moved, so every write of a document it caches does this."""
    try:
        os.utime(project_dir)
    except OSError:
        pass  # not ours to touch: the index's periodic full check still finds the change


def read_json(path: Path, default: Any = None) -> Any:
    """The parsed document, or `default` when it is missing or unreadable (never raises on bad data)."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError, RecursionError):  # RecursionError: nested past json's limit
        return default


MAX_YAML_VALUES = 100_000  # far above any real config; a YAML alias bomb is far above it


class YamlTooLarge(ValueError):
    """A YAML document whose aliases expand past MAX_YAML_VALUES values, or refer to
    themselves: parsing it is cheap, but every consumer that walks it (JSON, show, compare,
    MLflow params) would expand it in memory."""

    fix = "write the values out instead of repeating YAML aliases (*name)"


class YamlTooDeep(YamlTooLarge):
    """A YAML document nested past MAX_DEPTH levels: every consumer walks it recursively."""

    fix = f"flatten it to at most {MAX_DEPTH} levels"


def expanded_size(data: Any, limit: int = MAX_YAML_VALUES) -> int:
    """How many values `data` holds once every shared container (a YAML alias) is counted
    each time it is referred to. Raises YamlTooLarge past `limit` or on a cycle."""
    sizes: dict = {}  # id(container) -> its expanded size, so each is walked once
    on_path: set = set()

    def size(value: Any) -> int:
        if not isinstance(value, (dict, list)):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise YamlTooLarge("it refers to itself through an alias")
        if len(on_path) >= MAX_DEPTH:
            raise YamlTooDeep(f"it nests more than {MAX_DEPTH} levels")
        on_path.add(key)
        children = value.values() if isinstance(value, dict) else value
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                raise YamlTooLarge(f"its aliases expand past {limit:,} values")
        on_path.discard(key)
        sizes[key] = total
        return total

    return size(data)


def load_yaml(stream: Any, fast: bool = False) -> Any:
    """`yaml.safe_load`, refusing documents that expand past MAX_YAML_VALUES (YamlTooLarge).
    `fast` uses libyaml's parser when it is installed."""
    import yaml  # start-up: yaml is imported only where it is used

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader
    try:
        data = yaml.load(stream, Loader=loader)
    except RecursionError:  # PyYAML's parser recurses once per level
        raise YamlTooDeep(f"it nests more than {MAX_DEPTH} levels") from None
    expanded_size(data)
    return data


def write_yaml(path: Path, obj: Any) -> None:
    import yaml  # start-up: yaml is imported only where it is used

    class _NoAliases(yaml.SafeDumper):
        """Every value written out in full: config.yaml stays readable without YAML anchors."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    expanded_size(obj)
    text = yaml.dump(obj, Dumper=_NoAliases, sort_keys=False, allow_unicode=True,
                     default_flow_style=False)
    write_bytes_atomic(path, text.encode())


def read_yaml(path: Path, default: Any = None) -> Any:
    """The parsed document, or `default` when it is missing, unreadable, not YAML or too large
    once its aliases are expanded (never raises on bad data)."""
    import yaml  # start-up: yaml is imported only where it is used

    try:
        with open(path, "rb") as f:
            data = load_yaml(f)
    except (OSError, yaml.YAMLError, YamlTooLarge):
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


def _load_json(stream: BinaryIO) -> Any:
    """`json.load`, refusing documents nested past MAX_DEPTH as load_yaml does."""
    try:
        data = json.load(stream)
    except RecursionError:
        raise YamlTooDeep(f"it nests more than {MAX_DEPTH} levels") from None
    expanded_size(data)
    return data


def load_config_file(path: str, what: str, hint: str) -> Dict[str, Any]:
    """The mapping a YAML (or .json) config file holds, for the wrapper's `--config FILE` and init()'s
    `config="file.yaml"` alike. wandb's layouts are read as wandb writes them: `wandb_version`
    is dropped, and `key: {desc: ..., value: ...}` (config-defaults.yaml) gives the values.
    Anything wrong is a UsageError that starts with `what` and ends with `hint`, the fix."""
    import yaml  # start-up: yaml is imported only where it is used

    from runwrap.errors import UsageError  # start-up: loaded only on the path that needs it

    try:
        with open(path, "rb") as f:
            # A .json file is read as JSON: PyYAML reads JSON's 1e-05 as a string (YAML 1.1
            # floats need a dot), and a sweep hands each trial its parameters in one.
            data = _load_json(f) if path.lower().endswith(".json") else load_yaml(f)
    except YamlTooLarge as e:
        raise UsageError(f"{what} {path!r} is refused: {e}; {e.fix}") from None
    except FileNotFoundError:
        raise UsageError(f"{what} {path!r} does not exist; {hint}") from None
    except IsADirectoryError:
        raise UsageError(f"{what} {path!r} is a directory; {hint}") from None
    except OSError as e:
        raise UsageError(f"{what} {path!r} cannot be read ({e.strerror}); {hint}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{what} {path!r} is not valid YAML{where}; fix the file") from None
    except ValueError as e:  # json.JSONDecodeError, or bytes that are no text
        where = f" at line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise UsageError(f"{what} {path!r} is not valid JSON{where}; fix the file") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{what} {path!r} holds a {type(data).__name__}, not a mapping of keys "
                         f"to values; write it as `key: value` lines")
    data.pop("wandb_version", None)
    if data and all(isinstance(v, dict) and "value" in v and set(v) <= {"value", "desc"}
                    for v in data.values()):
        data = {k: v["value"] for k, v in data.items()}
    return data
