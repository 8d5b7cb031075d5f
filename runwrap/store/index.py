"""The listing index: a cache of what `ls` sorts and filters on, so a store of 100,000 runs
answers `ls --limit 20` without reading 100,000 run.json files.

The run directories stay the truth. Per project, the index holds one entry per run (the stamp
of its run.json: mtime in ns and size, and for a job run the mtime of its parts/ folder; its
start time, recorded status, name, group and tags) and the mtime of the project folder when it
was last checked. Checking every run costs one stat() each (about 0.25 s for 100,000 here), so
a project is checked run by run only when something says it changed:

- its folder's mtime moved: a run directory was created, deleted (`rm -rf`, another host) or
  renamed, or runwrap wrote a run.json or a part's record in it (`documents.write_json` bumps
  the project folder's mtime for exactly these documents);
- the change is too close to the index's own write time to be trusted (coarse filesystem
  timestamps cannot tell two writes in one tick apart: the "racy" case);
- the index file is missing, unreadable, of another version or malformed: rebuilt, not trusted;
- the listing names the project (`ls --project P`: its 1,000 runs are always checked);
- its last full check is older than REVERIFY_S: a few such projects are re-checked per listing,
  which bounds how long a run.json edited by hand (no folder change) can be listed stale.

Rows shown to a user always come from run.json itself (`load_run`); the index only decides
the order and which run.json files are worth reading.

    <root>/.index/<project>.json   {"version": 4, "folder": <mtime ns>, "checked": <unix s>,
                                    "ids": [...], "start": [...], "facts": [...]}

Columns, newest run first, so a whole-store listing merges the projects' columns and stops
after the runs it shows; `facts` is one tab-separated string per run (stamp, status, group,
tags joined by \x1f, name): a fraction of the JSON decoding a list per run costs.

The file is replaced atomically (temporary file + rename) by whichever reader found it stale;
two readers racing write the same facts, and a store that cannot be written is listed all the
same, only without the cache.
"""
from __future__ import annotations

import json
import os
import time
import heapq
from typing import Callable, Iterator, List, Optional, Tuple

from runwrap.store.layout import INDEX_DIR, LATEST, PARTS_DIR, RUN_JSON
from runwrap.store.run_info import RunInfo, load_run

VERSION = 4
FIELDS = 5  # stamp, status, group, tags, name
# An entry (or a project folder) whose mtime is less than this before the index was written is
# not trusted: ext4 and NFS servers tick coarsely, and the clocks involved may be other hosts'.
RACY_NS = 2_000_000_000
REVERIFY_S = 600.0  # a project not fully checked for this long is checked again...
REVERIFY_PROJECTS = 4  # ...this many per whole-store listing, the oldest first
UNKNOWN = "?"  # facts that could not be put in the index: the run is always read

Row = Tuple[float, str, str]  # start time, run id, facts


class IndexEntry:
    """What the index knows of one run; the facts string is split only when asked."""

    __slots__ = ("project", "id", "path", "start_time", "_facts")

    def __init__(self, project: str, run_id: str, path: str, start_time: float, facts: str):
        self.project, self.id, self.path = project, run_id, path
        self.start_time, self._facts = start_time, facts.split("\t")

    @property
    def status(self) -> str:
        """The recorded status (`running` may be `crashed` now); UNKNOWN when not indexed."""
        return self._facts[1] if len(self._facts) == FIELDS else UNKNOWN

    @property
    def group(self) -> Optional[str]:
        return (self._facts[2] or None) if len(self._facts) == FIELDS else UNKNOWN

    @property
    def tags(self) -> List[str]:
        return [t for t in self._facts[3].split("\x1f") if t] if len(self._facts) == FIELDS else []

    @property
    def name(self) -> str:
        return self._facts[4] if len(self._facts) == FIELDS else UNKNOWN

    @property
    def known(self) -> bool:
        """Whether status, group, tags and name are in the index (else only run.json can tell)."""
        return len(self._facts) == FIELDS


def _stamp(run_path: str, job: bool) -> Optional[str]:
    """What changes whenever the facts of a run change; None when run.json is gone."""
    try:
        st = os.stat(run_path + "/" + RUN_JSON)
    except OSError:
        return None
    stamp = f"{st.st_mtime_ns}:{st.st_size}"
    if job:
        # A part's record is replaced atomically in parts/, which moves the folder's mtime.
        try:
            stamp += f":{os.stat(run_path + '/' + PARTS_DIR).st_mtime_ns}"
        except OSError:
            stamp += ":-"
    return stamp


def _clean(value: str) -> bool:
    return not any(ord(c) < 32 for c in value)


def _fresh_row(run_path: str, run_id: str) -> Optional[Row]:
    """The index row of a run read from its directory, or None when it is not a readable run."""
    # The stamp is taken before reading: a change made while reading then moves it, and the
    # next check reads the run again instead of trusting what this read missed.
    stamp = _stamp(run_path, job=True)
    run = load_run(run_path) if stamp is not None else None
    if run is None:
        return None
    if not run.is_job:
        stamp = stamp.rsplit(":", 1)[0]  # parts/ says nothing about a run of one process
    meta = run.meta
    start = meta.get("start_time")
    group = meta.get("group")
    group = group if isinstance(group, str) else ""
    tags = meta.get("tags")
    tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    if _clean(group) and _clean(run.name) and all(_clean(t) for t in tags):
        facts = "\t".join((stamp, run.recorded_status, group, "\x1f".join(tags), run.name))
    else:  # a tab or \x1f would split wrongly: leave the facts to run.json
        facts = "\t".join((stamp, UNKNOWN))
    return (start if isinstance(start, (int, float)) else 0.0, run_id, facts)


class ProjectIndex:
    """One project's index file as read: its rows newest first (none when missing or
    damaged), the project folder's mtime it was checked against, and when it was written."""

    __slots__ = ("rows", "folder", "written")

    def __init__(self, path: str):
        self.rows: List[Row] = []
        self.folder = self.written = 0
        try:
            with open(path, "rb") as f:
                written = os.fstat(f.fileno()).st_mtime_ns
                doc = json.loads(f.read())
            ids, start, facts, folder = doc["ids"], doc["start"], doc["facts"], doc["folder"]
            if (doc["version"] != VERSION or folder.__class__ is not int
                    or not len(ids) == len(start) == len(facts)):
                return
            # Malformed anywhere means not trusted at all.
            if not (all(i.__class__ is str for i in ids) and all(f.__class__ is str for f in facts)
                    and all(s.__class__ is float or s.__class__ is int for s in start)):
                return
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return
        self.rows = list(zip(start, ids, facts))
        self.folder, self.written = folder, written

    def trusted(self, folder_mtime: int) -> bool:
        """Whether the project folder is as it was when every entry was last checked."""
        return bool(self.written) and folder_mtime == self.folder \
            and folder_mtime < self.written - RACY_NS


def _write_index(root: str, project: str, folder: int, rows: List[Row]) -> None:
    index_dir = os.path.join(root, INDEX_DIR)
    path = os.path.join(index_dir, f"{project}.json")
    tmp = os.path.join(index_dir, f".{project}.{os.uname().nodename}.{os.getpid()}.tmp")
    doc = {"version": VERSION, "folder": folder, "checked": time.time(),
           "ids": [r[1] for r in rows], "start": [r[0] for r in rows],
           "facts": [r[2] for r in rows]}
    try:
        os.makedirs(index_dir, exist_ok=True)
        with open(tmp, "w") as f:
            # No fsync: a cache lost in a crash is rebuilt by the next reader.
            f.write(json.dumps(doc, separators=(",", ":")))
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def project_rows(root: str, project: str, full: bool = False, write: bool = True) -> List[Row]:
    """Every run of `project`, newest first; checked run by run when the index cannot be
    trusted or `full`, and the index rewritten when that found it stale (unless not `write`:
    a lookup that may end in "no such run" leaves the store as it found it)."""
    pdir = os.path.join(root, project)
    try:
        folder = os.stat(pdir).st_mtime_ns
    except OSError:
        return []
    cached = ProjectIndex(os.path.join(root, INDEX_DIR, f"{project}.json"))
    if not full and cached.trusted(folder):
        return cached.rows
    try:
        names = [n for n in os.listdir(pdir) if not n.startswith(".")]
    except OSError:
        return []
    known = {row[1]: row for row in cached.rows}
    trusted_before = cached.written - RACY_NS
    rows: List[Row] = []
    prefix = pdir + "/"
    for name in names:
        path = prefix + name
        row = known.get(name)
        if row is not None:
            stamp = row[2].split("\t", 1)[0]
            if (stamp != _stamp(path, stamp.count(":") == 2)
                    or int(stamp.split(":", 1)[0]) >= trusted_before):
                row = _fresh_row(path, name)
        else:
            row = _fresh_row(path, name)
        if row is not None:
            rows.append(row)
    rows.sort(reverse=True)
    # A folder changed within RACY_NS of the last write is rewritten for, so it can be trusted.
    if write and (rows != cached.rows or folder != cached.folder or full
                  or folder >= cached.written - RACY_NS):
        _write_index(root, project, folder, rows)
    return rows


def projects(root: str) -> List[str]:
    """The project folders of the store (not `latest`, not hidden folders such as the index)."""
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted(n for n in names if not n.startswith(".") and n != LATEST
                  and os.path.isdir(os.path.join(root, n)))


def _due_for_recheck(root: str, names: List[str]) -> List[str]:
    """The projects whose last full check is oldest and older than REVERIFY_S (a few)."""
    now = time.time()
    ages = []
    for name in names:
        try:
            with open(os.path.join(root, INDEX_DIR, f"{name}.json"), "rb") as f:
                head = f.read(96)  # "checked" is near the front: no need to parse the rest
        except OSError:
            continue
        at = head.find(b'"checked":')
        try:
            checked = float(head[at + 10:].split(b",", 1)[0]) if at >= 0 else 0.0
        except ValueError:
            checked = 0.0
        if now - checked > REVERIFY_S:
            ages.append((checked, name))
    return [name for _, name in sorted(ages)[:REVERIFY_PROJECTS]]


def entries(root: str, project: Optional[str] = None, write: bool = True) -> Iterator[IndexEntry]:
    """The index entries of the whole store, or of one project (always checked run by run),
    newest first; lazily merged, so taking the first 20 costs 20 entries. `write`: keep what
    the checks found in the index (`ls`), or leave the store untouched (a failed lookup)."""
    if project:
        per_project = [(project, project_rows(root, project, full=True, write=write))]
    else:
        names = projects(root)
        recheck = set(_due_for_recheck(root, names))
        per_project = [(name, project_rows(root, name, full=name in recheck, write=write))
                       for name in names]
    streams = [_entries_of(root, name, rows) for name, rows in per_project]
    yield from heapq.merge(*streams, key=_start_time, reverse=True)


def _entries_of(root: str, project: str, rows: List[Row]) -> Iterator[IndexEntry]:
    prefix = os.path.join(root, project, "")
    for start, run_id, facts in rows:
        yield IndexEntry(project, run_id, prefix + run_id, start, facts)


def _start_time(entry: IndexEntry) -> float:
    return entry.start_time


def lookup(root: str, project: Optional[str],
           match: Callable[[str, str], bool]) -> List[IndexEntry]:
    """The entries whose (id, name) `match`, plus those whose name the index could not keep,
    newest first: a name lookup without the merge and the objects of a whole listing. It uses
    the index as `ls` left it and writes nothing (a stale project is checked in memory)."""
    found: List[IndexEntry] = []
    for name in [project] if project else projects(root):
        prefix = os.path.join(root, name, "")
        for start, run_id, facts in project_rows(root, name, full=bool(project), write=False):
            fields = facts.split("\t")
            if len(fields) != FIELDS or match(run_id, fields[4]):
                found.append(IndexEntry(name, run_id, prefix + run_id, start, facts))
    found.sort(key=_start_time, reverse=True)
    return found


def newest_runs(root: str, project: Optional[str] = None,
                keep: Optional[Callable[[IndexEntry], bool]] = None) -> Iterator[RunInfo]:
    """The runs of the store (or of one project) newest first, each read from its own
    run.json; `keep` skips entries by what the index knows without reading them. A generator,
    so a caller that wants 20 runs reads about 20 run.json files."""
    for entry in entries(root, project):
        if keep is not None and not keep(entry):
            continue
        run = load_run(entry.path)
        if run is not None:
            yield run
