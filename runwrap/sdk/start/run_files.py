"""What both the standalone and the attached path write as the program runs: config changes
(config.yaml, or a job task's part record) and this process's stream file."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap.sdk.run.access import not_recorded
from runwrap.store import documents
from runwrap.store.layout import CONFIG_YAML
from runwrap.store.opening import merge_part_config
from runwrap.store.streams import StreamWriter, stream_path


def config_saver(run_dir: Path, part: Optional[str] = None
                 ) -> Callable[[Dict[str, Any], List[str]], None]:
    """Merge changed keys into config.yaml under the run's lock (other ranks and the wrapper
    may write the same file), so no process overwrites another's keys. In a task of a launcher
    job (`part`), config.yaml is the first task's: the changes go to the part's record."""
    path = run_dir / CONFIG_YAML

    def save_in_part(changed: Dict[str, Any], removed: List[str]) -> None:
        assert part is not None
        try:
            merge_part_config(run_dir, part, changed, removed)
        except OSError as e:
            not_recorded(f"parts/{part}.json", e)

    def save(changed: Dict[str, Any], removed: List[str]) -> None:
        try:
            with documents.locked(run_dir):
                doc = documents.read_yaml(path, {})
                if not isinstance(doc, dict):
                    doc = {}
                doc.update(changed)
                for key in removed:
                    doc.pop(key, None)
                documents.write_yaml(path, doc)
        except OSError as e:  # disk full, run directory gone: the program goes on
            not_recorded(CONFIG_YAML, e)
    return save_in_part if part else save


def writer_opener(run_dir: Path, part: Optional[str]) -> Callable[[bool], StreamWriter]:
    """Opens this process's sdk stream: `sdk[.<part>].jsonl`; a forked child gets `sdk.<pid>`."""
    def open_writer(forked: bool) -> StreamWriter:
        name = str(os.getpid()) if forked else part
        return StreamWriter(stream_path(run_dir, "sdk", name))
    return open_writer
