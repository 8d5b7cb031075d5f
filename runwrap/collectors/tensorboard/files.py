"""Which TensorBoard event files a run reads, and what their metrics are called: pure functions
of paths and the run's roots (plus directory listings for discovery), apart from reading.

Metric names: the file's folder relative to the folder its names are relative to (`name_root`),
joined with the tag, so `logs/train/events...` watched as `--tensorboard logs` gives
`train/loss`, and two writers never clash. Discovered files are named relative to the working
directory (`logs/train/loss`), and so are the files of log folders the child reported, unless
such a folder is outside it: then relative to its parent (`/scratch/exp/train` gives
`train/loss`).

Names must also be the same in every run of a script, or two runs never line up in `compare`
and `plot`. Libraries give each run a folder of its own, named for the time or a counter
(`RUN_FOLDER`): Lightning's `lightning_logs/version_3/`, torch's, tensorboardX's and Hugging
Face's `runs/Nov28_06-23-50_host/`, `add_hparams`' `<unix time>/` inside it. `StableNames`
drops the first such folder and the log root above it, which every file of that writer shares,
and any such folder below it; what tells series apart inside the run stays (`train/` vs `eval/`
writers, `add_scalars`' `loss_train/`).
"""
from __future__ import annotations

import os
import re
from typing import Dict, List, Optional

MAX_DEPTH = 6  # discovery looks at most this many folders below the working directory
MAX_DIRS = 2000  # discovery looks into at most this many folders

_SKIP_NAMES = {"__pycache__", "node_modules", "site-packages"}


class Roots:
    """Where a run's event files come from. `explicit`: --tensorboard folders (and a standalone
    init()'s SummaryWriter folders), named relative to themselves; `learned`: log folders a
    wrapped child's init() reported; `discovery`: the working directory when discovery is on;
    `store`: the run store, never entered; `cwd`: the child's working directory."""

    def __init__(self, explicit: List[str], learned: List[str], discovery: Optional[str],
                 store: str, cwd: str):
        self.explicit, self.learned, self.discovery = explicit, learned, discovery
        self.store, self.cwd = store, cwd


def is_event_file(name: str) -> bool:
    """TensorBoard's own test: the file name holds `tfevents`."""
    return "tfevents" in name


def created_at(path: str) -> Optional[int]:
    """The unix second a writer created the event file at, from its name
    (`events.out.tfevents.<seconds>.<host>...`, as TensorFlow, torch and tensorboardX name
    them); None when the name does not say."""
    head, sep, rest = os.path.basename(path).partition("tfevents.")
    digits = rest.split(".", 1)[0]
    return int(digits) if sep and digits.isdigit() and len(digits) <= 12 else None


def entries(path: str) -> List["os.DirEntry[str]"]:
    try:
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return []


def count_dirs(top: str, limit: int) -> int:
    """Folders under `top` (hidden ones too: a recursive watch covers them), up to `limit`."""
    count = 0
    stack = [top]
    while stack and count < limit:
        for entry in entries(stack.pop()):
            if entry.is_dir(follow_symlinks=False):
                count += 1
                stack.append(entry.path)
    return count


# A folder named for the time a run started, or numbered per run: it differs in every run.
RUN_FOLDER = re.compile(r"""
    version_\d+                                    # Lightning's TensorBoardLogger
  | [A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}(_.*)?     # torch, tensorboardX, Hugging Face:
                                                   #   Nov28_06-23-50_<host>[<comment>]
  | \d{8}-\d{6}.*                                  # %Y%m%d-%H%M%S (TensorFlow's tutorials)
  | \d{4}-\d{2}-\d{2}([T_]\d{2}[-:]\d{2}[-:]\d{2}.*)?  # ISO dates (Hydra's outputs/<date>/)
  | \d{2}-\d{2}-\d{2}                              # Hydra's outputs/<date>/<time>/
  | \d{9,10}(\.\d+)?                               # a Unix time: add_hparams' folder
""", re.VERBOSE)


def metric_prefix(path: str, root: str) -> str:
    """"train/" for root/train/events..., "" for a file directly in root."""
    folder = os.path.relpath(os.path.dirname(path), root)
    return "" if folder == "." else folder.replace(os.sep, "/") + "/"


class StableNames:
    """The metric-name prefix of each event file of one run, the same in every run of the
    same script (see the module docstring). The first run folder seen is the run's own: its
    files lose it and the folders above it. A file under another run folder (a second
    writer with a log root of its own) keeps its whole relative path, so that two writers'
    series never merge. `files` maps each file to its prefix, to be recorded with the run."""

    def __init__(self) -> None:
        self.run_folder: Optional[str] = None
        self.files: Dict[str, str] = {}

    def prefix(self, path: str, root: str) -> str:
        whole = metric_prefix(path, root)
        parts = whole.split("/")[:-1]
        first = next((i for i, part in enumerate(parts) if RUN_FOLDER.fullmatch(part)), None)
        prefix = whole
        if first is not None:
            folder = os.path.join(root, *parts[:first + 1])
            if self.run_folder is None:
                self.run_folder = folder
            if folder == self.run_folder:
                prefix = "".join(p + "/" for p in parts[first + 1:]
                                 if not RUN_FOLDER.fullmatch(p))
        self.files[path] = prefix
        return prefix


def excluded(path: str, name: str, store: str) -> bool:
    """Folders discovery never enters: hidden ones, the run store, virtualenvs, caches."""
    return (name.startswith(".") or name in _SKIP_NAMES or path == store
            or os.path.isfile(os.path.join(path, "pyvenv.cfg")))


def discovery_depth(folder: str, roots: Roots) -> Optional[int]:
    """How deep `folder` is below the discovery root, or None when discovery skips it."""
    root = roots.discovery
    if root is None:
        return None
    rel = os.path.relpath(folder, root)
    if rel == ".":
        return 0
    if rel.startswith(".."):
        return None
    parts = rel.split(os.sep)
    if len(parts) > MAX_DEPTH:
        return None
    current = root
    for part in parts:
        current = os.path.join(current, part)
        if excluded(current, part, roots.store):
            return None
    return len(parts)


def explicit_root(path: str, roots: Roots) -> Optional[str]:
    """The explicit (or learned) folder holding `path`, if any."""
    for root in roots.explicit + roots.learned:
        if path == root or path.startswith(root + os.sep):
            return root
    return None


def name_root(path: str, roots: Roots) -> Optional[str]:
    """The folder an event file's metric names are relative to; None: not ours to read.

    An explicit folder; else the working directory, for files discovery accepts and for files
    in log folders the child reported; else, for a reported folder outside the working
    directory, its parent (so sibling writers, `exp/train` and `exp/eval`, stay apart as
    `train/...` and `eval/...`)."""
    for root in roots.explicit:
        if path.startswith(root + os.sep):
            return root
    for root in roots.learned:
        if path.startswith(root + os.sep):
            return roots.cwd if root.startswith(roots.cwd + os.sep) else os.path.dirname(root)
    if discovery_depth(os.path.dirname(path), roots) is not None:
        return roots.discovery
    return None


class Scan:
    """What one walk found: the event files, and whether discovery stopped at MAX_DIRS."""

    def __init__(self) -> None:
        self.files: List[str] = []
        self.truncated = False


def scan(top: str, depth: int, explicit: bool, roots: Roots) -> Scan:
    """Every event file under `top`: all of it when `explicit`, else bounded discovery that
    starts `depth` folders below the discovery root."""
    found = Scan()
    stack = [(top, depth)]
    seen = 0
    while stack:
        path, level = stack.pop()
        seen += 1
        if not explicit and seen > MAX_DIRS:
            found.truncated = True
            return found
        for entry in entries(path):
            if entry.is_dir(follow_symlinks=False):
                if entry.path == roots.store:
                    continue
                if explicit:
                    stack.append((entry.path, level + 1))
                elif level < MAX_DEPTH and not excluded(entry.path, entry.name, roots.store):
                    stack.append((entry.path, level + 1))
            elif is_event_file(entry.name):
                found.files.append(entry.path)
    return found
