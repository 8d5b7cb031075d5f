"""`runwrap export RUN`: a run's full history as CSV, JSON Lines or TensorBoard event files."""
from __future__ import annotations

import contextlib
import csv
import json
import sys
from pathlib import Path
from typing import IO, Any, Iterator, List, Optional, Tuple

import click

from runwrap.cli.selection import dir_option, project_option, runs_argument

SOURCES = ("stdout", "tensorboard", "sdk", "system", "files")


@contextlib.contextmanager
def _output(path: Optional[str]) -> Iterator[IO[str]]:
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        f = open(path, "w", newline="", encoding="utf-8")
    except OSError as e:
        # start-up: the layer below loads only when this command runs
        from runwrap.errors import UsageError

        raise UsageError(f"cannot write -o {path}: {e.strerror}; choose a writable file") from None
    with f:
        yield f


_STRUCTURES = (dict, list)


def _structure(value: Any) -> str:
    # start-up: the layer below loads only when this command runs
    from runwrap.store.values import to_json_safe

    return json.dumps(to_json_safe(value))


def export_csv_long(run_dir: Path, sources: Optional[List[str]], out: IO[str]) -> None:
    # start-up: the layer below loads only when this command runs
    from runwrap.store.readback import LONG_HEADERS, long_rows

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LONG_HEADERS)
    write = writer.writerow
    for source, step, t, runtime, metric, value in long_rows(run_dir, sources):
        if value.__class__ in _STRUCTURES:
            value = _structure(value)
        write((source, step, t, runtime, metric, value))  # None is written as an empty cell


def export_csv_wide(run_dir: Path, sources: Optional[List[str]], out: IO[str]) -> None:
    # start-up: the layer below loads only when this command runs
    from runwrap.store.readback import RESERVED, wide_columns, wide_rows

    columns = wide_columns(run_dir, sources)
    keys = list(RESERVED) + [c.label for c in columns]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    write = writer.writerow
    for row in wide_rows(run_dir, columns, sources):
        values = [row.get(k) for k in keys]
        for i, v in enumerate(values):
            if v.__class__ in _STRUCTURES:
                values[i] = _structure(v)
        write(values)


def export_jsonl(run_dir: Path, sources: Optional[List[str]], wide: bool, out: IO[str]) -> None:
    # start-up: the layer below loads only when this command runs
    from runwrap.store.readback import LONG_HEADERS, long_rows, wide_columns, wide_rows
    from runwrap.store.values import to_json_safe

    dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False,
                             default=str).encode
    if wide:
        rows: Iterator[Any] = wide_rows(run_dir, wide_columns(run_dir, sources), sources)
    else:
        rows = (dict(zip(LONG_HEADERS, r)) for r in long_rows(run_dir, sources))
    for row in rows:
        try:
            line = dumps(row)
        except ValueError:  # NaN/Inf: stored as strings, like the streams
            line = dumps(to_json_safe(row))
        out.write(line + "\n")


def export_tensorboard(run_dir: Path, sources: Optional[List[str]], logdir: str) -> int:
    """Every numeric value as a TensorBoard scalar (tag = metric, or source/metric when two
    sources share a name: TensorBoard shows `/` as a section); records without a step use their
    position in the stream."""
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.store.readback import files_by_source, wide_columns
    from runwrap.store.streams import StreamReader
    from runwrap.store.values import decode_value

    try:
        from tensorboardX import SummaryWriter  # optional extra (tensorboard)
    except ImportError:
        raise UsageError("--format tensorboard needs tensorboardX: pip install 'runwrap[tensorboard]'") from None
    labels = {(c.source, c.metric): c.metric if c.label == c.metric else f"{c.source}/{c.metric}"
              for c in wide_columns(run_dir, sources)}
    count = 0
    writer = SummaryWriter(logdir=logdir)
    try:
        for source, paths in files_by_source(run_dir, sources).items():
            for path in paths:
                for index, record in enumerate(StreamReader(path).read()):
                    step = record.get("_step")
                    step = step if isinstance(step, int) else index
                    walltime = record.get("_time")
                    for key, raw in record.items():
                        value = decode_value(raw)
                        if key.startswith("_") or isinstance(value, bool) or \
                                not isinstance(value, (int, float)):
                            continue
                        writer.add_scalar(labels[(source, key)], value, global_step=step,
                                          walltime=walltime if isinstance(walltime, (int, float)) else None)
                        count += 1
    finally:
        writer.close()
    return count


def _table_cell(value: Any, is_reference: Any) -> Any:
    """A table cell for CSV: a media cell as its file's path, other structures as JSON."""
    if is_reference(value) and isinstance(value.get("path"), str):
        return value["path"]
    return _structure(value) if value.__class__ in _STRUCTURES else value


def export_tables(run_dir: Path, directory: str) -> List[str]:
    """Every table the run logged (tables and the tables of charts), as CSV files
    `<directory>/<key>_<step>.csv`; cells holding lists, dicts or media references are written
    as JSON. Returns the files written."""
    # start-up: the layer below loads only when this command runs
    from runwrap.errors import UsageError
    from runwrap.store.media import (check_key, is_reference, key_path, read_media_json, references,
                                     table_of)
    from runwrap.store.streams import StreamReader, stream_files

    root = Path(directory)
    written: List[str] = []
    for path in stream_files(run_dir):
        for record in StreamReader(path).read():
            for key, reference in references(record):
                table = table_of(reference)
                doc = read_media_json(run_dir, table) if table else None
                if not isinstance(doc, dict):
                    continue
                target = root / f"{key_path(check_key(key))}_{record.get('_step')}.csv"
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "w", newline="", encoding="utf-8") as out:
                        writer = csv.writer(out, lineterminator="\n")
                        writer.writerow(doc.get("columns") or [])
                        for row in doc.get("data") or []:
                            writer.writerow([_table_cell(v, is_reference) for v in row])
                except OSError as e:
                    raise UsageError(f"cannot write {target}: {e.strerror}; choose a writable "
                                     f"-o directory") from None
                written.append(str(target))
    return written


@click.command()
@runs_argument("run_ref", nargs=1)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "tensorboard"]), default="csv",
              show_default=True, help="Output format; tensorboard writes event files into -o DIR.")
@click.option("--wide/--long", default=True, show_default=True,
              help="Wide: one row per step, a column per metric. Long: one row per value.")
@click.option("--source", "sources", multiple=True, type=click.Choice(SOURCES),
              help="Only values from this source; repeatable. Default: all.")
@click.option("--part", "parts", multiple=True, metavar="PART",
              help="A cluster job's run: only this part (its rank, as in `show`) and the "
                   "system metrics of its host; repeatable.")
@click.option("--output", "-o", metavar="FILE", help="Write here instead of stdout (a directory "
              "for --format tensorboard and --tables).")
@click.option("--tables", is_flag=True, help="Write every logged table (runwrap.Table, "
              "runwrap.plot charts) as CSV files <key>_<step>.csv into -o DIR instead.")
@project_option
@dir_option
def export(run_ref: str, fmt: str, wide: bool, sources: Tuple[str, ...], parts: Tuple[str, ...],
           output: Optional[str], tables: bool, project: Optional[str],
           store_dir: Optional[str]) -> None:
    """Export a run's full history (every value of every metric). Streams: memory stays flat
    however long the run."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.selection import part_streams, resolve_runs
    from runwrap.errors import UsageError
    from runwrap.store.readback import files_by_source

    run = resolve_runs(store_dir, [run_ref], project)[0]
    if tables:
        if not output or output == "-":
            raise UsageError("--tables needs -o DIR (the directory for the CSV files)")
        written = export_tables(run.dir, output)
        click.echo(f"wrote {len(written)} tables of run {run.id} to {output}", err=True)
        return
    chosen = list(sources) or None
    if chosen:
        present = files_by_source(run.dir)
        missing = [s for s in chosen if s not in present]
        if missing:
            raise UsageError(f"run {run.id} has no {', '.join(missing)} stream; it has: "
                             f"{', '.join(present) or 'none'}")
    wanted_parts = part_streams(run, parts)
    if wanted_parts is not None:
        # One part's streams by their labels (`stdout.3`), which readback takes as sources.
        # start-up: the layer below loads only when this command runs
        from runwrap.store.streams import part_of, source_of, stream_files

        chosen = [p.name[:-len(".jsonl")] for p in stream_files(run.dir)
                  if part_of(p) in wanted_parts and (not sources or source_of(p) in sources)]
        if not chosen:
            raise UsageError(f"part {', '.join(parts)} of run {run.id} has no streams"
                             + (f" from {', '.join(sources)}" if sources else ""))
    if fmt == "tensorboard":
        if not output:
            raise UsageError("--format tensorboard needs -o DIR (the directory for the event files)")
        n = export_tensorboard(run.dir, chosen, output)
        click.echo(f"wrote {n} scalars of run {run.id} to {output}", err=True)
        return
    with _output(output) as out:
        if fmt == "jsonl":
            export_jsonl(run.dir, chosen, wide, out)
        elif wide:
            export_csv_wide(run.dir, chosen, out)
        else:
            export_csv_long(run.dir, chosen, out)
