"""The artifact store: versioned sets of files, shared by every run of a store root.

    <root>/.artifacts/
        objects/<sha256[:2]>/<sha256>                      file contents, each stored once
        projects/<project>/<name>/versions/v<N>.json       one manifest per version (never rewritten)
        projects/<project>/<name>/aliases/<alias>.json     {"version": "vN"}, replaced atomically
        projects/<project>/<name>/used.jsonl               lineage: one line per run that used a version

A manifest holds the artifact's type, description, metadata, its files (path -> digest, size),
its references (recorded, never fetched), the digest of all of it, and which run logged it.
Versions are published with an exclusive link, so two runs logging the same name at once get
v3 and v4, never one overwriting the other; logging content identical to the latest version
gives that version again (wandb's rule), with the new aliases added.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from runwrap.errors import UsageError
from runwrap.store import documents
from runwrap.store.streams import append_whole

ARTIFACTS_DIR = ".artifacts"
OBJECTS_DIR = "objects"
PROJECTS_DIR = "projects"
LATEST = "latest"
NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
NAME_MAXLEN = 128
VERSION_RE = re.compile(r"^v(\d+)$")


def artifacts_root(root: Path) -> Path:
    return Path(root) / ARTIFACTS_DIR


def check_name(value: Any, what: str) -> str:
    """An artifact name or alias: letters, digits, '-', '_', '.'; not '.' or '..'; at most
    NAME_MAXLEN characters, as wandb (it names a folder and a file of the store)."""
    if not isinstance(value, str) or not NAME_RE.match(value) or value in (".", ".."):
        raise UsageError(f"artifact {what} {value!r} may hold only letters, digits, '-', '_' "
                         f"and '.'; rename it")
    if len(value.encode("utf-8")) > NAME_MAXLEN:
        raise UsageError(f"artifact {what} {value[:40]!r}... is {len(value)} characters; "
                         f"wandb and runwrap take at most {NAME_MAXLEN}: shorten it")
    return value


def check_member(path: str) -> str:
    """A file's path inside an artifact: relative, '/'-separated, never leaving the artifact."""
    text = str(path).replace(os.sep, "/")
    parts = text.split("/")
    if not text or text.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in text:
        raise UsageError(f"artifact file name {path!r} must be a relative path inside the "
                         f"artifact (no '..', no leading '/'); rename it")
    return text


def object_path(root: Path, digest: str) -> Path:
    return artifacts_root(root) / OBJECTS_DIR / digest[:2] / digest


def store_object(root: Path, source: Path) -> Dict[str, Any]:
    """Copy `source` into the object store (once per content); {"digest", "size"}."""
    tmp_dir = artifacts_root(root) / OBJECTS_DIR
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f".in.{os.getpid()}.{time.monotonic_ns()}"
    try:
        with open(source, "rb") as src:
            hexdigest, size = documents.copy_hashed(src, tmp)
        target = object_path(root, hexdigest)
        if target.exists():
            tmp.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            os.replace(tmp, target)
    except OSError as e:
        documents.discard(tmp)
        raise UsageError(f"artifact file {str(source)!r} cannot be stored: {e.strerror}") from None
    return {"digest": hexdigest, "size": size}


def manifest_digest(files: Dict[str, Dict[str, Any]], references: Dict[str, Dict[str, Any]]) -> str:
    """The digest of an artifact's content: its files' names and digests and its references."""
    body = json.dumps({"files": {k: v["digest"] for k, v in sorted(files.items())},
                       "references": {k: v.get("uri") for k, v in sorted(references.items())}},
                      sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


class Collection:
    """All versions of one artifact name in one project."""

    def __init__(self, root: Path, project: str, name: str):
        self.root = Path(root)
        self.project = project
        self.name = check_name(name, "name")
        self.dir = artifacts_root(root) / PROJECTS_DIR / project / name

    def versions(self) -> List[int]:
        try:
            names = os.listdir(self.dir / "versions")
        except OSError:
            return []
        found = (VERSION_RE.match(n[:-5]) for n in names if n.endswith(".json"))
        return sorted(int(m.group(1)) for m in found if m)

    def manifest(self, version: str) -> Optional[Dict[str, Any]]:
        doc = documents.read_json(self.dir / "versions" / f"{version}.json")
        return doc if isinstance(doc, dict) else None

    def aliases(self) -> Dict[str, str]:
        """alias -> version, `latest` included."""
        out: Dict[str, str] = {}
        try:
            names = sorted(os.listdir(self.dir / "aliases"))
        except OSError:
            names = []
        for name in names:
            if name.endswith(".json") and not name.startswith("."):
                doc = documents.read_json(self.dir / "aliases" / name, {}) or {}
                if isinstance(doc.get("version"), str):
                    out[name[:-5]] = doc["version"]
        versions = self.versions()
        if versions:
            out[LATEST] = f"v{versions[-1]}"
        return out

    def resolve(self, alias: str) -> Optional[str]:
        """The version an alias or `vN` names, None when there is none."""
        if VERSION_RE.match(alias):
            return alias if (self.dir / "versions" / f"{alias}.json").is_file() else None
        return self.aliases().get(alias)

    def publish(self, manifest: Dict[str, Any], aliases: List[str]) -> Dict[str, Any]:
        """Store a new version (or return the latest when its content is the same)."""
        versions_dir = self.dir / "versions"
        versions_dir.mkdir(parents=True, exist_ok=True)
        existing = self.versions()
        latest = self.manifest(f"v{existing[-1]}") if existing else None
        if latest is not None and latest.get("digest") == manifest["digest"]:
            self.set_aliases(latest["version"], aliases)
            return latest
        tmp = versions_dir / f".new.{os.getpid()}.{time.monotonic_ns()}"
        number = existing[-1] + 1 if existing else 0
        try:
            while True:
                manifest["version"] = f"v{number}"
                tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
                try:
                    os.link(tmp, versions_dir / f"v{number}.json")  # fails if taken: exclusive
                    break
                except FileExistsError:
                    number += 1
        finally:
            documents.discard(tmp)
        self.set_aliases(manifest["version"], aliases)
        return manifest

    def set_aliases(self, version: str, aliases: List[str]) -> None:
        for alias in aliases:
            if alias == LATEST:
                continue  # always the newest version; never stored
            (self.dir / "aliases").mkdir(parents=True, exist_ok=True)
            documents.write_json(self.dir / "aliases" / f"{alias}.json", {"version": version})

    def record_use(self, version: str, project: str, run_id: str) -> None:
        """Lineage: append one line that a run used `version`."""
        self._append("used.jsonl", {"version": version, "project": project, "run_id": run_id,
                                    "time": time.time()})

    def uses(self) -> List[Dict[str, Any]]:
        return self._lines("used.jsonl")

    def record_link(self, version: str, link: Dict[str, Any]) -> None:
        """A link of `version` to a registry collection (run.link_artifact): kept here, since
        there is no registry offline."""
        self._append("links.jsonl", dict(link, version=version))

    def links(self) -> List[Dict[str, Any]]:
        return self._lines("links.jsonl")

    def _append(self, file_name: str, doc: Dict[str, Any]) -> None:
        """One line in a single O_APPEND write: concurrent writers never interleave, and a
        full disk leaves no partial line (append_whole)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps(doc) + "\n"
        fd = os.open(self.dir / file_name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            append_whole(fd, line.encode())
        finally:
            os.close(fd)

    def _lines(self, file_name: str) -> List[Dict[str, Any]]:
        out = []
        try:
            with open(self.dir / file_name, "rb") as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        continue  # a torn last line
        except OSError:
            pass
        return out

    def download(self, version: str, target: Path) -> Path:
        """Copy a version's files into `target` (created); references are not fetched."""
        manifest = self.manifest(version)
        if manifest is None:
            raise UsageError(f"artifact {self.name}:{version} does not exist")
        target = Path(target)
        for member, entry in manifest.get("files", {}).items():
            dest = target / check_member(member)
            dest.parent.mkdir(parents=True, exist_ok=True)
            source = object_path(self.root, entry["digest"])
            if not source.is_file():
                raise UsageError(f"artifact {self.name}:{version}: the content of {member!r} "
                                 f"is missing from {source.parent.parent}; the store is damaged")
            shutil.copyfile(source, dest)
        return target


def collections(root: Path, project: Optional[str] = None) -> Iterator[Collection]:
    """Every artifact name in the store (of one project), sorted by project and name."""
    base = artifacts_root(root) / PROJECTS_DIR
    try:
        projects = [project] if project else sorted(os.listdir(base))
    except OSError:
        return
    for proj in projects:
        if proj.startswith("."):
            continue
        try:
            names = sorted(os.listdir(base / proj))
        except OSError:
            continue
        for name in names:
            if not name.startswith(".") and NAME_RE.match(name):
                yield Collection(root, proj, name)
