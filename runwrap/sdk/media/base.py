"""What every data type shares, and how log() turns them into files and reference records."""
from __future__ import annotations

import os
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
        from runwrap.store.media import write_media

        return write_media(self.run_dir, kind, key, step, data, ext)

    def check(self, record: Dict[str, Any]) -> bool:
        """Validate every media value of a flattened record; True when there is any."""
        from runwrap.store.media import check_key

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
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{what} needs {package}, which is not installed; "
                         f"pip install 'runwrap[{extra}]' (or pip install {package})") from None


def read_path(path: Any, what: str, allowed: Optional[tuple] = None) -> bytes:
    """The bytes of a file the user named, checked: it exists and has an allowed extension."""
    text = os.fspath(path)
    ext = os.path.splitext(text)[1].lower().lstrip(".")
    if allowed is not None and ext not in allowed:
        raise UsageError(f"{what}: {text!r} is not one of the supported file types "
                         f"({', '.join(allowed)})")
    try:
        with open(text, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageError(f"{what}: cannot read {text!r} ({e.strerror}); check the path") from None
