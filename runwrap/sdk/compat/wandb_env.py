"""wandb's environment variables that have no offline meaning, and the ones that need more than
a value: WANDB_CONFIG_PATHS (files loaded into config).

The offline ones (WANDB_PROJECT, WANDB_MODE, ...) are read by `options.Resolver` after the
RUNWRAP_* variable of the same meaning. The cloud-only ones (WANDB_API_KEY, WANDB_BASE_URL, ...)
are accepted and ignored: one notice names them (never their values), and nothing about them
is written to disk.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional

from runwrap import env


def cloud_only_set(environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """The names of wandb's cloud-only variables that are set (values are never looked at)."""
    environ = os.environ if environ is None else environ
    return [name for name in env.WANDB_CLOUD_ONLY if environ.get(name)]


def notice_cloud_only(quiet: bool) -> None:
    """Say once per process that the cloud-only variables set are ignored."""
    names = cloud_only_set()
    if not names or quiet:
        return
    from runwrap.notices import warn_once  # start-up: loaded only on the path that needs it

    warn_once("wandb cloud settings", f"{', '.join(names)} ignored: wandb's cloud settings have "
                                      f"no meaning for runwrap, which records locally (and to "
                                      f"MLflow with RUNWRAP_TRACKING_URI)")


def load_config_paths(paths: Iterable[str]) -> Dict[str, Any]:
    """The keys of every YAML file WANDB_CONFIG_PATHS names, later files winning."""
    # start-up: loaded only on the path that needs it
    from runwrap.sdk.run.config import load_yaml_config

    merged: Dict[str, Any] = {}
    for path in paths:
        merged.update(load_yaml_config(path))
    return merged
