"""Online mode: runs uploaded to an MLflow tracking server over its REST API.

The run directory stays the source of truth; this layer only reads it (plus its own sync.json,
sync-rejected.jsonl and run.json's `sync` object). Entry points:

- `resolve_config(...)`: the server, credentials and TLS choice (None when none is configured).
- `check_server(config)`: fail fast (AuthenticationError / CommError) for `force=True`.
- `Uploader(run_dir, config)`: the background upload of a live run; `stop(timeout)` at exit.
- `sync_run(run_dir, config)`: upload what is left of one run (`runwrap sync`).

Importing this package is cheap: `requests` is imported when the first request is made.
"""
from runwrap.sync.client import check_server
from runwrap.sync.config import SyncConfig, resolve_config
from runwrap.sync.runsync import SyncResult, pending_points, sync_run
from runwrap.sync.uploader import Uploader

__all__ = ["SyncConfig", "resolve_config", "check_server", "Uploader", "sync_run",
           "pending_points", "SyncResult"]
