"""Uploading a run's files as MLflow artifacts: media (images, tables, histograms, charts...),
the artifact versions the run logged, and summary.json.

They go through the tracking server's proxied artifact endpoint (`PUT
/api/2.0/mlflow-artifacts/artifacts/<run's artifact root>/<path>`, served by `mlflow server`
unless it runs with --no-serve-artifacts), under the same paths they have in the run directory:

    media/<kind>/<key>_<step>_<digest>.<ext>        as logged (tables as their JSON)
    artifacts/<name>/<version>/<file>               each artifact version the run logged
    artifacts/<name>/<version>/manifest.json        its manifest (digests, metadata, aliases)
    summary.json                                    the run's summary (wandb's nested shape too)

Exactly once and resumable: a file is recorded in sync.json (`files`: path -> digest) once the
server took it, saved every SAVE_EVERY files or second (sync.json grows with the files, and
rewriting it after each of thousands of images would cost more than the images); a cut upload
sends those few again, and a PUT of the same bytes to the same path leaves the server as it
was, one copy of each file. Media files and
artifact versions never change once written; summary.json is sent again when it changes.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional
from urllib.parse import quote, urlparse

from runwrap.store import documents
from runwrap.store.layout import RUN_JSON, SUMMARY_JSON
from runwrap.store.media import media_files

PROXY_SCHEME = "mlflow-artifacts"
SAVE_EVERY = 32  # files between saves of sync.json (and at least once a second)


class UploadItem:
    """One file to upload: where it goes on the server, where it is here, its digest when
    known without reading it (content-addressed files)."""

    __slots__ = ("dest", "source", "digest")

    def __init__(self, dest: str, source: Path, digest: Optional[str] = None):
        self.dest = dest
        self.source = source
        self.digest = digest


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def upload_items(run_dir: Path) -> Iterator[UploadItem]:
    """Every file of the run that belongs on the server, in a stable order."""
    for rel in media_files(run_dir):
        # The name holds the content's digest prefix: the full digest is not needed to know
        # the file never changes, so the name stands for it.
        yield UploadItem(rel, run_dir / rel, digest=os.path.basename(rel))
    meta = documents.read_json(run_dir / RUN_JSON, {}) or {}
    logged = (meta.get("artifacts") or {}).get("logged") or []
    if logged:
        # start-up: loaded only on the path that needs it
        from runwrap.store.artifacts import Collection, object_path

        root = run_dir.parent.parent
        seen = set()
        for entry in logged:
            key = (entry.get("project"), entry.get("name"), entry.get("version"))
            if key in seen or not all(key):
                continue
            seen.add(key)
            coll = Collection(root, key[0], key[1])
            manifest = coll.manifest(key[2])
            if manifest is None:
                continue
            base = f"artifacts/{key[1]}/{key[2]}"
            for member, info in sorted((manifest.get("files") or {}).items()):
                yield UploadItem(f"{base}/{member}", object_path(root, info["digest"]),
                                 digest=info["digest"])
            yield UploadItem(f"{base}/manifest.json", coll.dir / "versions" / f"{key[2]}.json",
                             digest=manifest.get("digest"))
    summary = run_dir / SUMMARY_JSON
    if summary.is_file():
        yield UploadItem(SUMMARY_JSON, summary)


def _sent(item: UploadItem, sent: Dict[str, str]) -> bool:
    """True when the server holds this file as it is now (a changed summary.json is not)."""
    known = sent.get(item.dest)
    if known is None:
        return False
    if item.digest is not None:
        return known == item.digest
    try:
        return known == file_digest(item.source)
    except OSError:
        return True  # gone: nothing to send


def proxied_root(artifact_uri: Optional[str]) -> Optional[str]:
    """The path under /api/2.0/mlflow-artifacts/artifacts/ of a run's artifact root, None when
    the server does not proxy artifacts (its root is a bucket or a path only it can reach)."""
    if not artifact_uri:
        return None
    parsed = urlparse(artifact_uri)
    if parsed.scheme != PROXY_SCHEME:
        return None
    return parsed.path.strip("/")


class FileUpload:
    """The files half of RunSync (a mixin, like StreamUpload: it shares RunSync's state)."""

    client: Any
    state: Any
    run_dir: Path
    warn: Callable[[str, str], None]
    config: Any

    def pump_files(self) -> int:
        """Upload the files the server does not have yet; how many were sent."""
        sent: Dict[str, str] = self.state.data.setdefault("files", {})
        pending = [item for item in upload_items(self.run_dir) if not _sent(item, sent)]
        if not pending:
            return 0
        root = self._artifact_root()
        if root is None:
            return 0
        count = 0
        saved_at = time.monotonic()
        try:
            for item in pending:
                try:
                    data = item.source.read_bytes()
                except OSError:
                    continue  # removed meanwhile (runwrap gc): nothing to send
                self.client.put_artifact(f"{root}/{item.dest}", data)
                sent[item.dest] = item.digest or hashlib.sha256(data).hexdigest()
                count += 1
                if count % SAVE_EVERY == 0 or time.monotonic() - saved_at > 1.0:
                    self.state.save()
                    saved_at = time.monotonic()
        finally:
            if count:
                self.state.save()
        return count

    def files_left(self) -> bool:
        """True when a file may still need uploading (checked without the network)."""
        data = self.state.data
        if "artifact_uri" in data and proxied_root(data["artifact_uri"]) is None:
            return False  # the server cannot take them: nothing to wait for
        sent = data.get("files") or {}
        return any(item.dest not in sent for item in upload_items(self.run_dir))

    def _artifact_root(self) -> Optional[str]:
        """The run's proxied artifact root (asked of the server once, kept in sync.json)."""
        data = self.state.data
        if "artifact_uri" not in data:
            run = self.client.get_run(self.state.run_id)
            data["artifact_uri"] = run.get("info", {}).get("artifact_uri")
            self.state.save()
        root = proxied_root(data.get("artifact_uri"))
        if root is None:
            self.warn("files-not-proxied",
                      f"the run's media and artifacts stay local: the server keeps artifacts at "
                      f"{data.get('artifact_uri')!r}, which it does not serve over its API "
                      f"(start `mlflow server` with --serve-artifacts)")
        return root


def artifact_url(uri: str, path: str) -> str:
    """The URL of the proxied artifact endpoint for `path` (a path under the artifact root)."""
    return f"{uri}/api/2.0/mlflow-artifacts/artifacts/{quote(path)}"
