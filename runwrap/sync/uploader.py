"""The upload thread of an online run: off the training path, bounded, and cut off at exit.

The stream files are the queue: producers append records to disk as they always do, and this
thread reads them from its positions, so memory stays bounded (one batch) however far the
server falls behind, and nothing is lost when it is down. The only thing the training side hands
over is a wake-up (`notify()`, a queue of size one that never blocks); without one the thread
looks every `interval` seconds. While the run goes on, failed requests are retried forever with
backoff; `stop(timeout)` gives the upload at most `timeout` more seconds, then leaves the rest
to `runwrap sync`.
"""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Optional

from runwrap.notices import WarnOnce
from runwrap.errors import AuthenticationError, CommError
from runwrap.sync.client import Rejected, RestClient
from runwrap.sync.config import SyncConfig
from runwrap.sync.cursor import SyncLock
from runwrap.sync.runsync import RunSync, SyncResult, Warn


def stderr_warner() -> Warn:
    """One line on stderr per kind of problem, the first time this uploader meets it."""
    return WarnOnce()


class Uploader:
    """Uploads `run_dir` to the server while the run goes on: `start()`, `notify()` after
    writes (optional), and `stop(timeout)` once the run's final status is in run.json."""

    def __init__(self, run_dir: Path, config: SyncConfig, interval: float = 1.0,
                 warn: Optional[Warn] = None):
        self.run_dir = Path(run_dir)
        self.config = config
        self.interval = interval
        self.warn = warn or stderr_warner()
        self.result = SyncResult(self.run_dir)
        self._stopping = threading.Event()
        self._wake: "queue.Queue[None]" = queue.Queue(maxsize=1)
        self._thread: Optional[threading.Thread] = None
        self._client: Optional[RestClient] = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="runwrap-upload", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Ask for an upload soon; never blocks, whatever the state of the server."""
        try:
            self._wake.put_nowait(None)
        except queue.Full:
            pass

    def stop(self, timeout: float = 10.0) -> SyncResult:
        """Finish the upload (last points, params, final status) within `timeout` seconds;
        whatever is left stays on disk for `runwrap sync`."""
        deadline = time.monotonic() + max(0.0, timeout)
        if self._client is not None:
            self._client.deadline = deadline
        self._deadline = deadline
        self._stopping.set()
        self.notify()
        if self._thread is not None:
            self._thread.join(max(0.0, timeout) + 2.0)
        return self.result

    # -- the thread --------------------------------------------------------------------------

    _deadline: Optional[float] = None

    def _main(self) -> None:
        lock = SyncLock(self.run_dir)
        try:
            if not lock.acquire():
                self.result.state = "busy"
                self.warn("sync-busy", f"another process is uploading {self.run_dir}; "
                          f"this one will not")
                return
            self._run()
        except AuthenticationError as e:
            self._fail("auth", str(e))
        except Rejected as e:
            self._fail("rejected", f"{e}; the upload of this run stopped")
        except CommError as e:
            self._fail("comm", f"{e}; `runwrap sync` uploads the rest later")
        except Exception as e:  # the upload must never take the run down with it
            self._fail("bug", f"upload stopped: {type(e).__name__}: {e}; `runwrap sync` "
                       f"uploads the rest later")
        finally:
            sync: Optional[RunSync] = getattr(self, "_sync", None)
            if sync is not None:
                sync.close()
            if self._client is not None:
                self._client.close()
            lock.release()

    def _run(self) -> None:
        self._client = RestClient(self.config, attempts=None, stop=self._stopping)
        if self._deadline is not None:  # stop() came before the client existed
            self._client.deadline = self._deadline
        self._sync = RunSync(self.run_dir, self.config, self._client, warn=self.warn)
        self._sync.result = self.result
        self._sync.open()
        while not self._stopping.is_set():
            self._sync.pump()
            try:
                self._wake.get(timeout=self.interval)
            except queue.Empty:
                pass
        self._sync.pump()
        state = self._sync.finish()
        self._sync.write_run_json(state)

    def _fail(self, kind: str, message: str) -> None:
        sync: Optional[RunSync] = getattr(self, "_sync", None)
        state = "error" if kind != "comm" else "partial"
        if sync is not None and not sync.state.run_id:
            state = "error" if kind != "comm" else "local"
        self.result.state = state
        self.result.error = message
        self.warn(f"upload-{kind}", message)
        if sync is not None:
            sync.write_run_json(state, message)
