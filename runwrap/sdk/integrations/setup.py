"""save_code, sync_tensorboard and monitor_gym: what init() sets up beyond logging."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Optional, Set

from runwrap.sdk.integrations.hooks import when_imported
from runwrap.sdk.run.access import (add_closer, add_external_records, is_attached, is_finished,
                                    update_meta, warn)
from runwrap.sdk.run.run import Run
from runwrap.store.layout import CODE_DIR, MEDIA_DIR

# -- save_code ----------------------------------------------------------------------------------


def save_main_code(run: Run) -> Optional[Path]:
    """Copy the main script into code/ and record its path and sha256 in run.json."""
    main = sys.modules.get("__main__")
    source = getattr(main, "__file__", None)
    if not source or not os.path.isfile(source):
        warn("save_code", "save_code: no main script file to save (interactive session or -c)")
        return None
    dest_dir = run.run_dir / CODE_DIR
    dest_dir.mkdir(exist_ok=True)
    dest = dest_dir / os.path.basename(source)
    shutil.copy2(source, dest)
    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    entry = {"path": f"{CODE_DIR}/{dest.name}", "source": os.path.abspath(source),
             "sha256": digest}
    update_meta(run, lambda doc: doc.__setitem__("code", entry))
    return dest


# -- sync_tensorboard ---------------------------------------------------------------------------

# (module, class attribute, attribute holding the log dir)
_WRITERS = (("torch.utils.tensorboard.writer", "SummaryWriter", ("log_dir", "logdir")),
            ("tensorboardX.writer", "SummaryWriter", ("logdir", "log_dir")))


def sync_tensorboard_dirs(run: Run) -> None:
    """Learn the log dir of every SummaryWriter the program creates: attached, record it in
    run.json `tensorboard_dirs` (the wrapper's collector watches it); standalone, import its
    event files into streams/tensorboard.jsonl with the same collector, on its own thread."""
    collector = None if is_attached(run) else _standalone_collector(run)

    def learned(logdir: str) -> None:
        logdir = os.path.abspath(logdir)
        if collector is not None:
            collector.add_dir(logdir)

        def mutate(doc: dict) -> None:
            dirs = doc.setdefault("tensorboard_dirs", [])
            if logdir not in dirs:
                dirs.append(logdir)
        update_meta(run, mutate)

    for module_name, class_name, attrs in _WRITERS:
        when_imported(module_name, lambda m, c=class_name, a=attrs: _patch(m, c, a, learned))


def _standalone_collector(run: Run) -> Any:
    """The wrapper's TensorBoard collector, reading the folders init() learns (named relative
    to each folder, as --tensorboard names them) into this run; stopped at finish(), after a
    last read, before the summary is written."""
    # start-up: loaded only on the path that needs it
    from runwrap.collectors.base import CollectorContext
    from runwrap.collectors.tensorboard.collector import TensorBoardCollector

    ctx = CollectorContext(run_dir=run.run_dir, start_time=run.start_time, cwd=Path.cwd(),
                           store_root=run.run_dir.parent.parent)
    collector = TensorBoardCollector(
        ctx, [], discovery=False,
        on_records=lambda records: add_external_records(run, "tensorboard", records))
    collector.start()

    def stop() -> None:
        collector.stop()
        skipped = collector.problems()  # damaged records, other plugins' values: as wrapped
        if skipped:
            update_meta(run, lambda doc: doc.setdefault("skipped", {}).__setitem__(
                type(collector).__name__, skipped))
    add_closer(run, stop)
    return collector


def _patch(module: Any, class_name: str, attrs: tuple, learned: Any) -> None:
    cls = getattr(module, class_name, None)
    if cls is None or getattr(cls, "_runwrap_patched", False):
        return
    original = cls.__init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        original(self, *args, **kwargs)
        for attr in attrs:
            value = getattr(self, attr, None)
            if isinstance(value, str) and value:
                learned(value)
                break
    cls.__init__ = __init__
    cls._runwrap_patched = True


# -- monitor_gym --------------------------------------------------------------------------------

_GYMS = (("gymnasium", "gymnasium.wrappers"), ("gym", "gym.wrappers"))


def watch_gym(run: Run) -> None:
    """Copy videos written by gymnasium's (or gym's) RecordVideo into media/ and log a record
    `{"video": "media/<file>"}` for each, at the run's current step."""
    available = [(pkg, mod) for pkg, mod in _GYMS if importlib.util.find_spec(pkg) is not None]
    if not available:
        warn("monitor_gym", "monitor_gym=True but neither gymnasium nor gym is installed; "
                            "no videos will be recorded")
        return
    seen: Set[str] = set()
    lock = threading.Lock()

    def collect(folder: str) -> None:
        if is_finished(run):
            return
        media = run.run_dir / MEDIA_DIR
        with lock:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                return
            for name in names:
                src = os.path.join(folder, name)
                if not name.endswith((".mp4", ".gif", ".webm")) or src in seen:
                    continue
                seen.add(src)
                media.mkdir(exist_ok=True)
                shutil.copy2(src, media / name)
                run.log({"video": f"{MEDIA_DIR}/{name}"}, commit=False)

    def patch(module: Any) -> None:
        cls = getattr(module, "RecordVideo", None)
        if cls is None or getattr(cls, "_runwrap_patched", False):
            return
        for method in ("stop_recording", "close_video_recorder", "close"):
            original = getattr(cls, method, None)
            if original is None:
                continue

            def wrapped(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
                result = __original(self, *args, **kwargs)
                folder = getattr(self, "video_folder", None)
                if folder:
                    collect(folder)
                return result
            setattr(cls, method, wrapped)
        cls._runwrap_patched = True

    for _, module_name in available:
        when_imported(module_name, patch)
