"""init(sync_tensorboard=True): the folders the program's SummaryWriters write, learned as they
are made, read into the run by the TensorBoard collector (attached: the wrapper's reads them)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from runwrap.sdk.integrations.hooks import when_imported
from runwrap.sdk.run.access import add_closer, add_external_records, is_attached, update_meta
from runwrap.sdk.run.run import Run


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
