"""How a runwrap run becomes an MLflow run: experiment, tags, params and metric points.

MLflow's rules that shape this module: keys are at most 250 characters of letters, digits and
`_ - . space : /`, and must not change under path normalisation (`a//b`, `./a`, `a/` are
refused); param values at most 6000 characters, tag values 8000; a param, once logged, cannot
change. Every name is made valid here: a unit in parentheses joins the name (`usage (%)` →
`usage_percent`, `used (MiB)` → `used_MiB`), any other invalid character becomes `_`, and a long
key keeps its start and gains a short hash so two long keys stay apart.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from runwrap.store.media import is_reference
from runwrap.store.secrets import mask_argv
from runwrap.store.streams import is_wandb_run_source
from runwrap.store.values import flatten_dotted

MAX_KEY = 250
MAX_PARAM_VALUE = 6000
MAX_TAG_VALUE = 8000
TRUNCATED_MARKER = "...[truncated by runwrap]"
PARAMS_TRUNCATED_TAG = "runwrap.params_truncated"
RUN_ID_TAG = "runwrap.run_id"
# The exactly-once bookkeeping (cursor.py) lives in tags MLflow's UI does not list: it hides
# every tag under "mlflow." from a run's tags. Runs uploaded before kept them under
# LEGACY_CURSOR_TAG_PREFIX, which is still read back.
CURSOR_TAG_PREFIX = "mlflow.runwrap.sync."
LEGACY_CURSOR_TAG_PREFIX = "runwrap.sync."
SYSTEM_PREFIX = "system/"
SYSTEM_SOURCE = "system"
STATUS = {"finished": "FINISHED", "failed": "FAILED", "crashed": "FAILED", "killed": "KILLED",
          "stopped": "KILLED", "running": "RUNNING"}

_BAD_CHARS = re.compile(r"[^\w.\- :/]")
_UNIT = re.compile(r"\s*\(([^()/]*)\)")  # "usage (%)": a unit in parentheses
_SLASHES = re.compile(r"/{2,}")


def clean_key(key: str) -> str:
    """`key` as a valid MLflow metric/param/tag key (stable: the same input, the same output)."""
    fixed = _UNIT.sub(lambda m: "_" + m.group(1).strip(), str(key)).replace("%", "percent")
    fixed = _BAD_CHARS.sub("_", fixed)
    fixed = _SLASHES.sub("/", fixed).strip("/")
    parts = [("_" if p in (".", "..") else p) for p in fixed.split("/")]
    fixed = "/".join(parts) or "_"
    if len(fixed) > MAX_KEY:
        digest = hashlib.sha1(str(key).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        fixed = fixed[:MAX_KEY - 9] + "-" + digest
    return fixed


def cursor_tag(stream_file: str, slot: int, prefix: str = CURSOR_TAG_PREFIX) -> str:
    """The tag in which the server keeps the range of a stream that the last batch using
    `slot` carried (see cursor.py)."""
    return clean_key(f"{prefix}{stream_file}.{slot}")


def cursor_value(tags: Dict[str, str], stream_file: str, slot: int) -> Optional[str]:
    """A stream's range in `slot` as the server's tags hold it (the legacy tag name too)."""
    value = tags.get(cursor_tag(stream_file, slot))
    if value is None:
        value = tags.get(cursor_tag(stream_file, slot, LEGACY_CURSOR_TAG_PREFIX))
    return value


def cut(value: str, limit: int) -> Tuple[str, bool]:
    """`value` cut to `limit` characters with a visible marker; (text, was_cut)."""
    if len(value) <= limit:
        return value, False
    return value[:limit - len(TRUNCATED_MARKER)] + TRUNCATED_MARKER, True


def experiment_name(meta: Dict[str, Any]) -> str:
    """`entity/project`, or `project` when the run has no entity."""
    project = meta.get("project") or "uncategorized"
    entity = meta.get("entity")
    return f"{entity}/{project}" if entity else str(project)


def run_tags(meta: Dict[str, Any], anonymous: str = "allow") -> Dict[str, str]:
    """Tags for the run's identity: name, notes, group, job type, labels, host, git, command.

    A label (wandb's `tags=[...]`) becomes a tag with that key and an empty value; the full list
    is also kept in `runwrap.tags`. `anonymous="must"` leaves out `mlflow.user`."""
    tags: Dict[str, str] = {RUN_ID_TAG: str(meta.get("id") or "")}
    if meta.get("name"):
        tags["mlflow.runName"] = str(meta["name"])
    if meta.get("notes"):
        tags["mlflow.note.content"] = str(meta["notes"])
    for field in ("group", "job_type", "host", "project", "entity"):
        if meta.get(field):
            tags[f"runwrap.{field}"] = str(meta[field])
    labels = [str(t) for t in (meta.get("tags") or [])]
    if labels:
        tags["runwrap.tags"] = ",".join(labels)
        for label in labels:
            tags.setdefault(clean_key(label), "")
    git = meta.get("git") or {}
    if isinstance(git, dict) and git.get("commit"):
        tags["mlflow.source.git.commit"] = str(git["commit"])
        if git.get("branch"):
            tags["mlflow.source.git.branch"] = str(git["branch"])
        if git.get("remote"):
            tags["mlflow.source.git.repoURL"] = str(git["remote"])
    command = meta.get("command")
    if isinstance(command, list) and command:
        command = mask_argv(command)  # again: an older runwrap stored it unmasked
        tags["runwrap.command"] = shlex.join(str(w) for w in command)
        tags["mlflow.source.name"] = str(command[0])
    tags["mlflow.source.type"] = "LOCAL"
    if anonymous != "must" and meta.get("user"):
        tags["mlflow.user"] = str(meta["user"])
    return {clean_key(k): cut(v, MAX_TAG_VALUE)[0] for k, v in tags.items()}


def param_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # NaN inside a list
        return str(value)


def config_params(config: Any) -> Tuple[Dict[str, str], List[str]]:
    """({key: value} params of a config, [keys whose values were cut])."""
    params: Dict[str, str] = {}
    truncated: List[str] = []
    for name, value in flatten_dotted(config or {}).items():
        key = clean_key(name)
        text, was_cut = cut(param_value(value), MAX_PARAM_VALUE)
        params[key] = text
        if was_cut:
            truncated.append(key)
    return params, truncated


def metric_prefix(source: str, part: Optional[str] = None) -> str:
    """System metrics go under system/; a cluster job's, per host: system/<host>/. A further
    wandb run of the program goes under `wandb-<id>/`, apart from the run's own series."""
    if is_wandb_run_source(source):
        return f"{source}/"
    if source != SYSTEM_SOURCE:
        return ""
    return f"{SYSTEM_PREFIX}{part}/" if part else SYSTEM_PREFIX


def metric_value(value: Any) -> Optional[float]:
    """The float a stream value logs as, or None for values that are not numbers."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value)
    return None


# Which source keeps a metric's bare name in MLflow when several log it, for a run whose
# sources are all known when its upload starts (summary.json): the program's explicit logging
# first, the console last.
OWNER_PRIORITY = ("sdk", "wandb", "tensorboard", "files", "stdout")


class KeyOwners:
    """Which source a bare metric name belongs to in one MLflow run, so that sources never
    share a series there (runwrap keeps them in separate streams): the first source to upload
    a name keeps it; the same name from another source goes under `<source>/` (`stdout/loss`).
    `owners` is the run's record in sync.json, so the choice never changes for a run; None
    means a run whose upload began before sources were kept apart: every name stays bare."""

    def __init__(self, owners: Optional[Dict[str, str]]):
        self.owners = owners

    def claim(self, source: str, names: Iterable[str]) -> None:
        """Give `source` the names no source holds yet."""
        if self.owners is not None:
            for name in names:
                self.owners.setdefault(name, source)

    def name(self, source: str, name: str) -> str:
        if self.owners is None:
            return name
        owner = self.owners.setdefault(name, source)
        return name if owner == source else f"{source}/{name}"


class KeyCache:
    """clean_key() with memory: a stream names the same few metrics millions of times."""

    def __init__(self, prefix: str = "", owners: Optional[KeyOwners] = None,
                 source: str = ""):
        self.prefix = prefix
        self.owners = owners if not prefix else None  # system/, wandb-<id>/ are apart already
        self.source = source
        self._keys: Dict[str, str] = {}

    def __call__(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            full = name if (not self.prefix or name.startswith(self.prefix)) else self.prefix + name
            if self.owners is not None:
                full = self.owners.name(self.source, full)
            key = self._keys[name] = clean_key(full)
        return key


def record_points(record: Dict[str, Any], index: int, keys: KeyCache,
                  default_ms: int) -> List[Dict[str, Any]]:
    """The metric points of one stream record, in key order of the record.

    step: the record's `_step`, else its index in the stream (so stepless streams such as
    system samples still plot as a sequence). timestamp: `_time` in ms, else `default_ms`."""
    step = record.get("_step")
    if not isinstance(step, int) or isinstance(step, bool):
        step = index
    t = record.get("_time")
    ms = int(round(t * 1000)) if isinstance(t, (int, float)) and math.isfinite(t) else default_ms
    points = []
    for name, value in record.items():
        if name[:1] == "_":
            continue
        if isinstance(value, dict):
            if is_reference(value):
                continue  # an image, table, ...: uploaded as an MLflow artifact (files.py)
            for sub, inner in flatten_dict(value, name):
                v = metric_value(inner)
                if v is not None:
                    points.append({"key": keys(sub), "value": v, "timestamp": ms, "step": step})
            continue
        v = metric_value(value)
        if v is not None:
            points.append({"key": keys(name), "value": v, "timestamp": ms, "step": step})
    return points


def defined_summary_points(summary: Dict[str, Any], definitions: Optional[Dict[str, Any]],
                           ms: int) -> List[Dict[str, Any]]:
    """define_metric summaries as MLflow metrics `<key>.<kind>` (`acc.max`, wandb's name for
    them in its UI), one point each at the metric's last step, so MLflow's run table can show
    and sort by them."""
    from runwrap.store.summary import flat  # start-up: loaded only on the path that needs it

    points = []
    steps = {key: entry.get("step") for table in summary.values() if isinstance(table, dict)
             for key, entry in table.items() if isinstance(entry, dict)}
    for key, value in flat(summary, definitions).items():
        if not isinstance(value, dict) or value.get("_type"):
            continue  # a plain last value (already a metric) or a media reference
        step = steps.get(key)
        for kind, inner in value.items():
            v = metric_value(inner)
            if v is not None:
                points.append({"key": clean_key(f"{key}.{kind}"), "value": v, "timestamp": ms,
                               "step": step if isinstance(step, int) else 0})
    return points


def flatten_dict(value: Dict[str, Any], prefix: str) -> Iterator[Tuple[str, Any]]:
    for k, v in value.items():
        name = f"{prefix}/{k}"
        if isinstance(v, dict):
            yield from flatten_dict(v, name)
        else:
            yield name, v
