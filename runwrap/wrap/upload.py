"""The wrapper's side of online mode: start the MLflow upload thread, and stop it at exit.

Started after the child (no thread may exist at fork time) and stopped after the final status
is in run.json, so the server gets the status too; `--sync-timeout` bounds the wait at exit and
the rest is left for `runwrap sync`. Nothing here can fail the run: problems are warnings.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from runwrap.collectors.base import warn_once


def start_upload(mode: str, tracking_uri: Optional[str], run_dir: Optional[Path]) -> Optional[Any]:
    """An started `runwrap.sync.Uploader` for an online run, else None."""
    if mode != "online" or run_dir is None:
        return None
    # start-up: loaded only on the path that needs it
    from runwrap.errors import Error
    from runwrap.sync import Uploader, resolve_config

    try:
        config = resolve_config(tracking_uri=tracking_uri)
        if config is None:
            warn_once("sync-uri", "mode is online but no http(s) tracking server is set; the "
                      "run stays local (`runwrap sync --tracking-uri URI` uploads it later)")
            return None
        uploader = Uploader(run_dir, config, warn=warn_once)
        uploader.start()
        return uploader
    except Error as e:
        warn_once("sync-start", f"no upload to the tracking server: {e}")
        return None


def stop_upload(uploader: Optional[Any], timeout: float) -> None:
    """Give the upload at most `timeout` seconds to finish; say what was left behind."""
    if uploader is None:
        return
    result = uploader.stop(timeout)
    if result.state == "partial" and not result.error:
        warn_once("sync-left", f"upload not finished within --sync-timeout {timeout:g}s; "
                  f"`runwrap sync {uploader.run_dir.name}` uploads the rest")
