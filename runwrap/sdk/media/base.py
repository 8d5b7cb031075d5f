"""What every data type shares, and how log() turns them into files and reference records."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Optional

from runwrap.errors import UsageError


class Media:
    """A value log() stores as a file. Subclasses say how (`store`) and may refuse a value at
    log time (`check`) before anything is written."""

    def check(self, key: str) -> None:
        """Raise UsageError naming `key` when this value cannot be logged."""

    def store(self, sink: "MediaSink", key: str, step: int) -> Dict[str, Any]:
        raise NotImplementedError


class MediaSink:
    """Writes the media of one run directory (one per Run, used under History's lock)."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)

    def write(self, kind: str, key: str, step: int, data: bytes, ext: str) -> Any:
        # start-up: loaded only on the path that needs it
        from runwrap.store.media import write_media

        return write_media(self.run_dir, kind, key, step, data, ext)

    def write_file(self, kind: str, key: str, step: int, source: "SourceFile", ext: str) -> Any:
        """Store the user's file: its bytes when they were read, else a streamed copy."""
        if source.data is not None:
            return self.write(kind, key, step, source.data, ext)
        # start-up: loaded only on the path that needs it
        from runwrap.store.media import copy_media

        try:
            with open(source.path, "rb") as f:
                return copy_media(self.run_dir, kind, key, step, f, ext)
        except FileNotFoundError:
            raise UsageError(f"{source.what}: {source.path!r} was removed before it was "
                             f"logged; log it while it exists") from None

    def check(self, record: Dict[str, Any]) -> bool:
        """Validate every media value of a flattened record; True when there is any."""
        from runwrap.store.media import check_key  # start-up: loaded only on the path that needs it

        found = False
        for key, value in record.items():
            if isinstance(value, Media):
                check_key(key)
                value.check(key)
                found = True
            elif type(value) is list and value and isinstance(value[0], Media):
                kinds = {type(v) for v in value}
                if len(kinds) > 1 or not isinstance(value[-1], Media):
                    raise UsageError(f"log key {key!r}: a list of media must hold one type, "
                                     f"got {', '.join(sorted(k.__name__ for k in kinds))}")
                check_key(key)
                for item in value:
                    item.check(key)
                found = True
        return found

    def convert(self, record: Dict[str, Any], step: int) -> None:
        """Replace each media value of `record` by its reference record, writing its files."""
        for key, value in list(record.items()):
            if isinstance(value, Media):
                record[key] = value.store(self, key, step)
            elif type(value) is list and value and isinstance(value[0], Media):
                record[key] = self._store_list(key, value, step)

    def _store_list(self, key: str, items: List[Media], step: int) -> Dict[str, Any]:
        refs = [item.store(self, key, step) for item in items]
        first = refs[0]
        if first.get("_type") == "image-file":
            # wandb's record for a list of images.
            out: Dict[str, Any] = {"_type": "images/separated", "count": len(refs),
                                   "filenames": [r["path"] for r in refs],
                                   "width": first.get("width"), "height": first.get("height"),
                                   "format": first.get("format")}
            captions = [r.get("caption") for r in refs]
            if any(c is not None for c in captions):
                out["captions"] = [c if c is not None else "" for c in captions]
            return out
        return {"_type": f"{first.get('_type')}/list", "count": len(refs), "items": refs}


def is_torch_tensor(value: Any) -> bool:
    """A torch tensor, told without importing torch."""
    module = type(value).__module__ or ""
    return module.startswith("torch") and hasattr(value, "detach")


def is_matplotlib(value: Any) -> bool:
    """A matplotlib object (Figure, Axes), or the pyplot module itself: `wandb.Image(plt)` and
    `wandb.log({"chart": plt})` take its current figure."""
    name = value.__name__ if isinstance(value, ModuleType) else type(value).__module__
    return (name or "").startswith("matplotlib")


def to_numpy(value: Any, what: str) -> Any:
    """`value` as a numpy array (torch tensors through .detach().cpu().numpy())."""
    np = require("numpy", "numpy", what)
    if is_torch_tensor(value):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def require(module: str, package: str, what: str, extra: str = "media") -> Any:
    """Import `module` or raise UsageError naming the extra that installs it."""
    loaded = sys.modules.get(module)  # once imported, a dict look-up: log() calls this per image
    if loaded is not None:
        return loaded
    import importlib  # start-up: loaded only on the path that needs it

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{what} needs {package}, which is not installed; "
                         f"pip install 'runwrap[{extra}]' (or pip install {package})") from None


# A media file up to this size is read when the data type is made; a larger one is copied in
# chunks when it is logged, so memory stays bounded whatever the file's size.
IN_MEMORY = 16 << 20

_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISSOCK, "a socket"))


class SourceFile:
    """A file the user named as media, checked when named: it exists, has an allowed extension
    and is a regular file (a FIFO would block forever, /dev/zero never end; a link is followed
    to what it names). `data` holds its bytes up to IN_MEMORY, else None: `path` is copied,
    streamed, when logged (MediaSink.write_file)."""

    def __init__(self, path: Any, what: str, allowed: Optional[tuple] = None):
        self.path = text = os.fspath(path)
        self.what = what
        ext = os.path.splitext(text)[1].lower().lstrip(".")
        if allowed is not None and ext not in allowed:
            raise UsageError(f"{what}: {text!r} is not one of the supported file types "
                             f"({', '.join(allowed)})")
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
            fd = os.open(text, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            raise UsageError(f"{what}: cannot read {text!r} ({e.strerror}); check the path") from None
        try:
            st = os.fstat(fd)
            for test, kind in _NOT_REGULAR:
                if test(st.st_mode):
                    raise UsageError(f"{what}: {text!r} is {kind}, not a file; pass the path "
                                     f"of a regular file")
            self.size = st.st_size
            self.data: Optional[bytes] = None
            if st.st_size <= IN_MEMORY:  # (a /proc file says 0 and may hold more: bounded)
                data = _read_at_most(fd, IN_MEMORY + 1)
                if len(data) <= IN_MEMORY:
                    self.data = data
        except OSError as e:
            raise UsageError(f"{what}: cannot read {text!r} ({e.strerror}); check the path") from None
        finally:
            os.close(fd)

    def __len__(self) -> int:
        return len(self.data) if self.data is not None else self.size


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: List[bytes] = []
    got = 0
    while got < limit:
        chunk = os.read(fd, min(1 << 20, limit - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_path(path: Any, what: str, allowed: Optional[tuple] = None) -> bytes:
    """The bytes of a file the user named, checked (SourceFile), for data types that need the
    content itself (Html): one that is larger than IN_MEMORY is refused."""
    source = SourceFile(path, what, allowed)
    if source.data is None:
        raise UsageError(f"{what}: {source.path!r} is {source.size:,} bytes; {what} takes at "
                         f"most {IN_MEMORY >> 20} MiB")
    return source.data
