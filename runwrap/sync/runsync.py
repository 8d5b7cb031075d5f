"""Uploading one run directory to one tracking server: the run, its params and tags, every
metric stream from its position onward, and its final status.

Used both by the wrapper's background `Uploader` (many small pumps while the run goes on) and by
`sync_run` (`runwrap sync`: everything that is left, once). See cursor.py for how a cut at any
instant neither loses nor repeats a point.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from runwrap.errors import CommError
from runwrap.store import documents
from runwrap.store.layout import CONFIG_YAML, OUTPUT_LOG, RUN_JSON
from runwrap.store.lifecycle import ENDED
from runwrap.store.owner import effective_status
from runwrap.store.run_info import load_run
from runwrap.store.streams import stream_files
from runwrap.sync import mapping
from runwrap.sync.batching import split_params_and_tags
from runwrap.sync.client import Rejected, RestClient, RetryNotice, Unreachable
from runwrap.sync.config import SyncConfig
from runwrap.sync.cursor import Position, SyncState
from runwrap.sync.files import FileUpload
from runwrap.sync.streaming import DEPTH, StreamUpload
from runwrap.sync.tails import StreamTail

Warn = Callable[[str, str], None]  # (kind, one-line message)


@dataclass
class SyncResult:
    """What one upload did, and the run's sync state afterwards (synced|partial|error|busy)."""

    run_dir: Path
    state: str = "partial"
    points: int = 0  # metric points uploaded by this call
    params: int = 0
    tags: int = 0
    files: int = 0  # media and artifact files uploaded by this call
    url: Optional[str] = None
    error: Optional[str] = None
    pending: int = 0  # points left (only computed by dry runs)
    unreachable: bool = False  # the server did not answer (the next run would fare the same)


def _digest(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _ms(t: Any) -> Optional[int]:
    return int(round(t * 1000)) if isinstance(t, (int, float)) else None


class RunSync(StreamUpload, FileUpload):
    def __init__(self, run_dir: Path, config: SyncConfig, client: RestClient,
                 warn: Optional[Warn] = None, progress: Optional[Callable[[int], None]] = None):
        self.run_dir = Path(run_dir)
        self.config = config
        self.client = client
        self.warn = warn or (lambda kind, message: None)
        self.progress = progress
        self.state = SyncState(self.run_dir, config.uri)
        self.result = SyncResult(self.run_dir)
        self.tails: Dict[str, StreamTail] = {}
        self.meta: Dict[str, Any] = {}
        self.depth = DEPTH  # log-batch requests in flight at once
        self._seq = 0  # batches launched: batch j carries its ranges in cursor-tag slot j % depth
        self._senders: Optional[concurrent.futures.ThreadPoolExecutor] = None

    # -- the run on the server ---------------------------------------------------------------

    def open(self) -> None:
        """Find or create the MLflow run, adopt the server's cursor tags, send params and tags."""
        self.meta = run_meta(self.run_dir)
        if not self.meta.get("id"):
            raise CommError(f"{self.run_dir} has no readable run.json; nothing to upload")
        server_tags: Dict[str, str] = {}
        if self.state.run_id:
            try:
                run = self.client.get_run(self.state.run_id)
            except Rejected as e:
                if e.error_code != "RESOURCE_DOES_NOT_EXIST":
                    raise
                raise CommError(
                    f"the MLflow run {self.state.run_id} that {self.run_dir.name} was uploaded to "
                    f"no longer exists on {self.config.uri}; delete the entry for this server in "
                    f"{self.state.path} to upload the run again as a new MLflow run") from None
            server_tags = {t["key"]: t.get("value", "") for t in run["data"].get("tags", [])}
        else:
            server_tags = self._create_or_find_run()
        self._adopt_server_positions(server_tags)
        self.result.url = self.state.data.get("url")
        self._send_params_and_tags()
        self._reopen_if_resumed()
        self.write_run_json("partial")

    def _create_or_find_run(self) -> Dict[str, str]:
        """A new MLflow run, unless an earlier attempt created one and died before sync.json
        recorded it (found by the `runwrap.run_id` tag it was created with)."""
        experiment = self.client.experiment_id(mapping.experiment_name(self.meta))
        local_id = str(self.meta["id"])
        found = []
        if "'" not in local_id:  # a quote would end the filter's string literal
            found = self.client.post("runs/search", {
                "experiment_ids": [experiment], "max_results": 1,
                "filter": f"tags.`{mapping.RUN_ID_TAG}` = '{local_id}'"}).get("runs") or []
        if found:
            run = found[0]
            tags = {t["key"]: t.get("value", "") for t in run["data"].get("tags", [])}
        else:
            body: Dict[str, Any] = {
                "experiment_id": experiment,
                "start_time": _ms(self.meta.get("start_time")) or int(time.time() * 1000),
                "tags": [{"key": mapping.RUN_ID_TAG, "value": local_id}]}
            if self.meta.get("name"):
                body["run_name"] = str(self.meta["name"])
            if self.config.anonymous != "must" and self.meta.get("user"):
                body["user_id"] = str(self.meta["user"])
            run = self.client.post("runs/create", body)["run"]
            tags = {}
        run_id = run["info"]["run_id"]
        self.state.data.update({"experiment_id": experiment, "run_id": run_id,
                                "url": self.config.run_url(experiment, run_id)})
        self.state.save()
        return tags

    def _send_params_and_tags(self) -> None:
        config = documents.read_yaml(self.run_dir / CONFIG_YAML, {}) or {}
        params, truncated = mapping.config_params(config if isinstance(config, dict) else {})
        sent_params: Dict[str, str] = self.state.data["params"]
        new_params = {}
        for key, value in params.items():
            old = sent_params.get(key)
            if old is None:
                new_params[key] = value
            elif old != _digest(value):
                self.warn(f"param-changed-{key}", f"config key {key!r} changed after it was "
                          f"uploaded; MLflow keeps the first value (the run directory has both)")
        tags = mapping.run_tags(self.meta, self.config.anonymous)
        tags.update(self._sweep_tags())
        if truncated:
            known = set(self.state.data.get("truncated") or []) | set(truncated)
            self.state.data["truncated"] = sorted(known)
            tags[mapping.PARAMS_TRUNCATED_TAG] = mapping.cut(",".join(sorted(known)),
                                                             mapping.MAX_TAG_VALUE)[0]
        sent_tags: Dict[str, str] = self.state.data.setdefault("tags", {})
        new_tags = {k: v for k, v in tags.items() if sent_tags.get(k) != _digest(v)}
        for batch in split_params_and_tags(new_params, new_tags):
            refused = self._post(batch)
            if refused is not None:
                self._keep_rejected(batch, refused)
            for p in batch.params:
                sent_params[p["key"]] = _digest(p["value"])
            for t in batch.tags:
                sent_tags[t["key"]] = _digest(t["value"])
            self.result.params += len(batch.params)
            self.result.tags += len(batch.tags)
            self.state.save()

    def _sweep_tags(self) -> Dict[str, str]:
        """A sweep's trial is a child of the sweep's parent run (sync/sweeps.py)."""
        from runwrap.sync import sweeps  # start-up: loaded only on the path that needs it

        parent = self.state.data.get("parent_run_id")
        if parent is None:
            sweep = sweeps.sweep_of(self.run_dir, self.meta)
            experiment = self.state.data.get("experiment_id")
            if sweep is None or not experiment:
                return {}
            parent = sweeps.parent_run_id(self.client, experiment, sweep)
            self.state.data["parent_run_id"] = parent
        return {sweeps.PARENT_RUN_TAG: parent}

    def _reopen_if_resumed(self) -> None:
        """A resumed run is running again: say so on the server too."""
        if effective_status(self.meta) == "running" and self.state.data.get("status_sent"):
            self.client.post("runs/update", {"run_id": self.state.run_id, "status": "RUNNING"})
            self.state.data.pop("status_sent", None)
            self.state.save()

    def pump(self, max_batches: Optional[int] = None) -> int:
        """Send the stream points written so far, then the files (media, artifacts) the server
        lacks; the number of points sent."""
        points = super().pump(max_batches)
        if max_batches is None:
            self.result.files += self.pump_files()
        return points

    # -- the end -----------------------------------------------------------------------------

    def finish(self) -> str:
        """After a full pump: send the final status if the run has ended; the sync state."""
        self.meta = run_meta(self.run_dir) or self.meta
        status = effective_status(self.meta)
        if status in ENDED:
            self._send_params_and_tags()  # config and notes may have changed during the run
            end_ms = _ms(self.meta.get("end_time")) or self._last_write_ms()
            self._send_defined_summary(end_ms)
            wanted = {"status": mapping.STATUS[status], "end_time": end_ms}
            if self.state.data.get("status_sent") != wanted:
                self.client.post("runs/update", dict(wanted, run_id=self.state.run_id))
                self.state.data["status_sent"] = wanted
                self.state.save()
        if self.state.data.get("rejected"):
            state = "error"
        elif status in ENDED and self.state.data.get("status_sent"):
            state = "synced"
        else:
            state = "partial"
        self.result.state = state
        return state

    def _send_defined_summary(self, end_ms: int) -> None:
        """define_metric summaries (acc.max...) as metrics, once per summary: sync.json keeps
        the digest of what was sent; a point sent twice is one point to MLflow's store."""
        # start-up: loaded only on the path that needs it
        from runwrap.store.summary import load_summary

        points = mapping.defined_summary_points(load_summary(self.run_dir),
                                                self.meta.get("metrics"), end_ms)
        if not points:
            return
        digest = _digest(repr(sorted((p["key"], p["value"], p["step"]) for p in points)))
        if self.state.data.get("summary_sent") == digest:
            return
        self.client.log_batch(self.state.run_id, points, [], [])
        self.state.data["summary_sent"] = digest
        self.state.save()

    def _last_write_ms(self) -> int:
        """When a crashed run last wrote anything: its end time as well as we can know it."""
        paths = stream_files(self.run_dir) + [self.run_dir / OUTPUT_LOG]
        times = [os.stat(p).st_mtime for p in paths if p.exists()]
        return int(max(times, default=time.time()) * 1000)

    def write_run_json(self, state: str, error: Optional[str] = None) -> None:
        """The run's sync state and MLflow URL in run.json's `sync` object (for ls and show)."""
        record = {"state": state, "server": self.config.uri, "run_id": self.state.run_id,
                  "experiment_id": self.state.data.get("experiment_id"),
                  "url": self.state.data.get("url"), "points": self.state.data.get("points", 0),
                  "time": time.time()}
        error = error or self.state.data.get("error")
        if error:
            record["error"] = error
        try:
            documents.update_json(self.run_dir / RUN_JSON, lambda doc: doc.__setitem__("sync", record))
        except OSError:
            pass  # an unwritable run directory must not fail the upload itself


def sync_run(run_dir: Path, config: SyncConfig, attempts: int = 6,
             progress: Optional[Callable[[int], None]] = None,
             warn: Optional[Warn] = None, timeout: float = 30.0,
             on_retry: Optional[RetryNotice] = None,
             on_wait: Optional[Callable[[], None]] = None) -> SyncResult:
    """Upload everything of `run_dir` the server does not have yet (`runwrap sync`).

    Safe to repeat: a run already synced is checked locally and nothing is sent. Never raises
    CommError for one run: the result carries the state (`busy` when another process is
    uploading the run right now) and the error; AuthenticationError is raised, since every
    other run would fail the same way. `timeout` bounds each try of each request; `on_wait`,
    when given, is called when another process holds the run, and then the call waits for it
    instead of answering `busy`."""
    # start-up: loaded only on the path that needs it
    from runwrap.errors import AuthenticationError
    from runwrap.sync.cursor import SyncLock

    run_dir = Path(run_dir)
    lock = SyncLock(run_dir)
    if not lock.acquire():
        if on_wait is None:
            return SyncResult(run_dir, state="busy")  # e.g. its wrapper is uploading it now
        on_wait()
        if not lock.acquire(wait=True):
            return SyncResult(run_dir, state="busy")
    try:
        client = RestClient(config, attempts=attempts, timeout=timeout, on_retry=on_retry)
    except BaseException:
        lock.release()
        raise
    rs = RunSync(run_dir, config, client, warn=warn, progress=progress)
    try:
        if _nothing_left(rs):
            rs.result.state = "synced"
            rs.result.url = rs.state.data.get("url")
            return rs.result
        rs.open()
        rs.pump()
        state = rs.finish()
        rs.write_run_json(state)
    except AuthenticationError as e:
        rs.write_run_json("error", str(e))
        raise
    except CommError as e:
        refused = isinstance(e, Rejected) or not rs.state.run_id
        rs.result.state = "error" if refused else "partial"
        rs.result.error = str(e)
        rs.result.unreachable = isinstance(e, Unreachable)
        rs.write_run_json(rs.result.state, str(e))
    finally:
        rs.close()
        client.close()
        lock.release()
    return rs.result


def run_meta(run_dir: Path) -> Dict[str, Any]:
    """run.json as readers see it: a cluster job's run with the status its parts decide."""
    run = load_run(run_dir)
    return run.meta if run is not None else {}


def _nothing_left(rs: RunSync) -> bool:
    """True when sync.json shows a finished upload and no stream has grown since (no network)."""
    data = rs.state.data
    if not data.get("status_sent") or data.get("rejected"):
        return False
    if effective_status(run_meta(rs.run_dir)) not in ENDED:
        return False
    for path in stream_files(rs.run_dir):
        try:
            size = os.path.getsize(path)
        except OSError:
            continue
        if rs.state.position(path.name).offset < size:
            return False
    return not rs.files_left()


def pending_points(run_dir: Path, server: Optional[str] = None) -> int:
    """Points of `run_dir` not yet acknowledged by `server` (all of them when None): --dry-run."""
    state = SyncState(Path(run_dir), server or "")
    total = 0
    for path in stream_files(Path(run_dir)):
        total += StreamTail(path, state.position(path.name) if server else Position()
                            ).pending_points()
    return total
