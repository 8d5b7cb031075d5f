"""Opening a run: the one path the wrapper (wrap/runner.py) and init() without the wrapper
(sdk/start/standalone.py) both take to create a run directory, continue an earlier run, or
join a launcher job's run as one of its parts.

The caller decides beforehand which run it opens (its own resume rule, `resume_target`, with
its own spelling of the arguments); what happens then is the same for both:

- a new run is created exclusively, run.json and config.yaml in place before anybody sees the
  directory (store/create.py);
- if another process took the id between that decision and now (several started at the same
  instant), `recheck` decides again as if the run had been there all along: it raises the
  caller's message, or names the run to continue;
- a continued run keeps every fact of its earlier lives; this life's fields replace theirs, the
  end of the last life is cleared, `start_time` is this life's and `first_start_time` the
  first's; its config is the earlier config with this start's on top;
- a job's task creates the run with itself as the first part, or joins it (store/parts.py); a
  joining task whose config differs records the difference in its part record, merged into
  what is there, as a task's program does later (`merge_part_config`).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from runwrap.store import documents
from runwrap.store.create import RunExists, create_run, machine_facts
from runwrap.store.layout import CONFIG_YAML, RUN_JSON, STREAMS_DIR, point_latest
from runwrap.store.owner import owner_identity
from runwrap.store.parts import Joined, create_or_join, part_record
from runwrap.store.run_info import RunInfo

# The end of a life: cleared when the run is continued (finish_run writes them again).
END_FIELDS = ("exit_code", "signal", "end_time", "duration")
LAST_LIFE_ONLY = ("error", "stopped", "preempting", "preempting_time", "summary_stale")


def open_run(root: Path, project: str, run_id: str, meta: Dict[str, Any], owner_kind: str, *,
             config: Dict[str, Any], continues: Optional[Path] = None,
             recheck: Optional[Callable[[], Optional[RunInfo]]] = None,
             empty_config_file: bool = False,
             config_failed: Optional[Callable[[OSError], None]] = None) -> Path:
    """The run directory this start writes: `<root>/<project>/<run_id>` created, or the run in
    `continues` continued. `meta` is run.json's content for this life (identity, command,
    options, ...); `config` the config this start gives. `recheck` (see the module docstring)
    is asked only when the id was taken in the meantime. `empty_config_file`: write config.yaml
    even when there is no config (the wrapper names the file to its child). `config_failed`:
    what to do when config.yaml cannot be written (the run is open by then); without it the
    OSError reaches the caller."""
    created = continues is None
    if continues is None:
        try:
            path = create_run(root, project, run_id, meta, owner_kind)
        except RunExists:
            target = recheck() if recheck is not None else None
            if target is None:
                raise
            continues, created = target.dir, False
    if continues is not None:
        continue_run(root, continues, meta, owner_kind)
        path = continues
    try:
        if not created:
            earlier = documents.read_yaml(path / CONFIG_YAML, {}) or {}
            config = {**(earlier if isinstance(earlier, dict) else {}), **config}
        write_config(path, config, empty_config_file)
    except OSError as e:
        if config_failed is None:
            raise
        config_failed(e)
    return path


def continue_run(root: Path, path: Path, meta: Dict[str, Any], owner_kind: str) -> None:
    """run.json of a run that starts another life: what its earlier lives recorded stays, this
    life's fields replace theirs, and the run is `running` again under this owner."""
    def resume(doc: dict) -> None:
        doc.setdefault("first_start_time", doc.get("start_time"))
        for key in END_FIELDS:
            doc[key] = None
        for key in LAST_LIFE_ONLY:
            doc.pop(key, None)
        doc.update(machine_facts())
        doc.update(meta)
        doc.update(status="running", start_time=time.time(), resumed=True,
                   resume_count=int(doc.get("resume_count") or 0) + 1,
                   owner=dict(owner_identity(), kind=owner_kind))

    documents.update_json(path / RUN_JSON, resume)
    (path / STREAMS_DIR).mkdir(exist_ok=True)
    point_latest(root, path)


def join_job(root: Path, project: str, run_id: str, meta: Dict[str, Any], part: str,
             record: Dict[str, Any], config: Dict[str, Any]) -> Joined:
    """Create a launcher job's run as its first part (run.json from `meta`, which holds the
    `job` mapping; config.yaml from `config`), or join it as part `part` (`record`: the part's
    record). The first task's name and config are the run's: a later task's config keys that
    differ go to its own part record."""
    joined = create_or_join(root, project, run_id, meta, part, record,
                            prepare=lambda folder: write_config(folder, config, True))
    if not joined.created:
        first = documents.read_yaml(joined.dir / CONFIG_YAML, {}) or {}
        differing = {k: v for k, v in config.items()
                     if not isinstance(first, dict) or first.get(k) != v}
        if differing:
            merge_part_config(joined.dir, part, differing, [])
    return joined


def merge_part_config(run_path: Path, part: str, changed: Dict[str, Any],
                      removed: List[str]) -> None:
    """A job task's config keys that differ from the run's config.yaml, merged into its part
    record (config.yaml stays the first task's). OSError reaches the caller."""
    def mutate(doc: dict) -> None:
        mine = doc.setdefault("config", {})
        mine.update(changed)
        for key in removed:
            mine.pop(key, None)

    documents.update_json(part_record(run_path, part), mutate)


def write_config(run_path: Path, items: Dict[str, Any], empty_file: bool = False) -> None:
    """config.yaml from `items`. Without items nothing is written (readers take a missing file
    as empty, and yaml is not imported) unless `empty_file`: then the empty YAML mapping."""
    if items:
        documents.write_yaml(run_path / CONFIG_YAML, items)
    elif empty_file:
        documents.write_bytes_atomic(run_path / CONFIG_YAML, b"{}\n")
