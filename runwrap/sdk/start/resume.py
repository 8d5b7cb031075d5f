"""resume / resume_from / fork_from: which run to continue, and moving history aside.

History after a rewind point is never deleted: its lines move into
`archive/rewind-<time>/<stream>.jsonl` inside the run directory.
"""
from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from runwrap.errors import UsageError
from runwrap.store import documents
from runwrap.store.lifecycle import RESUME_VALUES
from runwrap.store.streams import StreamReader, StreamWriter, encode_record, source_of, stream_files

REINIT_VALUES = ("default", "return_previous", "finish_previous", "create_new")
_POINT = r"^([^/\\#?%:]+)\?_step=(\d+)$"
ARCHIVE_DIR = "archive"


def normalize_resume(value: Any) -> Optional[str]:
    """wandb's deprecated booleans: True means 'auto', False means not set."""
    if value is True or value is False:
        warnings.warn(f"resume={value} is deprecated; use resume='auto' or leave it unset",
                      FutureWarning, stacklevel=5)
        return "auto" if value else None
    if value is None:
        return None
    if value not in RESUME_VALUES:
        raise UsageError(f"resume={value!r} is not one of {', '.join(RESUME_VALUES)}")
    return value


def normalize_reinit(value: Any, notebook: bool) -> str:
    if value is True:
        return "finish_previous"
    if value is False:
        return "return_previous"
    if value is None or value == "default":
        return "finish_previous" if notebook else "return_previous"
    if value not in REINIT_VALUES:
        raise UsageError(f"reinit={value!r} is not one of {', '.join(REINIT_VALUES)} "
                         f"(or True/False)")
    return value


def parse_point(value: Any, what: str) -> Tuple[str, int]:
    import re  # start-up: loaded only on the path that needs it

    match = re.match(_POINT, value) if isinstance(value, str) else None
    if not match:
        raise UsageError(f"{what}={value!r} is malformed; use '{{run_id}}?_step={{step}}', "
                         f"e.g. 'abc123?_step=100'")
    return match.group(1), int(match.group(2))


def is_sdk_stream(path: Path) -> bool:
    return source_of(path) == "sdk"


def last_step(run_dir: Path) -> int:
    """The highest `_step` in the run's sdk streams, or -1."""
    top = -1
    for path in stream_files(run_dir):
        if is_sdk_stream(path):
            for record in StreamReader(path).read():
                step = record.get("_step")
                if isinstance(step, int) and step > top:
                    top = step
    return top


def rewind(run_dir: Path, step: int) -> Optional[Path]:
    """Keep sdk history up to `step`; move the later lines into an archive folder."""
    archive = run_dir / ARCHIVE_DIR / f"rewind-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    moved_any = False
    for path in stream_files(run_dir):
        if not is_sdk_stream(path):
            continue
        keep, later = [], []
        for record in StreamReader(path).read():
            s = record.get("_step")
            (later if isinstance(s, int) and s > step else keep).append(record)
        if not later:
            continue
        archive.mkdir(parents=True, exist_ok=True)
        writer = StreamWriter(archive / path.name)
        writer.write_many(later)
        writer.fsync()
        writer.close()
        documents.write_bytes_atomic(path, b"".join(encode_record(r) for r in keep))
        moved_any = True
    return archive if moved_any else None


def history_until(source_dir: Path, step: int) -> List[Dict[str, Any]]:
    """The source run's sdk records with `_step <= step` (what a fork starts from)."""
    kept: List[Dict[str, Any]] = []
    for path in stream_files(source_dir):
        if is_sdk_stream(path):
            kept.extend(r for r in StreamReader(path).read()
                        if isinstance(r.get("_step"), int) and r["_step"] <= step)
    return kept
