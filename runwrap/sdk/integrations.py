"""save_code, sync_tensorboard and monitor_gym: what init() sets up beyond logging."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from runwrap.sdk.hooks import when_imported
from runwrap.sdk.run import Run, warn
from runwrap.store import documents
from runwrap.store.layout import CODE_DIR, MEDIA_DIR, RUN_JSON
from runwrap.store.streams import StreamWriter, stream_path

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
    run._update_meta(lambda doc: doc.__setitem__("code", entry))
    return dest


# -- sync_tensorboard ---------------------------------------------------------------------------

# (module, class attribute, attribute holding the log dir)
_WRITERS = (("torch.utils.tensorboard.writer", "SummaryWriter", ("log_dir", "logdir")),
            ("tensorboardX.writer", "SummaryWriter", ("logdir", "log_dir")))


def sync_tensorboard_dirs(run: Run) -> None:
    """Learn the log dir of every SummaryWriter the program creates: attached, record it in
    run.json `tensorboard_dirs` (the wrapper's collector watches it); standalone, read its
    event files into streams/tensorboard.jsonl from a background thread."""
    reader = None if run._attached else TensorBoardReader(run)

    def learned(logdir: str) -> None:
        logdir = os.path.abspath(logdir)
        if reader is not None:
            reader.add_dir(logdir)

        def mutate(doc: dict) -> None:
            dirs = doc.setdefault("tensorboard_dirs", [])
            if logdir not in dirs:
                dirs.append(logdir)
        run._update_meta(mutate)

    for module_name, class_name, attrs in _WRITERS:
        when_imported(module_name, lambda m, c=class_name, a=attrs: _patch(m, c, a, learned))


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


class TensorBoardReader:
    """Standalone runs: polls the learned log dirs and turns scalar events into records."""

    INTERVAL = 1.0

    def __init__(self, run: Run):
        self.run = run
        self.dirs: List[str] = []
        self.files: Dict[str, Any] = {}
        self.writer: Optional[StreamWriter] = None
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.thread: Optional[threading.Thread] = None
        run._closers.append(self.stop)

    def add_dir(self, logdir: str) -> None:
        with self.lock:
            if logdir not in self.dirs:
                self.dirs.append(logdir)
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="runwrap-tensorboard",
                                               daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        while not self.stop_event.wait(self.INTERVAL):
            self.read_once()

    def read_once(self) -> None:
        try:
            from runwrap.collectors.tfevent import EventDecoder
            from runwrap.collectors.tfrecord import RecordReader
        except ImportError:
            warn("tensorboard", "sync_tensorboard: the TensorBoard reader is not available")
            return
        with self.lock:
            dirs = list(self.dirs)
        for logdir in dirs:
            for root, _, names in os.walk(logdir):
                for name in sorted(names):
                    if "tfevents" in name:
                        path = os.path.join(root, name)
                        if path not in self.files:
                            self.files[path] = (RecordReader(path), EventDecoder(), logdir)
        records = []
        for path, (reader, decoder, logdir) in self.files.items():
            prefix = os.path.relpath(os.path.dirname(path), logdir)
            prefix = "" if prefix == "." else prefix.replace(os.sep, "/") + "/"
            for raw in reader.read():
                try:
                    event = decoder.decode(raw)
                except ValueError:
                    continue
                if not event:
                    continue
                wall, step, values = event
                record = {prefix + tag: value for tag, value in values}
                record.update(_step=step, _time=wall, _runtime=wall - self.run.start_time)
                records.append(record)
        if records:
            if self.writer is None:
                self.writer = StreamWriter(stream_path(self.run.run_dir, "tensorboard"))
            self.writer.write_many(records)
            self.run._history.add_external("tensorboard", records)

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
            self.read_once()  # the last events written before finish()
        if self.writer is not None:
            self.writer.close()


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
        if run._finished:
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
