"""`runwrap show RUN`: metadata, config, summary by source, paths."""
from __future__ import annotations

import json
import shlex
from typing import Any, Dict, List, Optional

import click

from runwrap.cli.selection import complete_project, complete_run, dir_option


SPARK_WIDTH = 20


def describe(run: Any) -> Dict[str, Any]:
    """Everything show prints, as plain data (also the --json form)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store import documents
    from runwrap.store.layout import CONFIG_YAML, OUTPUT_LOG
    from runwrap.store.media import media_index
    from runwrap.store.secrets import mask_argv
    from runwrap.store.summary import flat, load_summary

    status = run.status
    metrics = load_summary(run.dir, live=status == "running" or not (run.dir / "summary.json").exists())
    meta = dict(run.meta)
    meta["status"] = status
    if isinstance(meta.get("command"), list):  # again: an older runwrap stored it unmasked
        meta["command"] = mask_argv(meta["command"])
    sync = meta.get("sync") if isinstance(meta.get("sync"), dict) else {}
    return {
        "run": meta,
        "config": documents.read_yaml(run.dir / CONFIG_YAML, {}) or {},
        "summary": flat(metrics, meta.get("metrics")),
        "metrics": metrics,
        "paths": {"dir": str(run.dir), "output_log": str(run.dir / OUTPUT_LOG),
                  "streams": str(run.dir / "streams")},
        "mlflow_url": sync.get("url"),
        "media": {key: entry.as_dict() for key, entry in media_index(run.dir).items()},
    }


@click.command()
@click.argument("run_ref", metavar="RUN", default="latest", shell_complete=complete_run)
@click.option("--project", help="Look for RUN in this project only.",
              shell_complete=complete_project)
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def show(run_ref: str, project: Optional[str], as_json: bool, store_dir: Optional[str]) -> None:
    """Show a run: RUN is an id, a unique id prefix, a name, or `latest` (default)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_duration, human_time
    from runwrap.store.layout import store_root
    from runwrap.store.runs import find_run
    from runwrap.store.values import flatten_dotted, to_json_safe

    run = find_run(store_root(store_dir), run_ref, project)
    info = describe(run)
    if as_json:
        click.echo(json.dumps(to_json_safe(info), indent=2, default=str))
        return
    meta = info["run"]
    git = meta.get("git") or {}
    lines = [
        f"run       {meta.get('project')}/{run.id}  {meta.get('name', '')}",
        f"status    {meta['status']}" + (f"  exit {meta['exit_code']}"
                                         if meta.get("exit_code") is not None else "")
        + (f"  signal {meta['signal']}" if meta.get("signal") else "")
        + (f"  ({meta['error']})" if meta.get("error") else "")
        + (f"  (by {meta['stopped'].get('by')}: {meta['stopped'].get('reason')})"
           if isinstance(meta.get("stopped"), dict) else ""),
        f"started   {human_time(meta.get('start_time'))}  duration "
        f"{human_duration(meta.get('duration')) or '-'}",
        f"command   {shlex.join(str(w) for w in meta.get('command') or [])}",
        f"cwd       {meta.get('cwd', '')}",
        f"host      {meta.get('user', '')}@{meta.get('host', '')}  python {meta.get('python', '')}",
    ]
    for key in ("group", "job_type", "notes"):
        if meta.get(key):
            lines.append(f"{key:<9} {meta[key]}")
    if meta.get("tags"):
        lines.append(f"tags      {', '.join(meta['tags'])}")
    if git:
        dirty = " (dirty, see diff.patch)" if git.get("dirty") else ""
        lines.append(f"git       {git.get('commit') or '-'} on {git.get('branch') or '-'}{dirty}")
    if info["mlflow_url"]:
        lines.append(f"mlflow    {info['mlflow_url']}")
    lines.append(f"dir       {info['paths']['dir']}")
    config = flatten_dotted(info["config"]) if isinstance(info["config"], dict) else {}
    if config:
        lines.append("")
        lines.append("config")
        width = max(len(k) for k in config)
        lines.extend(f"  {k:<{width}}  {v}" for k, v in config.items())
    lines.extend(_part_lines(meta.get("parts")))
    lines.extend(_metric_lines(info["metrics"], run.dir, _wandb_labels(meta.get("wandb_runs"))))
    # start-up: the layer below loads only when this command runs
    from runwrap.store.summary import SUMMARY_KINDS

    # wandb's nested shape ({"max": 0.9}); a dict set as a summary value or logged nested
    # (`run.summary["stats"] = {"n": 3}`, wandb's own summary of `log({"a": {"b": 1}})`) is
    # a value, shown with the metrics above.
    defined = {k: v for k, v in info["summary"].items()
               if isinstance(v, dict) and v and all(kind in SUMMARY_KINDS for kind in v)}
    if defined:  # define_metric(summary=...): wandb's nested shape
        lines.append("")
        lines.append("summary (define_metric)")
        width = max(len(k) for k in defined)
        lines.extend(f"  {k:<{width}}  " + "  ".join(f"{kind}={v}" for kind, v in d.items())
                     for k, d in sorted(defined.items()))
    lines.extend(_media_lines(info["media"]))
    lines.extend(_artifact_lines(meta.get("artifacts") or {}))
    click.echo("\n".join(lines))


def _artifact_lines(artifacts: Dict[str, List[Dict[str, Any]]]) -> list:
    """The artifact versions the run logged, used and linked to a registry collection
    (`runwrap artifacts show` for more)."""
    out = []
    for kind in ("logged", "used", "linked"):
        names = [f"{a.get('project')}/{a.get('name')}:{a.get('version')}"
                 + (f" -> {a.get('target')}" if kind == "linked" else "")
                 for a in artifacts.get(kind) or []]
        if names:
            out.append(f"{'artifacts ' + kind:<18} {', '.join(dict.fromkeys(names))}")
    return [""] + out if out else []


def _part_lines(parts: Any) -> list:
    """A launcher job's tasks, one row each (their records under parts/)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_duration, render_table

    if not isinstance(parts, list) or not parts:
        return []
    rows = []
    for p in parts:
        exit_code = p.get("exit_code")
        rows.append([p.get("part"), p.get("host") or "", "" if p.get("rank") is None else p["rank"],
                     p.get("status"), "-" if exit_code is None else exit_code,
                     p.get("signal") or "", human_duration(p.get("duration")) or "-",
                     (p.get("owner") or {}).get("pid") or ""])
    body = render_table(["part", "host", "rank", "status", "exit", "signal", "duration", "pid"],
                        rows)
    return ["", f"parts ({len(parts)}: output.<part>.log, streams/<source>.<part>.jsonl)"] + [
        "  " + line for line in body.splitlines()]


def _media_lines(media: Dict[str, Dict[str, Any]]) -> list:
    """Images, tables, histograms, charts...: one row per key, with its last file."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import render_table, terminal_width

    if not media:
        return []
    rows = []
    for key, entry in media.items():
        last = entry["last"]
        where = last.get("path") or (last.get("filenames") or [""])[0]
        size = (f"{last['nrows']}x{last['ncols']}" if "nrows" in last else
                f"{last['width']}x{last['height']}" if last.get("width") else "")
        kind = f"plot {last['kind']}" if last.get("_type") == "plot" else entry["type"]
        rows.append([key, kind, entry["count"], entry["last_step"],
                     size, where])
    body = render_table(["key", "type", "count", "step", "size", "last file"], rows,
                        width=terminal_width() - 2, middle_cut=(5,))
    return ["", "media (files under the run directory)"] + ["  " + l for l in body.splitlines()]


def common_folder(names: List[str]) -> str:
    """The leading folders (`a/b/`) every name shares, when there are several names; shown once
    above the table so that the column keeps what tells the names apart."""
    if len(names) < 2:
        return ""
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:first.rfind("/", 0, size) + 1]


def _wandb_labels(runs: Any) -> Dict[str, str]:
    """Which wandb run each wandb source holds (run.json `wandb_runs`): its id and name, and
    for a run after the program's first, its own config (config above is the first one's)."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.values import flatten_dotted

    labels: Dict[str, str] = {}
    if not isinstance(runs, dict):
        return labels
    for run_id, info in runs.items():
        if not isinstance(info, dict) or not str(info.get("stream", "")).endswith(".jsonl"):
            continue
        label = f"wandb run {run_id}" + (f" {info['name']!r}" if info.get("name") else "")
        config = info.get("config")
        if isinstance(config, dict) and config:
            label += "; config " + ", ".join(f"{k}={v}" for k, v in
                                             flatten_dotted(config).items())
        labels[info["stream"][:-len(".jsonl")]] = label
    return labels


def _metric_lines(metrics: Dict[str, Dict[str, Dict[str, Any]]], run_dir: Any,
                  labels: Dict[str, str]) -> list:
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.charts import sparkline
    from runwrap.cli.table import render_table, terminal_width
    from runwrap.store.media import is_reference
    from runwrap.store.readback import metric_sketches

    sketches = metric_sketches(run_dir, buckets=SPARK_WIDTH)
    # The wandb runs' sources together, in the order the program started them (stream names
    # sort `wandb-<id>` before `wandb`, and ids are random).
    position = {source: float(i) for i, source in enumerate(metrics)}
    first = min((position[s] for s in labels if s in position), default=0.0)
    position.update((s, first + i / (len(labels) + 1)) for i, s in enumerate(labels))
    out = []
    for source, table in sorted(metrics.items(), key=lambda item: position[item[0]]):
        if not table:
            continue
        # Media keys (their last value is a file reference) are listed in their own section.
        keys = sorted(k for k, e in table.items() if not is_reference(e.get("last")))
        if not keys:
            continue
        shared = common_folder(keys)
        out.append("")
        notes = [labels[source]] if source in labels else []
        notes += [f"names under {shared}"] if shared else []
        out.append(f"metrics from {source}" + (f" ({'; '.join(notes)})" if notes else ""))
        rows = []
        for key in keys:
            e = table[key]
            values = sketches.get(source, {}).get(key) or []
            rows.append([key[len(shared):], e.get("last"), e.get("min"), e.get("max"),
                         e.get("mean"), e.get("count"), e.get("step"),
                         sparkline(values, SPARK_WIDTH)])
        body = render_table(["metric", "last", "min", "max", "mean", "count", "step", "trend"],
                            rows, width=terminal_width() - 2, middle_cut=(0,))
        out.extend("  " + line for line in body.splitlines())
    return out
