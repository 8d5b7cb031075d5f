"""What init() hands to the path that starts the run (attach.py, standalone.py): its resolved
values (`Request`), and the helpers both paths share with init() itself."""
from __future__ import annotations

import os
import sys
from typing import Any, Dict, Optional

from runwrap.notices import say
from runwrap.sdk.start.resolver import ARGUMENT, SETTINGS, Resolver


class Request:
    """init()'s resolved values, passed to the attach or standalone path (a plain class:
    dataclasses costs milliseconds to import and init() must stay cheap)."""

    def __init__(self, resolver: Resolver, config: Dict[str, Any], allow_val_change: bool,
                 mode: str, tags: Optional[tuple], entity: Optional[str], resume: Optional[str],
                 resume_from: Optional[tuple], fork_from: Optional[tuple],
                 explicit: Optional[Dict[str, Any]] = None):
        self.resolver = resolver
        self.config = config
        self.allow_val_change = allow_val_change
        self.mode = mode
        self.tags = tags
        self.entity = entity
        self.resume = resume
        self.resume_from = resume_from
        self.fork_from = fork_from
        self.explicit = explicit or {}
        self.save_code = False
        self.sync_tensorboard = False
        self.monitor_gym = False
        self.sync_config: Any = None  # runwrap.sync.SyncConfig of an online run
        self.disable_git = False


def program_name() -> Optional[str]:
    """The main script's file name without .py (None for `python -c` and the REPL)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path:
        return None
    base = os.path.basename(path)
    return (base[:-3] if base.endswith(".py") else base) or None


notice = say  # init()'s one-line notices on stderr


def explicit_source(resolver: Resolver, name: str) -> bool:
    """True when the user chose `name` (argument or settings), not the environment/default."""
    return resolver.source(name) in (ARGUMENT, SETTINGS)
