"""Everything `runwrap run` was asked to do, resolved, with where each value came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional


@dataclass
class WrapOptions:
    command: List[str]  # the program and its arguments, verbatim
    project: Optional[str] = None
    entity: Optional[str] = None
    name: Optional[str] = None
    notes: Optional[str] = None
    tags: List[str] = field(default_factory=list)
    group: Optional[str] = None
    job_type: Optional[str] = None
    id: Optional[str] = None
    dir: Optional[str] = None  # root of the run store
    mode: Optional[str] = None  # online | offline | disabled (None: online if a tracking URI is set)
    resume: Optional[str] = None  # allow | never | must | auto
    config: List[str] = field(default_factory=list)  # YAML files and KEY=VALUE words, in order
    quiet: bool = False
    pty: Optional[bool] = None  # None: a pty when stdout is a terminal
    # Collectors.
    scalars: List[str] = field(default_factory=list)  # regexes replacing the default patterns
    no_scalars: bool = False
    metrics_files: List[str] = field(default_factory=list)  # paths or globs (JSONL / CSV)
    tensorboard: List[str] = field(default_factory=list)  # extra dirs to watch for tfevents
    tensorboard_discovery: bool = True  # also find tfevents files anywhere under the cwd
    stats_interval: float = 2.0  # seconds between system samples; 0 turns sampling off
    # MLflow.
    tracking_uri: Optional[str] = None
    sync_timeout: float = 10.0  # seconds to wait for uploads at exit
    # Where each option's value came from: "flag", "environment" or "default".
    sources: Dict[str, str] = field(default_factory=dict)
