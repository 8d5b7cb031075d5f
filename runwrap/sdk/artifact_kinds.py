"""Artifacts of particular kinds, as wandb's Run makes them: code (`run.log_code`), models
(`run.log_model`, `run.use_model`) and links into a registry (`run.link_artifact`,
`run.link_model`). Each is an ordinary artifact version (sdk/artifacts.py)."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Optional, Sequence

from runwrap.errors import UsageError
from runwrap.sdk.artifacts import (LATEST, Artifact, check_name, log_artifact, store_root_of,
                                   use_artifact)
from runwrap.sdk.run.access import update_meta

CODE_FILE_DIRS = ("wandb", ".wandb")  # wandb's own folders, never code


def is_code_file(path: str) -> bool:
    """wandb's default for log_code: Python files, requirements.txt and Dockerfiles."""
    base = os.path.basename(path)
    return base.endswith(".py") or base.startswith("Dockerfile") or base == "requirements.txt"


def in_wandb_dir(path: str, root: str) -> bool:
    """wandb's default exclude_fn for log_code: files under `<root>/wandb/` or `.wandb/`."""
    top, sep, _rest = os.path.relpath(path, root).partition(os.sep)
    return bool(sep) and top in CODE_FILE_DIRS


def _call_filter(fn: Any, path: str, root: str) -> bool:
    """wandb's filters take (path, root) or, in its older API, (path) alone."""
    import inspect  # start-up: loaded only on the path that needs it

    try:
        two = len(inspect.signature(fn).parameters) >= 2
    except (TypeError, ValueError):
        two = True
    return bool(fn(path, root) if two else fn(path))


def _program_relpath() -> str:
    import sys  # start-up: loaded only on the path that needs it

    program = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c") else "python"
    if os.path.isfile(program):
        return os.path.relpath(os.path.abspath(program))
    return os.path.basename(program) or "python"


def safe_artifact_name(name: str) -> str:
    """wandb's rule: anything outside [A-Za-z0-9_.-] becomes `_`."""
    import re  # start-up: loaded only on the path that needs it

    return re.sub(r"[^A-Za-z0-9_.\-]", "_", name)[:128]


def log_code(run: Any, root: Optional[str], name: Optional[str], include_fn: Any,
             exclude_fn: Any) -> Optional[Artifact]:
    """The code under `root` as a version of a `code` artifact (None, with a notice, when no
    file matches), named `source-<project>-<program>` unless `name` is given, as in wandb."""
    from runwrap.notices import termwarn  # start-up: loaded only on the path that needs it

    art = Artifact(name or safe_artifact_name(f"source-{run.project}-{_program_relpath()}"), "code")
    store = os.path.abspath(store_root_of(run))
    if root is not None:
        root = os.path.abspath(os.fspath(root))
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if os.path.join(dirpath, d) != store)
            for file_name in sorted(files):
                path = os.path.join(dirpath, file_name)
                rel = os.path.relpath(path, root)
                if _call_filter(include_fn or is_code_file, path, root) and not _call_filter(
                        exclude_fn or in_wandb_dir, path, root):
                    art.add_file(path, name=Path(rel).as_posix())
    if not art._sources:
        termwarn("No relevant files were detected in the specified directory. No code will be "
                 "logged to your run.")
        return None
    return log_artifact(run, art)


def _model_name(run: Any, path: str, name: Optional[str]) -> str:
    """wandb's default model name: `run-<id>-<basename of path>`."""
    return name or safe_artifact_name(f"run-{run.id}-{os.path.basename(os.path.abspath(path))}")


def log_model(run: Any, path: Any, name: Optional[str], aliases: Optional[Sequence[str]]) -> Artifact:
    """The file or directory at `path` as a version of a `model` artifact."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise UsageError(f"log_model: {path!r} does not exist; give the model's file or directory")
    return log_artifact(run, path, _model_name(run, path, name), "model", aliases)


def use_model(run: Any, name: str) -> str:
    """Download a model version (marked as used) and return its path: the file itself when the
    version holds one file, as in wandb."""
    art = use_artifact(run, name)
    if "model" not in art.type.lower():
        raise UsageError(f"use_model({name!r}): the artifact has type {art.type!r}; use_model "
                         f"takes artifacts whose type contains 'model' (use_artifact otherwise)")
    path = art.download()
    entries = os.listdir(path)
    return os.path.join(path, entries[0]) if len(entries) == 1 else path


def link_artifact(run: Any, art: Artifact, target_path: str,
                  aliases: Optional[Sequence[str]]) -> Artifact:
    """There is no registry offline: the link (target collection and aliases) is recorded in
    the collection's links.jsonl and the run's run.json `artifacts.linked`, to be read back."""
    if not isinstance(art, Artifact):
        raise UsageError(f"link_artifact takes a runwrap.Artifact, got {type(art).__name__}")
    if not isinstance(target_path, str) or not target_path.strip("/"):
        raise UsageError(f"link_artifact target_path {target_path!r} must name a collection, "
                         f"e.g. 'wandb-registry-model/my-model'")
    if art._logged is None:
        log_artifact(run, art)
    parts = [p for p in target_path.split("/") if p]
    if len(parts) == 1:  # a bare collection: in the run's project, as wandb fills it in
        parts = [run.project] + parts
    if len(parts) == 2 and run.entity and not parts[0].startswith("wandb-registry-"):
        parts = [run.entity] + parts
    link = {"target": "/".join(parts),
            "aliases": [LATEST] + [check_name(a, "alias") for a in (aliases or []) if a != LATEST],
            "time": time.time(), "project": run.project, "run_id": run.id}
    art._logged.collection.record_link(art.version, link)
    entry = {"name": art._base_name, "version": art.version, "project": art.project, **link}
    update_meta(run, lambda doc: doc.setdefault("artifacts", {}).setdefault("linked", []).append(entry))
    return art


def link_model(run: Any, path: Any, registered_model_name: str, name: Optional[str],
               aliases: Optional[Sequence[str]]) -> Artifact:
    """log_model, then link the version to `<entity>/model-registry/<registered_model_name>`."""
    if "/" in str(registered_model_name):
        raise UsageError(f"link_model: registered_model_name {registered_model_name!r} must be "
                         f"a bare name, without entity or project")
    art = log_model(run, path, name, None)
    target = "/".join(p for p in (run.entity, "model-registry", registered_model_name) if p)
    return link_artifact(run, art, target, aliases)
