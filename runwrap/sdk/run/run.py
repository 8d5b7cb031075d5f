"""`Run`: what init() returns. Thin: logging is History, config is Config, summary is Summary,
documents are the store's; Run only wires them to one run directory.

Over 400 lines because `Run` carries wandb's whole Run surface (about 60 attributes and
methods, each a few lines handing over to History, Config, Summary, the artifacts modules or
the store); what other sdk modules may do to a Run is in access.py."""
from __future__ import annotations

import dataclasses
import datetime
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from runwrap.errors import UsageError
from runwrap.notices import say
from runwrap.sdk.run import state
from runwrap.sdk.run.access import not_recorded
from runwrap.sdk.run.config import Config
from runwrap.sdk.run.history import History
from runwrap.sdk.media.base import MediaSink
from runwrap.sdk.run.summary import SUMMARY_KINDS, Summary
from runwrap.store import documents
from runwrap.store.lifecycle import add_skipped, check_tag, finish_run
from runwrap.store.layout import (FILES_DIR, MEDIA_DIR, RUN_JSON, SUMMARY_JSON,
                                  SUMMARY_USER_JSON)

ALERT_LEVELS = ("INFO", "WARN", "ERROR")


def check_tags(tags: Any) -> Tuple[str, ...]:
    if tags is None:
        return ()
    if isinstance(tags, str):
        tags = (tags,)
    elif not isinstance(tags, (list, tuple, set, frozenset)):
        raise UsageError(f"tags={tags!r} must be a list of strings, e.g. tags=['baseline']")
    return tuple(check_tag(tag) for tag in tags)


@dataclasses.dataclass
class RunStatus:
    """What run.status() returns (wandb's fields)."""
    sync_items_total: int = 0
    sync_items_pending: int = 0
    sync_time: Optional[datetime.datetime] = None


class Metric:
    """What define_metric() returns: the definition, readable as attributes."""

    def __init__(self, name: str, spec: Dict[str, Any]):
        self.name = name
        self.step_metric = spec.get("step_metric")
        self.step_sync = spec.get("step_sync")
        self.hidden = spec.get("hidden")
        self.summary = spec.get("summary")
        self.goal = spec.get("goal")

    def __repr__(self) -> str:
        return f"Metric({self.name!r})"


class Run:
    def __init__(self, *, run_dir: Path, ident: Dict[str, Any], attached: bool, history: History,
                 config: Config, user_summary: Dict[str, Any], mode: str, resumed: bool,
                 start_time: float, on_finish: Optional[Callable[["Run", int, Optional[str]], None]] = None):
        self._run_dir = Path(run_dir)
        self._ident = ident
        self._attached = attached
        self._history = history
        history.media = MediaSink(self._run_dir)
        # log() is the hot path: the instance attribute skips one Python call per log.
        self.log = history.log  # type: ignore[method-assign]
        self.config = config
        self._mode = mode
        self._resumed = resumed
        self._start_time = start_time
        self._metrics: Dict[str, Dict[str, Any]] = {}
        self._live_saves: List[Any] = []  # saving.SaveSpec of policy="live"
        self._end_saves: List[Any] = []
        self._finished = False
        self._finish_lock = threading.Lock()
        self._on_finish = on_finish
        self._reserve: Optional[documents.SpaceReserve] = None  # room for a standalone run's end
        self._closers: List[Callable[[], None]] = []  # background readers to stop at finish
        self._settings: Any = None  # RunSettings, set by init()
        self.summary = Summary(history.stats, lambda: history.first, lambda: self._metrics,
                               user_summary, self._save_user_summary)

    # -- identity -----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._ident["id"]

    @property
    def project(self) -> str:
        return self._ident["project"]

    def project_name(self) -> str:
        return self.project

    @property
    def entity(self) -> Optional[str]:
        return self._ident.get("entity")

    @property
    def group(self) -> Optional[str]:
        return self._ident.get("group")

    @property
    def job_type(self) -> Optional[str]:
        return self._ident.get("job_type")

    @property
    def path(self) -> str:
        return "/".join(p for p in (self.entity, self.project, self.id) if p)

    @property
    def dir(self) -> str:
        """wandb's meaning: the folder whose files belong to the run (files/ here). As in
        wandb, the run's media are found in it (`files/media`, a link to the run's media/)."""
        path = self._run_dir / FILES_DIR
        path.mkdir(exist_ok=True)
        media = path / MEDIA_DIR
        if not os.path.lexists(media):
            try:
                os.symlink(os.path.join(os.pardir, MEDIA_DIR), media)
            except OSError:  # a file system without links: media/ stays where it is
                pass
        return str(path)

    @property
    def run_dir(self) -> Path:
        return self._run_dir

    @property
    def settings(self) -> Any:
        """wandb's `run.settings`: what init() decided (see settings.py)."""
        return self._settings

    @property
    def resumed(self) -> bool:
        return self._resumed

    @property
    def step(self) -> int:
        return self._history.step

    @property
    def start_time(self) -> float:
        return self._start_time

    @property
    def offline(self) -> bool:
        return self._mode != "online"

    @property
    def disabled(self) -> bool:
        return False

    @property
    def url(self) -> Optional[str]:
        return None

    def get_url(self) -> Optional[str]:
        return None

    # An offline run has no web pages: wandb answers None for each of them.
    project_url = sweep_url = url
    get_project_url = get_sweep_url = get_url

    def status(self) -> "RunStatus":
        """wandb's sync status of the run. Nothing is sent while the run runs (`runwrap sync`
        uploads afterwards), so nothing is pending and nothing has been synced, as wandb
        answers offline."""
        return RunStatus()

    @property
    def name(self) -> Optional[str]:
        return self._ident.get("name")

    @name.setter
    def name(self, value: str) -> None:
        self._set_ident("name", str(value))

    @property
    def notes(self) -> Optional[str]:
        return self._ident.get("notes")

    @notes.setter
    def notes(self, value: str) -> None:
        self._set_ident("notes", str(value))

    @property
    def tags(self) -> Tuple[str, ...]:
        return tuple(self._ident.get("tags") or ())

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        self._set_ident("tags", list(check_tags(value)))

    def _set_ident(self, key: str, value: Any) -> None:
        self._ident[key] = value
        self._update_meta(lambda doc: doc.__setitem__(key, value))

    def _update_meta(self, mutate: Callable[[dict], Any]) -> None:
        try:
            documents.update_json(self._run_dir / RUN_JSON, mutate)
        except OSError as e:
            not_recorded(RUN_JSON, e)

    # -- logging ------------------------------------------------------------------------------
    def log(self, data: Dict[str, Any], step: Optional[int] = None, commit: Optional[bool] = None,
            sync: Optional[bool] = None) -> None:
        """Record `data` at the current step (wandb's step/commit rules); on disk on return."""
        self._history.log(data, step, commit)

    def define_metric(self, name: str, step_metric: Any = None, step_sync: Optional[bool] = None,
                      hidden: Optional[bool] = None, summary: Optional[str] = None,
                      goal: Optional[str] = None, overwrite: Optional[bool] = None) -> Metric:
        if not isinstance(name, str) or not name:
            raise UsageError(f"define_metric name must be a non-empty string, got {name!r}")
        spec: Dict[str, Any] = {}
        if step_metric is not None:
            spec["step_metric"] = getattr(step_metric, "name", step_metric)
        if step_sync is not None:
            spec["step_sync"] = bool(step_sync)
        if hidden is not None:
            spec["hidden"] = bool(hidden)
        if summary is not None:
            kinds = [k.strip() for k in str(summary).split(",") if k.strip()]
            bad = [k for k in kinds if k not in SUMMARY_KINDS]
            if bad:
                raise UsageError(f"define_metric summary {bad[0]!r} is not one of "
                                 f"{', '.join(SUMMARY_KINDS)}")
            spec["summary"] = kinds
        if goal is not None:
            if goal not in ("minimize", "maximize"):
                raise UsageError(f"define_metric goal {goal!r} must be 'minimize' or 'maximize'")
            spec["goal"] = goal
        if overwrite is False and name in self._metrics:
            spec = dict(self._metrics[name], **spec)
        self._metrics[name] = spec
        self._update_meta(lambda doc: doc.setdefault("metrics", {}).__setitem__(name, spec))
        return Metric(name, spec)

    def _save_user_summary(self, changed: Dict[str, Any], removed: List[str]) -> None:
        def mutate(doc: dict) -> None:
            doc.update(changed)
            for key in removed:
                doc.pop(key, None)
        try:
            documents.update_json(self._run_dir / SUMMARY_USER_JSON, mutate)
        except OSError as e:
            not_recorded(SUMMARY_USER_JSON, e)

    # -- files and events ---------------------------------------------------------------------
    def save(self, glob_str: Optional[str] = None, base_path: Optional[str] = None,
             policy: str = "live", glob: bool = True) -> List[str]:
        """Copy the files matching `glob_str` into the run's files/ (again at finish for
        `live` and `end`) with wandb's layout (saving.py). Returns the destinations."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.run.saving import POLICIES, SaveSpec

        if glob_str is None:
            raise UsageError("run.save() needs a glob_str: a path or pattern of files to keep")
        if policy not in POLICIES:
            raise UsageError(f"save policy {policy!r} is not one of {', '.join(POLICIES)}")
        glob_str = os.fspath(glob_str)
        if isinstance(glob_str, bytes):
            glob_str = glob_str.decode()
        if glob_str.startswith(("gs://", "s3://")):
            raise UsageError(f"save({glob_str!r}): a cloud storage URL is not a local file; "
                             f"use Artifact.add_reference to record it")
        spec = SaveSpec(glob_str, None if base_path is None else os.fspath(base_path), glob)
        if policy == "end":
            # Visible in run.dir at once, as in wandb (a link), copied at finish.
            self._end_saves.append(spec)
            return self._copy_matches(spec, link=True)
        if policy == "live":
            self._live_saves.append(spec)
        return self._copy_matches(spec)

    def _copy_matches(self, spec: Any, link: bool = False) -> List[str]:
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.run.saving import copy_matches

        ignore = (self._settings.ignore_globs if self._settings is not None else None) or ()
        return copy_matches(spec, self._run_dir / FILES_DIR, ignore, link)

    def alert(self, title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
        """Record an alert in run.json `alerts` and say it on stderr."""
        name = getattr(level, "value", level) or "INFO"
        name = str(name).upper()
        if name not in ALERT_LEVELS:
            raise UsageError(f"alert level {level!r} is not one of {', '.join(ALERT_LEVELS)}")
        entry = {"title": str(title), "text": str(text), "level": name, "time": time.time(),
                 "step": self._history.step}
        self._update_meta(lambda doc: doc.setdefault("alerts", []).append(entry))
        say(f"alert [{name}] {title}: {text}")

    def mark_preempting(self) -> None:
        """Record that the run is about to be preempted (it can be resumed later)."""
        self._update_meta(lambda doc: doc.update(preempting=True, preempting_time=time.time()))

    # -- artifacts (sdk/artifacts.py) ------------------------------------------------------------
    def log_artifact(self, artifact_or_path: Any, name: Optional[str] = None,
                     type: Optional[str] = None, aliases: Optional[Sequence[str]] = None,  # noqa: A002
                     tags: Optional[Sequence[str]] = None) -> Any:
        """Store an Artifact (or a file/directory path) as its name's next version."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifacts import log_artifact

        return log_artifact(self, artifact_or_path, name, type, aliases, tags)

    def use_artifact(self, artifact_or_name: Any, type: Optional[str] = None,  # noqa: A002
                     aliases: Optional[Sequence[str]] = None, use_as: Optional[str] = None) -> Any:
        """A logged version (`"name:alias"`, `"name:v3"`, `"project/name"`), recorded as used."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifacts import use_artifact

        return use_artifact(self, artifact_or_name, type, aliases, use_as)

    def link_artifact(self, artifact: Any, target_path: str,
                      aliases: Optional[Sequence[str]] = None) -> Any:
        """Link a version (logged first if it is a draft) to a registry collection: recorded
        locally (the collection's links.jsonl, run.json `artifacts.linked`)."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifact_kinds import link_artifact

        return link_artifact(self, artifact, target_path, aliases)

    def log_code(self, root: Optional[str] = ".", name: Optional[str] = None,
                 include_fn: Optional[Callable[..., bool]] = None,
                 exclude_fn: Optional[Callable[..., bool]] = None) -> Any:
        """The code under `root` (.py, requirements.txt, Dockerfile* by default) as a version of
        a `code` artifact; None when no file matches."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifact_kinds import log_code

        return log_code(self, root, name, include_fn, exclude_fn)

    def log_model(self, path: Any, name: Optional[str] = None,
                  aliases: Optional[Sequence[str]] = None) -> None:
        """The file or directory at `path` as a version of a `model` artifact (wandb returns
        None)."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifact_kinds import log_model

        log_model(self, path, name, aliases)

    def use_model(self, name: str) -> str:
        """Download a logged model version; the path of its file (or directory)."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifact_kinds import use_model

        return use_model(self, name)

    def link_model(self, path: Any, registered_model_name: str, name: Optional[str] = None,
                   aliases: Optional[Sequence[str]] = None) -> Any:
        """log_model, then link the version to `model-registry/<registered_model_name>`."""
        # start-up: loaded only on the path that needs it
        from runwrap.sdk.artifact_kinds import link_model

        return link_model(self, path, registered_model_name, name, aliases)

    def watch(self, *args: Any, **kwargs: Any) -> None:
        """wandb's gradient watching is not recorded; accepted so code runs unchanged."""

    def unwatch(self, *args: Any, **kwargs: Any) -> None:
        pass

    # -- the end ------------------------------------------------------------------------------
    def finish(self, exit_code: Optional[int] = None, quiet: Optional[bool] = None) -> None:
        """End the run: `finished` (exit code 0) or `failed`. Calling it again does nothing."""
        self._finish(0 if exit_code is None else int(exit_code), None)

    def _finish(self, code: int, signal_name: Optional[str]) -> None:
        with self._finish_lock:
            if self._finished:
                return
            self._finished = True
        try:
            for close in self._closers:
                close()
            for spec in self._live_saves + self._end_saves:
                self._copy_matches(spec)
            self._history.close()
            self._record_dropped()
            if self._on_finish is not None and self._history.in_owner_process:
                try:
                    self._on_finish(self, code, signal_name)
                except OSError as e:
                    not_recorded("the end of the run", e)
        finally:
            state.forget(self)

    def _record_dropped(self) -> None:
        """log() calls whose line could not be written (disk full) are counted in run.json
        `skipped.sdk.dropped`, summed over the processes that log into the run (DESIGN)."""
        dropped = self._history.dropped
        if dropped:
            self._update_meta(lambda doc: add_skipped(doc, "sdk", {"dropped": dropped}))

    def _finish_at_exit(self, code: int, signal_name: Optional[str]) -> None:
        self._finish(code, signal_name)

    def _close_quietly(self) -> None:
        """A forked child's exit: close its own stream; the run is the parent's to finish."""
        with self._finish_lock:
            self._finished = True
        self._history.close()
        state.forget(self)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> bool:
        if kind is None:
            self._finish(0, None)
        elif issubclass(kind, KeyboardInterrupt):
            self._finish(130, "SIGINT")
        elif issubclass(kind, SystemExit):
            self._finish(state._exit_status_code(value.code), None)
        else:
            self._finish(1, None)
        return False

    def __repr__(self) -> str:
        return f"<runwrap.Run {self.path} ({self.name})>"


# What the SDK's other modules (integrations) may do with a Run beyond wandb's API: through
# these, so that Run's private members stay Run's.

def give_settings(run: Any, settings: Any) -> None:
    """What `run.settings` answers (init() builds it once the run exists); a DisabledRun too."""
    run._settings = settings


def write_final_documents(run: Run, code: int, signal_name: Optional[str]) -> None:
    """A standalone run's end: summary.json from memory, then run.json's end (store/lifecycle)."""
    history = run._history
    if run._reserve is not None:
        run._reserve.release()
    try:
        documents.write_json(run.run_dir / SUMMARY_JSON,
                             history.builder.result(run.summary.user(), run._metrics))
    except OSError as e:
        not_recorded(SUMMARY_JSON, e)
    try:
        finish_run(run.run_dir, code, signal_name, duration=history.runtime())
    except OSError as e:
        not_recorded(RUN_JSON, e)
