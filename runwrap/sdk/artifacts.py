"""`runwrap.Artifact`, `run.log_artifact()`, `run.use_artifact()`: wandb's artifacts over the
local artifact store (store/artifacts.py) beside the store's projects.

An Artifact is built in memory (files staged as they are added), becomes a version when logged
(content stored once by digest, `latest` and the given aliases pointing at it), and can then be
downloaded, used by other runs, and read back by `runwrap artifacts` and `Api().artifact()`.
Code, models and registry links are artifact_kinds.py's. Over 400 lines because `Artifact`
mirrors wandb's class of that name on one object: a draft's building, a logged version's
properties, files and downloads, and its lineage.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence

from runwrap.errors import UsageError
from runwrap.sdk.compat.public_run import PublicRun
from runwrap.sdk.run.access import update_meta
from runwrap.store.artifacts import (LATEST, Collection, check_member, check_name,
                                     manifest_digest, object_path, store_object)
from runwrap.store.runs import find_run

POLICIES = ("mutable", "immutable")


class ArtifactNotLoggedError(UsageError, AttributeError):
    """A logged version's property (version, digest, files...) asked of an artifact not logged
    yet: wandb's name, and an AttributeError as in wandb, so `hasattr` stays False."""


class ArtifactEntry:
    """One file (or reference) of an artifact, as wandb's ArtifactManifestEntry."""

    def __init__(self, artifact: "Artifact", path: str, digest: Optional[str], size: Optional[int],
                 ref: Optional[str] = None):
        self._artifact = artifact
        self.path = path
        self.digest = digest
        self.size = size
        self.ref = ref

    def download(self, root: Optional[str] = None, skip_cache: Optional[bool] = None) -> str:
        """This file copied under `root` (default: the artifact's download directory)."""
        return str(self._artifact._download_one(self.path, root))

    def __repr__(self) -> str:
        return f"<ArtifactEntry {self.path} {self.digest or self.ref}>"


class _Logged:
    """Where a logged (or loaded) version lives: its collection and manifest."""

    def __init__(self, collection: Collection, manifest: Dict[str, Any]):
        self.collection = collection
        self.manifest = manifest


class Artifact:
    """wandb.Artifact(name, type, description=None, metadata=None, incremental=False, use_as=None)."""

    def __init__(self, name: str, type: str, description: Optional[str] = None,  # noqa: A002
                 metadata: Optional[Dict[str, Any]] = None, incremental: bool = False,
                 use_as: Optional[str] = None, **_: Any):
        self._base_name = check_name(name, "name")
        if not isinstance(type, str) or not type:
            raise UsageError(f"Artifact {name!r} needs a type, e.g. type='dataset' or 'model'")
        self.type = type
        self.description = description
        if metadata is not None and not isinstance(metadata, dict):
            raise UsageError(f"Artifact metadata must be a dict, got {metadata!r:.80}")
        self.metadata: Dict[str, Any] = dict(metadata or {})
        self._sources: Dict[str, Path] = {}  # member -> file to store when logged
        self._references: Dict[str, Dict[str, Any]] = {}
        self._staging: Optional[str] = None
        self._logged: Optional[_Logged] = None
        self._aliases: List[str] = []

    # -- identity -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """`name:vN` once logged, as in wandb; the bare name before."""
        return f"{self._base_name}:{self.version}" if self._logged else self._base_name

    @property
    def source_name(self) -> str:
        return self.name

    @property
    def version(self) -> str:
        return self._require_logged("version").manifest["version"]

    @property
    def project(self) -> Optional[str]:
        return self._logged.collection.project if self._logged else None

    @property
    def qualified_name(self) -> str:
        return f"{self.project}/{self.name}" if self._logged else self.name

    @property
    def id(self) -> Optional[str]:
        return self.digest if self._logged else None

    @property
    def digest(self) -> str:
        return self._require_logged("digest").manifest["digest"]

    @property
    def size(self) -> int:
        if self._logged:
            return sum(e["size"] for e in self._logged.manifest["files"].values())
        return sum(os.path.getsize(p) for p in self._sources.values())

    @property
    def aliases(self) -> List[str]:
        """The aliases naming this version (`latest` when it is the newest)."""
        if self._logged and not self._aliases:
            coll = self._logged.collection
            self._aliases = [a for a, v in coll.aliases().items() if v == self.version]
        return self._aliases

    @aliases.setter
    def aliases(self, value: Sequence[str]) -> None:
        self._aliases = [check_name(a, "alias") for a in value]

    @property
    def manifest(self) -> Dict[str, Any]:
        return dict(self._logged.manifest) if self._logged else {
            "files": {k: {"source": str(v)} for k, v in self._sources.items()},
            "references": dict(self._references)}

    @property
    def created_at(self) -> Optional[float]:
        return self._logged.manifest.get("created_at") if self._logged else None

    def is_draft(self) -> bool:
        return self._logged is None

    # -- building -------------------------------------------------------------------------------
    def _draft(self, what: str) -> None:
        if self._logged is not None:
            raise UsageError(f"artifact {self.name} is logged and cannot change ({what}); make a "
                             f"new Artifact with the same name for a new version")

    def _member(self, name: str, overwrite: bool) -> str:
        member = check_member(name)
        if not overwrite and (member in self._sources or member in self._references):
            raise UsageError(f"artifact {self._base_name!r} already has a file {member!r}; pass "
                             f"overwrite=True or choose another name")
        return member

    def _stage_dir(self) -> str:
        if self._staging is None:
            self._staging = tempfile.mkdtemp(prefix="runwrap-artifact-")
        return self._staging

    def add_file(self, local_path: str, name: Optional[str] = None, is_tmp: bool = False,
                 skip_cache: bool = False, policy: str = "mutable", overwrite: bool = False
                 ) -> ArtifactEntry:
        """Add a file; `policy="mutable"` (default) copies it now, so later changes to it do not
        change the artifact; `"immutable"` reads it when the artifact is logged."""
        self._draft("add_file")
        if policy not in POLICIES:
            raise UsageError(f"add_file policy {policy!r} is not one of {', '.join(POLICIES)}")
        source = Path(os.fspath(local_path))
        if not source.is_file():
            raise UsageError(f"add_file: {str(source)!r} is not a file; check the path")
        member = self._member(name if name is not None else source.name, overwrite)
        if policy == "mutable":
            staged = Path(self._stage_dir()) / "files" / member
            staged.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, staged)
            source = staged
        self._sources[member] = source
        return ArtifactEntry(self, member, None, source.stat().st_size)

    def add_dir(self, local_path: str, name: Optional[str] = None, skip_cache: bool = False,
                policy: str = "mutable", merge: bool = False) -> None:
        """Add every file under a directory, at `name/<relative path>` (or its relative path)."""
        self._draft("add_dir")
        base = Path(os.fspath(local_path))
        if not base.is_dir():
            raise UsageError(f"add_dir: {str(base)!r} is not a directory; check the path")
        prefix = check_member(name) + "/" if name else ""
        for dirpath, _dirs, files in os.walk(base):
            for file_name in sorted(files):
                full = Path(dirpath) / file_name
                rel = full.relative_to(base).as_posix()
                self.add_file(str(full), name=prefix + rel, policy=policy, overwrite=merge)

    def add_reference(self, uri: Any, name: Optional[str] = None, checksum: bool = True,
                      max_objects: Optional[int] = None) -> List[ArtifactEntry]:
        """Record a reference (s3://, gs://, http(s)://, file://...): kept, never fetched."""
        self._draft("add_reference")
        text = str(uri)
        if "://" not in text:
            raise UsageError(f"add_reference: {text!r} is not a URI (scheme://...); use add_file "
                             f"for local files")
        default = text.rstrip("/").rsplit("/", 1)[-1] or "reference"
        member = self._member(name if name is not None else default, False)
        self._references[member] = {"uri": text}
        return [ArtifactEntry(self, member, None, None, ref=text)]

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "x", encoding: Optional[str] = None) -> Iterator[Any]:
        """Open a new file inside the artifact for writing (`with art.new_file("a.txt") as f`)."""
        self._draft("new_file")
        member = self._member(name, False)
        path = Path(self._stage_dir()) / "new" / member
        path.parent.mkdir(parents=True, exist_ok=True)
        file_mode = mode if any(c in mode for c in "wxa") else "x"
        with open(path, file_mode, encoding=encoding if "b" not in file_mode else None) as f:
            yield f
        self._sources[member] = path

    def add(self, obj: Any, name: str, overwrite: bool = False) -> ArtifactEntry:
        """Add a data type (a Table, Image, ...) as `<name>.<type>.json` or its file."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.media.base import Media, MediaSink
        from runwrap.sdk.media.table import Table

        self._draft("add")
        if not isinstance(obj, Media):
            raise UsageError(f"Artifact.add takes a runwrap data type (Table, Image, ...), got "
                             f"{type(obj).__name__}; use add_file for files")
        staging = Path(self._stage_dir()) / "objects"
        sink = MediaSink(staging)
        if isinstance(obj, Table):
            obj.check(name)
            member = self._member(f"{name}.table.json", overwrite)
            path = staging / member
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(obj.encode(sink, name, 0))
        else:
            ref = obj.store(sink, name, 0)
            member = self._member(ref["path"], overwrite)
            path = staging / ref["path"]
        self._sources[member] = path
        for media in (staging / "media").rglob("*") if (staging / "media").exists() else ():
            rel = media.relative_to(staging).as_posix()
            if media.is_file() and rel not in self._sources:
                self._sources[rel] = media
        return ArtifactEntry(self, member, None, path.stat().st_size)

    # -- logged versions ------------------------------------------------------------------------
    def _require_logged(self, what: str) -> _Logged:
        if self._logged is None:
            raise ArtifactNotLoggedError(f"artifact {self._base_name!r} is not logged yet; call "
                                         f"run.log_artifact(artifact) before using {what}")
        return self._logged

    def wait(self, timeout: Optional[int] = None) -> "Artifact":
        """Logging is synchronous here: a logged artifact is ready at once."""
        self._require_logged("wait()")
        return self

    def files(self) -> List[ArtifactEntry]:
        logged = self._require_logged("files()")
        out = [ArtifactEntry(self, p, e["digest"], e["size"])
               for p, e in sorted(logged.manifest["files"].items())]
        out += [ArtifactEntry(self, p, None, None, ref=r.get("uri"))
                for p, r in sorted(logged.manifest.get("references", {}).items())]
        return out

    def get_entry(self, name: str) -> ArtifactEntry:
        for entry in self.files():
            if entry.path == name:
                return entry
        raise UsageError(f"artifact {self.name} has no file {name!r}")

    get_path = get_entry

    def get(self, name: str) -> Any:
        """A Table stored with `add(table, name)`, read back (None when there is none)."""
        import json  # start-up: loaded only on the path that needs it

        from runwrap.sdk.media.table import Table  # start-up: loaded only on the path that needs it

        logged = self._require_logged("get()")
        entry = logged.manifest["files"].get(f"{name}.table.json")
        if entry is None:
            return None
        doc = json.loads(object_path(logged.collection.root, entry["digest"]).read_bytes())
        return Table(columns=doc["columns"], data=doc["data"], allow_mixed_types=True)

    def _default_root(self) -> Path:
        from runwrap import env  # start-up: loaded only on the path that needs it

        base = os.environ.get(env.WANDB_ARTIFACT_DIR) or os.path.join(".", "artifacts")
        return Path(base) / f"{self._base_name}:{self.version}"

    def download(self, root: Optional[str] = None, allow_missing_references: bool = False,
                 skip_cache: Optional[bool] = None, path_prefix: Optional[str] = None,
                 **_: Any) -> str:
        """Copy the version's files under `root` (default ./artifacts/<name>:<version>, or
        $WANDB_ARTIFACT_DIR); references are recorded only and are not fetched."""
        logged = self._require_logged("download()")
        target = Path(root) if root is not None else self._default_root()
        logged.collection.download(self.version, target)
        return str(target)

    def _download_one(self, member: str, root: Optional[str]) -> Path:
        logged = self._require_logged("download()")
        entry = logged.manifest["files"].get(member)
        if entry is None:
            raise UsageError(f"artifact {self.name}: {member!r} is a reference; it is not fetched")
        dest = (Path(root) if root is not None else self._default_root()) / check_member(member)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(object_path(logged.collection.root, entry["digest"]), dest)
        return dest

    def save(self, project: Optional[str] = None, settings: Any = None) -> None:
        """Store alias changes of a logged version (`art.aliases.append("best"); art.save()`)."""
        logged = self._require_logged("save()")
        logged.collection.set_aliases(self.version, [a for a in self._aliases if a != LATEST])

    def logged_by(self) -> Any:
        """The run that logged this version, as `Api().run()` gives it."""
        by = self._require_logged("logged_by()").manifest.get("logged_by") or {}
        if not by.get("run_id"):
            return None
        return _public_run(self._logged.collection.root, by["project"], by["run_id"])

    def used_by(self) -> List[Any]:
        """The runs that used this version, as `Api().run()` gives them."""
        logged = self._require_logged("used_by()")
        seen = []
        for use in logged.collection.uses():
            key = (use.get("project"), use.get("run_id"))
            if use.get("version") == self.version and key not in seen:
                seen.append(key)
        return [_public_run(logged.collection.root, p, r) for p, r in seen]

    def __repr__(self) -> str:
        return f"<Artifact {self.qualified_name} type={self.type}>"


# -- runs and the store -------------------------------------------------------------------------
def _public_run(root: Path, project: str, run_id: str) -> PublicRun:
    """A run of the store read-only, as `Api(overrides={"dir": root}).run("project/id")`."""
    return PublicRun(find_run(root, run_id, project), artifacts_of_run)


def store_root_of(run: Any) -> Path:
    """The store a run's directory is in (artifacts live beside its projects)."""
    return Path(run.run_dir).parent.parent


def _record(run: Any, kind: str, art: Artifact) -> None:
    entry = {"name": art._base_name, "version": art.version, "type": art.type,
             "project": art.project, "digest": art.digest, "time": time.time()}
    update_meta(run, lambda doc: doc.setdefault("artifacts", {}).setdefault(kind, []).append(entry))


def log_artifact(run: Any, artifact_or_path: Any, name: Optional[str] = None,
                 type: Optional[str] = None, aliases: Optional[Sequence[str]] = None,  # noqa: A002
                 tags: Optional[Sequence[str]] = None) -> Artifact:
    """Store `artifact_or_path` as the next version of its name in the run's project."""
    art = artifact_or_path
    if not isinstance(art, Artifact):
        path = os.fspath(art)
        art = Artifact(name or os.path.basename(os.path.abspath(path)), type or "unspecified")
        (art.add_dir if os.path.isdir(path) else art.add_file)(path)
    if art._logged is not None:
        raise UsageError(f"artifact {art.name} is already logged; make a new Artifact for a "
                         f"new version")
    wanted = [check_name(a, "alias") for a in (aliases or [])] + list(art._aliases)
    for alias in wanted:
        if alias.startswith("v") and alias[1:].isdigit():
            raise UsageError(f"alias {alias!r} looks like a version; versions are numbered by "
                             f"the store, choose another alias")
    root = store_root_of(run)
    files = {member: store_object(root, source) for member, source in sorted(art._sources.items())}
    manifest = {"name": art._base_name, "type": art.type, "description": art.description,
                "metadata": art.metadata, "files": files, "references": art._references,
                "digest": manifest_digest(files, art._references), "created_at": time.time(),
                "logged_by": {"project": run.project, "run_id": run.id},
                "tags": list(tags or [])}
    collection = Collection(root, run.project, art._base_name)
    published = collection.publish(manifest, wanted)
    if published.get("type") != art.type:
        raise UsageError(f"artifact {art._base_name!r} has type {published.get('type')!r} in "
                         f"project {run.project!r}, not {art.type!r}; use another name")
    art._logged = _Logged(collection, published)
    art._aliases = []
    if art._staging is not None:
        shutil.rmtree(art._staging, ignore_errors=True)
        art._staging = None
    _record(run, "logged", art)
    return art


class ArtifactSpec(NamedTuple):
    project: str
    name: str
    alias: str


def parse_spec(spec: str, default_project: Optional[str]) -> ArtifactSpec:
    """`[entity/][project/]name[:alias]` (alias `latest` when none)."""
    text = str(spec)
    name_part, _, alias = text.partition(":")
    parts = [p for p in name_part.split("/") if p]
    if not parts or len(parts) > 3:
        raise UsageError(f"artifact {text!r}: write 'name', 'name:alias', 'name:v3' or "
                         f"'project/name:alias'")
    project = parts[-2] if len(parts) >= 2 else default_project
    if project is None:
        raise UsageError(f"artifact {text!r}: give its project, 'project/{text}'")
    return ArtifactSpec(project, parts[-1], alias or LATEST)


def load_artifact(root: Path, spec: str, type: Optional[str],  # noqa: A002
                  default_project: Optional[str]) -> Artifact:
    """A logged version named by `spec`; UsageError listing what exists when there is none."""
    project, name, alias = parse_spec(spec, default_project)
    collection = Collection(root, project, check_name(name, "name"))
    version = collection.resolve(alias)
    if version is None:
        known = collection.aliases()
        what = ", ".join(f"{a}->{v}" for a, v in sorted(known.items())) or "no versions"
        raise UsageError(f"no artifact {name}:{alias} in project {project!r} (it has {what})")
    manifest = collection.manifest(version) or {}
    if type is not None and manifest.get("type") != type:
        raise UsageError(f"artifact {name}:{alias} has type {manifest.get('type')!r}, not {type!r}")
    art = Artifact(name, manifest.get("type") or "unspecified", manifest.get("description"),
                   manifest.get("metadata"))
    art._logged = _Logged(collection, manifest)
    return art


def use_artifact(run: Any, artifact_or_name: Any, type: Optional[str] = None,  # noqa: A002
                 aliases: Optional[Sequence[str]] = None, use_as: Optional[str] = None) -> Artifact:
    """Mark a version as used by the run (lineage) and return it; an Artifact not logged yet
    is logged first, as wandb does."""
    if isinstance(artifact_or_name, Artifact):
        art = artifact_or_name
        if art._logged is None:
            log_artifact(run, art, aliases=aliases)
    else:
        art = load_artifact(store_root_of(run), artifact_or_name, type, run.project)
        if aliases:
            art._logged.collection.set_aliases(art.version, [check_name(a, "alias") for a in aliases])
    art._logged.collection.record_use(art.version, run.project, run.id)
    _record(run, "used", art)
    return art


def artifacts_of_run(run_dir: Path, kind: str) -> List[Artifact]:
    """The versions a run logged (`kind="logged"`) or used, from its run.json."""
    from runwrap.store import documents  # start-up: loaded only on the path that needs it

    meta = documents.read_json(Path(run_dir) / "run.json", {}) or {}
    root = Path(run_dir).parent.parent
    out = []
    for entry in (meta.get("artifacts") or {}).get(kind) or []:
        try:
            out.append(load_artifact(root, f"{entry['project']}/{entry['name']}:{entry['version']}",
                                     None, None))
        except (UsageError, KeyError):
            continue  # deleted from the store since
    return out
