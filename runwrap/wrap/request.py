"""Everything `runwrap run` was asked to do, resolved, with where each value came from."""
from __future__ import annotations

from typing import Dict, List, Optional


class WrapOptions:
    """What `runwrap run` was asked to do (a plain class: `dataclasses` costs start-up time)."""

    def __init__(self, command: List[str], *,
                 project: Optional[str] = None, entity: Optional[str] = None,
                 name: Optional[str] = None, notes: Optional[str] = None,
                 tags: Optional[List[str]] = None, group: Optional[str] = None,
                 job_type: Optional[str] = None, id: Optional[str] = None,
                 no_job: bool = False,
                 dir: Optional[str] = None, mode: Optional[str] = None,
                 resume: Optional[str] = None, config: Optional[List[str]] = None,
                 quiet: bool = False, pty: Optional[bool] = None,
                 scalars: Optional[List[str]] = None, no_scalars: bool = False,
                 metrics_files: Optional[List[str]] = None,
                 tensorboard: Optional[List[str]] = None, tensorboard_discovery: bool = True,
                 stats_interval: float = 2.0, tracking_uri: Optional[str] = None,
                 sync_timeout: float = 10.0, sources: Optional[Dict[str, str]] = None):
        self.command = command  # the program and its arguments, verbatim
        self.project = project
        self.entity = entity
        self.name = name
        self.notes = notes
        self.tags = list(tags or [])
        self.group = group
        self.job_type = job_type
        self.id = id
        self.no_job = no_job  # never join a launcher's job as a part
        self.dir = dir  # root of the run store
        self.mode = mode  # online | offline | disabled (None: online if a tracking URI is set)
        self.resume = resume  # allow | never | must | auto
        self.config = list(config or [])  # YAML files and KEY=VALUE words, in order
        self.quiet = quiet
        self.pty = pty  # None: a pty when stdout is a terminal
        # Collectors.
        self.scalars = list(scalars or [])  # regexes replacing the default patterns
        self.no_scalars = no_scalars
        self.metrics_files = list(metrics_files or [])  # paths or globs (JSONL / CSV)
        self.tensorboard = list(tensorboard or [])  # extra dirs to watch for tfevents
        self.tensorboard_discovery = tensorboard_discovery  # also find tfevents under the cwd
        self.stats_interval = stats_interval  # seconds between system samples; 0: off
        # MLflow.
        self.tracking_uri = tracking_uri
        self.sync_timeout = sync_timeout  # seconds to wait for uploads at exit
        # Where each option's value came from: "flag", "environment" or "default".
        self.sources = dict(sources or {})
