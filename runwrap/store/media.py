"""Media files of a run: `media/<kind>/<key>_<step>_<digest>.<ext>` under the run directory.

A logged image, table or histogram is one of these files plus one reference record in the
stream that logged it (`{"_type": "image-file", "path": "media/images/...", "sha256": ...}`),
the layout wandb uses in its own run folders. The name holds the content's digest, so the same
content logged again at the same step is stored once, and a file that exists is whole: it is
written under a temporary name and renamed, so a process killed mid-write leaves no torn media
file behind it, and every file whose log() returned survives a SIGKILL (no fsync: like the
streams, a power cut may still lose the last ones).
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterator, List, Optional

from runwrap.errors import UsageError
from runwrap.store.documents import copy_hashed, discard, write_bytes_atomic
from runwrap.store.layout import MEDIA_DIR

DIGEST_CHARS = 20  # of the sha256 in a file name, as wandb names its media files
# Bytes of one path component made from a key: file systems allow 255 (NAME_MAX), and the leaf
# also carries `_<step>_<digest>.<ext>`. A longer part, or a key longer than KEY_BYTES in all
# (PATH_MAX), is shortened with a hash of the whole (`safe_part`); the record keeps the key.
PART_BYTES = 180
KEY_BYTES = 1024


class StoredFile:
    """Where one media file went: its path relative to the run directory, digest and size."""

    __slots__ = ("path", "sha256", "size")

    def __init__(self, path: str, sha256: str, size: int):
        self.path = path
        self.sha256 = sha256
        self.size = size

    def reference(self, type_name: str, **fields: Any) -> Dict[str, Any]:
        """The stream's reference record for this file."""
        record = {"_type": type_name, "path": self.path, "sha256": self.sha256, "size": self.size}
        record.update((k, v) for k, v in fields.items() if v is not None)
        return record


def check_key(key: str) -> str:
    """A logged key as a path below media/<kind>/: `/` makes folders (wandb's sections), but no
    part may be empty, `.` or `..` and nothing may start at the root."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in key:
        raise UsageError(f"log key {key!r} cannot name a media file (empty part, '.', '..' or "
                         f"a leading '/'); rename the key")
    return key


_made_dirs: set = set()  # folders known to exist: one mkdir per folder per process, not per file


def safe_part(name: str, limit: int = PART_BYTES) -> str:
    """`name` as a file name of at most `limit` bytes: itself when it fits, else its start and
    a hash of all of it (`<start>~<16 hex>`): stable, and distinct for distinct names."""
    raw = name.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return name
    head = raw[:limit - 17].decode("utf-8", "ignore")  # never half a character
    return f"{head}~{hashlib.sha256(raw).hexdigest()[:16]}"


def key_path(key: str) -> str:
    """The path below media/<kind>/ of a checked key: its parts, each short enough for the
    file system, or one shortened part when the whole is too long for a path."""
    if len(key.encode("utf-8", "surrogatepass")) > KEY_BYTES:
        return safe_part(key.replace("/", "_"))
    return "/".join(safe_part(part) for part in key.split("/"))


def write_media(run_dir: Path, kind: str, key: str, step: int, data: bytes, ext: str) -> StoredFile:
    """Store `data` as the media file of `key` at `step`; returns where it went."""
    digest = hashlib.sha256(data).hexdigest()
    rel = (f"{MEDIA_DIR}/{kind}/{key_path(check_key(key))}_{step}_{digest[:DIGEST_CHARS]}"
           f".{ext}")
    path = os.path.join(run_dir, rel)
    folder = os.path.dirname(path)
    if folder not in _made_dirs:
        os.makedirs(folder, exist_ok=True)
        _made_dirs.add(folder)
    # Renamed over an existing file of the same name (same digest: the same bytes), so the
    # same content logged twice at one step is one file.
    try:
        write_bytes_atomic(path, data, durable=False)
    except FileNotFoundError:  # the folder was removed meanwhile (gc, a test): make it again
        _made_dirs.discard(folder)
        os.makedirs(folder, exist_ok=True)
        write_bytes_atomic(path, data, durable=False)
    return StoredFile(rel, digest, len(data))


def copy_media(run_dir: Path, kind: str, key: str, step: int, source: BinaryIO,
               ext: str) -> StoredFile:
    """Store the content of the open file `source` as the media file of `key` at `step`,
    copied in chunks (memory stays bounded whatever its size): written under a temporary name
    in the final folder, hashed on the way, then renamed to the name its digest gives."""
    folder_rel = f"{MEDIA_DIR}/{kind}/{key_path(check_key(key))}"
    folder, leaf = os.path.split(os.path.join(run_dir, folder_rel))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        hexdigest, size = copy_hashed(source, Path(tmp))
        name = f"{leaf}_{step}_{hexdigest[:DIGEST_CHARS]}.{ext}"
        os.replace(tmp, os.path.join(folder, name))
    except BaseException:
        discard(tmp)
        raise
    return StoredFile(f"{os.path.dirname(folder_rel)}/{name}".lstrip("/"), hexdigest, size)


def media_files(run_dir: Path) -> List[str]:
    """Every media file of a run, relative to the run directory, sorted."""
    root = Path(run_dir) / MEDIA_DIR
    out: List[str] = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not name.startswith("."):
                out.append(os.path.relpath(os.path.join(dirpath, name), run_dir))
    return sorted(out)


def is_reference(value: Any) -> bool:
    """True for a stream value that refers to a media file (or a list of them)."""
    return isinstance(value, dict) and isinstance(value.get("_type"), str) and (
        "path" in value or "filenames" in value or "items" in value)


def references(record: Dict[str, Any]) -> Iterator[tuple]:
    """(key, reference) for each media value of a stream record."""
    for key, value in record.items():
        if not key.startswith("_") and is_reference(value):
            yield key, value


def read_media_json(run_dir: Path, reference: Dict[str, Any]) -> Optional[Any]:
    """The JSON document a reference points at (a table or histogram), None when unreadable."""
    import json  # start-up: loaded only on the path that needs it

    path = reference.get("path")
    if not isinstance(path, str):
        return None
    full = (Path(run_dir) / path).resolve()
    if not str(full).startswith(str(Path(run_dir).resolve()) + os.sep):
        return None  # a reference never points outside its run
    try:
        return json.loads(full.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None


class MediaEntry:
    """What a run logged under one media key: the type, how many records, the last one."""

    __slots__ = ("key", "type", "count", "last_step", "last")

    def __init__(self, key: str, type_name: str):
        self.key = key
        self.type = type_name
        self.count = 0
        self.last_step: Optional[int] = None
        self.last: Dict[str, Any] = {}

    def as_dict(self) -> Dict[str, Any]:
        return {"type": self.type, "count": self.count, "last_step": self.last_step,
                "last": self.last}


def media_index(run_dir: Path) -> Dict[str, MediaEntry]:
    """Every media key of a run's streams, in the order first logged."""
    # start-up: loaded only on the path that needs it
    from runwrap.store.streams import StreamReader, stream_files

    index: Dict[str, MediaEntry] = {}
    for path in stream_files(Path(run_dir)):
        for record in StreamReader(path).read():
            for key, ref in references(record):
                entry = index.get(key)
                if entry is None:
                    entry = index[key] = MediaEntry(key, ref["_type"])
                entry.count += 1
                entry.last_step = record.get("_step")
                entry.last = ref
    return index


def table_of(reference: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The table-file reference inside a table or chart reference, else None."""
    if reference.get("_type") == "table-file":
        return reference
    inner = reference.get("table")
    return inner if isinstance(inner, dict) and inner.get("_type") == "table-file" else None
