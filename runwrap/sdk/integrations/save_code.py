"""init(save_code=True): the main script copied into the run's code/ folder, its path and
sha256 in run.json."""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Optional

from runwrap.sdk.run.access import update_meta, warn
from runwrap.sdk.run.run import Run
from runwrap.store.layout import CODE_DIR


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
