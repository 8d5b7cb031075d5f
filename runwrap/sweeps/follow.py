"""The sweep's metric, read live from a trial's run as runwrap records it.

Whatever source recorded it (the console, a metrics file, TensorBoard, log()) it is a key in one
of the run's stream files; the first stream that holds the key is followed from then on, so
two sources of the same name never interleave their values.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional

from runwrap.store.layout import STREAMS_DIR
from runwrap.store.streams import StreamReader


class MetricFollower:
    """Resumable reader of one metric's values across a run's stream files."""

    def __init__(self, run_dir: Path, name: str):
        self.run_dir = Path(run_dir)
        self.name = name
        self.readers: Dict[Path, StreamReader] = {}
        self.chosen: Optional[Path] = None  # the stream the metric comes from

    def new_values(self) -> List[float]:
        """The metric's values recorded since the last call (finite numbers only)."""
        out: List[float] = []
        paths = [self.chosen] if self.chosen is not None else self._stream_files()
        for path in paths:
            reader = self.readers.get(path)
            if reader is None:
                reader = self.readers[path] = StreamReader(path)
            for record in reader.read():
                value = record.get(self.name)
                if _finite(value):
                    if self.chosen is None:
                        self.chosen = path
                    if path == self.chosen:
                        out.append(float(value))
            if self.chosen is not None and path != self.chosen:
                break
        return out

    def _stream_files(self) -> List[Path]:
        try:
            return sorted((self.run_dir / STREAMS_DIR).glob("*.jsonl"))
        except OSError:
            return []


def _finite(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
