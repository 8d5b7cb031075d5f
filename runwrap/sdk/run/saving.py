"""`run.save()`: wandb's layout of saved files under the run's files/ folder.

A file keeps its path relative to `base_path`: the current directory for a relative glob, one
folder above the glob's for an absolute one (so `/data/run7/*.txt` lands in `run7/`). A glob
that walks above its base, equals it, or starts with `*` there is refused, as in wandb; so is
any match that would land outside files/. WANDB_IGNORE_GLOBS (or settings `ignore_globs`)
names files that are never copied.
"""
from __future__ import annotations

import fnmatch
import glob as globlib
import os
import shutil
from pathlib import Path, PurePath
from typing import List, Optional, Sequence

from runwrap.errors import UsageError

POLICIES = ("live", "now", "end")


class SaveSpec:
    """One save() call, checked: the absolute pattern, its base, glob or literal path."""

    __slots__ = ("pattern", "base", "expand")

    def __init__(self, glob_str: str, base_path: Optional[str], expand: bool = True):
        glob_path = PurePath(glob_str)
        pattern = PurePath(os.path.abspath(glob_path))
        if base_path is not None:
            base = PurePath(os.path.abspath(os.fspath(base_path)))
        elif not glob_path.is_absolute():
            base = PurePath(os.path.abspath("."))
        else:
            base = pattern.parent.parent
        if not str(pattern).startswith(str(base) + os.sep):
            what = "is the base path" if pattern == base else "walks above its base path"
            raise UsageError(f"save({glob_str!r}): the glob {what} {str(base)!r}; pass a "
                             f"base_path that is a folder above the files")
        relative = pattern.relative_to(base)
        if relative.parts[0] == "*":
            raise UsageError(f"save({glob_str!r}): the glob may not start with '*' below its "
                             f"base path {str(base)!r}; name a folder first or pass base_path")
        self.pattern = str(pattern)
        self.base = str(base)
        self.expand = expand


def copy_matches(spec: SaveSpec, files_dir: Path, ignore: Sequence[str] = (),
                 link: bool = False) -> List[str]:
    """Copy the files `spec` matches into `files_dir`; the destination paths, sorted. `link`
    makes a symbolic link to each instead (what wandb does for every policy; here the files of
    a `policy="end"` save, visible in run.dir at once and copied at the end)."""
    sources = (sorted(globlib.glob(spec.pattern, recursive=True)) if spec.expand
               else [spec.pattern])
    files_root = os.path.abspath(files_dir)
    out = []
    for src in sources:
        if not os.path.isfile(src) or os.path.abspath(src).startswith(files_root + os.sep):
            continue
        rel = os.path.relpath(src, spec.base)
        if any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(os.path.basename(rel), g) for g in ignore):
            continue
        dest = os.path.normpath(os.path.join(files_root, rel))
        if not dest.startswith(files_root + os.sep):
            raise UsageError(f"save(): {src!r} would land outside the run's files/ folder; "
                             f"pass a base_path above it")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.islink(dest):  # linked by an end save: the copy takes its place
            os.unlink(dest)
        if link:
            if not os.path.lexists(dest):
                os.symlink(os.path.abspath(src), dest)
        else:
            shutil.copy2(src, dest)
        out.append(dest)
    return out
