"""init(monitor_gym=True): the videos gymnasium's (or gym's) RecordVideo writes, copied into the
run's media/ and logged."""
from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from typing import Any, Set

from runwrap.sdk.integrations.hooks import when_imported
from runwrap.sdk.run.access import is_finished, warn
from runwrap.sdk.run.run import Run
from runwrap.store.layout import MEDIA_DIR


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
