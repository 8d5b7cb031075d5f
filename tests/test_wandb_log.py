"""wandb's transaction log read by runwrap: framing and records checked against a real log that
real wandb wrote and against wandb's own protobuf definitions; damage, torn tails, unknown
record types and unknown format versions."""
from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest

from runwrap.collectors.wandb import decoding
from runwrap.collectors.wandb.framing import BLOCK, FIRST, LAST, MIDDLE, LogReader, encode_log
from runwrap.collectors.wandb.reader import LogFile, WandbRecorder
from runwrap.store.streams import read_records
from runwrap.store.values import decode_value
from wandb_support import log_files, run_offline, wandb_config, wandb_history, wandb_messages

wandb = pytest.importorskip("wandb")
from wandb.proto import wandb_internal_pb2 as pb  # noqa: E402

ROWS = 600

PROGRAM = f"""
import math, wandb
run = wandb.init(project="logtest", config={{"lr": 0.01, "arch": {{"depth": 3}},
                 "notes": "x" * 70000}})
for i in range({ROWS}):
    wandb.log({{"loss": 1.0 / (i + 1), "acc/train": i / {ROWS}, "epoch": i // 100,
               "weird": float("nan") if i == 5 else i * 1.5}})
wandb.log({{"late": 7}}, step={ROWS + 10})
run.config.update({{"batch_size": 32}})
run.summary["best"] = 0.5
run.finish()
"""


@pytest.fixture(scope="module")
def real_log(tmp_path_factory) -> Path:
    """One log real wandb wrote: many rows (dozens of blocks) and a config record bigger than
    a block (so FIRST/MIDDLE/LAST fragments)."""
    folder = run_offline(tmp_path_factory.mktemp("wandblog"), PROGRAM)
    [log] = log_files(folder)
    return log


def test_runwraps_field_numbers_are_the_installed_wandbs():
    oneof = pb.Record.DESCRIPTOR.oneofs_by_name["record_type"]
    assert {f.number: f.name for f in oneof.fields} == decoding.RECORD_TYPES
    numbers = lambda m: {f.name: f.number for f in m.DESCRIPTOR.fields}  # noqa: E731
    assert {k: numbers(pb.HistoryItem)[k] for k in ("key", "nested_key", "none", "boolean",
            "integer", "number", "text", "json", "value_json")} == {
        "key": 1, "nested_key": 2, "none": 3, "boolean": 4, "integer": 5, "number": 6,
        "text": 7, "json": 8, "value_json": 16}
    assert numbers(pb.HistoryRecord)["item"] == 1 and numbers(pb.HistoryRecord)["step"] == 2
    for m in (pb.SummaryRecord, pb.ConfigRecord):
        assert numbers(m)["update"] == 1 and numbers(m)["remove"] == 2
    for m in (pb.SummaryItem, pb.ConfigItem):
        assert (numbers(m)["key"], numbers(m)["nested_key"], numbers(m)["value_json"]) == (1, 2, 16)
    run = numbers(pb.RunRecord)
    assert [run[k] for k in ("run_id", "entity", "project", "config", "summary", "run_group",
                             "job_type", "display_name", "notes", "tags", "host",
                             "starting_step", "start_time", "resumed")] == \
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 17, 18]
    assert (numbers(pb.RunExitRecord)["exit_code"], numbers(pb.RunExitRecord)["runtime"]) == (1, 2)
    assert numbers(pb.HeaderRecord)["version_info"] == 1
    assert numbers(pb.VersionInfo) == {"producer": 1, "min_consumer": 2} | {
        k: v for k, v in numbers(pb.VersionInfo).items() if k == "_info"}


def test_framing_reencodes_a_real_log_to_the_same_bytes(real_log):
    data = real_log.read_bytes()
    messages = list(LogReader(real_log).read())
    assert messages == wandb_messages(real_log)
    assert encode_log(messages) == data
    assert len(data) > 8 * BLOCK
    kinds = set()
    pos = 7
    while pos + 7 <= len(data):  # the real file does use split messages
        if BLOCK - pos % BLOCK < 7:
            pos += BLOCK - pos % BLOCK
            continue
        _, length, kind = struct.unpack_from("<IHB", data, pos)
        kinds.add(kind)
        pos += 7 + length
    assert {FIRST, MIDDLE, LAST} <= kinds


def test_every_message_decodes_as_wandbs_parser_reads_it(real_log):
    history = []
    for message in LogReader(real_log).read():
        record = pb.Record()
        record.ParseFromString(message)
        item = decoding.decode(message)
        kind = record.WhichOneof("record_type")
        if kind == "history":
            assert item.step == record.history.step.num
            history.append(item.values)
        elif kind == "run":
            assert (item.run_id, item.project) == (record.run.run_id, record.run.project)
            assert item.start_time == pytest.approx(
                record.run.start_time.seconds + record.run.start_time.nanos / 1e9, abs=1e-6)
        elif kind == "exit":
            assert item.exit_code == record.exit.exit_code
        elif kind in ("config", "summary"):
            assert item.kind == kind
            assert list(item.update) == [
                tuple(i.nested_key) or (i.key,) for i in getattr(record, kind).update]
        elif kind == "header":
            assert item.producer == record.header.version_info.producer
        else:
            assert item is None, kind
    expected = wandb_history(real_log)
    assert len(history) == len(expected) == ROWS + 1
    for mine, theirs in zip(history, expected):
        assert json.dumps(mine, sort_keys=True) == json.dumps(theirs, sort_keys=True)


def record_into(tmp_path: Path, log: Path, final: bool = True):
    run_dir = tmp_path / "run"
    run_dir.mkdir(exist_ok=True)
    counts: dict = {}
    recorder = WandbRecorder(run_dir, 0.0, lambda k, n=1: counts.__setitem__(k, counts.get(k, 0) + n))
    recorder.read(LogFile(str(log)), final=final)
    recorder.close()
    path = run_dir / "streams" / "wandb.jsonl"
    rows = list(read_records(path)) if path.exists() else []
    return rows, counts, run_dir


def test_rows_config_and_summary_are_what_wandb_logged(tmp_path, real_log):
    rows, counts, run_dir = record_into(tmp_path, real_log)
    expected = wandb_history(real_log)
    assert [r["_step"] for r in rows] == [e["_step"] for e in expected]
    assert [r["_time"] for r in rows] == [e["_timestamp"] for e in expected]
    for row, theirs in zip(rows, expected):
        mine = {k: decode_value(v) for k, v in row.items() if not k.startswith("_")}
        assert json.dumps(mine, sort_keys=True) == json.dumps(
            {k: v for k, v in theirs.items() if not k.startswith("_")}, sort_keys=True)
    assert rows[-1]["_step"] == ROWS + 10 and rows[-1]["late"] == 7
    import yaml

    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    theirs = wandb_config(real_log)
    assert config["lr"] == theirs["lr"] == 0.01
    assert config["arch"] == theirs["arch"] == {"depth": 3}
    assert config["batch_size"] == 32 and len(config["notes"]) == 70000
    # wandb's summary of the last logged values is the stream's statistics already: only what
    # the program set itself is an explicit summary.
    assert json.loads((run_dir / "summary-user.json").read_text()) == {"best": 0.5}
    assert counts == {}


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


def test_flipped_bytes_lose_only_the_damaged_records(tmp_path, real_log):
    data = real_log.read_bytes()
    expected = wandb_history(real_log)
    damaged = flip(flip(data, 3 * BLOCK + 100), 7 * BLOCK + 5000)
    log = tmp_path / "run-damaged.wandb"
    log.write_bytes(damaged)
    rows, counts, _ = record_into(tmp_path, log)
    steps = [r["_step"] for r in rows]
    assert counts.get("crc", 0) >= 2
    assert len(expected) - 6 <= len(rows) < len(expected)  # a few rows lost, no more
    assert steps == sorted(steps) and steps[-1] == ROWS + 10  # read on to the end


def test_bytes_cut_out_of_a_block_resume_at_the_next_valid_record(tmp_path, real_log):
    data = real_log.read_bytes()
    cut = data[:2 * BLOCK + 300] + data[2 * BLOCK + 1300:]  # the grid is shifted after this
    log = tmp_path / "run-cut.wandb"
    log.write_bytes(cut)
    rows, counts, _ = record_into(tmp_path, log)
    expected = wandb_history(real_log)
    assert counts.get("crc", 0) >= 1
    assert len(rows) >= len(expected) - 15
    assert rows[-1]["_step"] == ROWS + 10


def test_a_log_cut_off_mid_message_is_read_up_to_the_cut(tmp_path, real_log):
    data = real_log.read_bytes()
    expected = wandb_history(real_log)
    log = tmp_path / "run-torn.wandb"
    log.write_bytes(data[:5 * BLOCK + 1234])
    # While the writer may still be there: the torn tail is just not read yet.
    rows, counts, _ = record_into(tmp_path, log, final=False)
    assert 0 < len(rows) < len(expected) and counts == {}
    assert [r["_step"] for r in rows] == [e["_step"] for e in expected[:len(rows)]]


def test_a_growing_log_is_read_as_it_grows_byte_by_byte_chunks(tmp_path, real_log):
    data = real_log.read_bytes()
    log = tmp_path / "run-grow.wandb"
    reader = LogReader(log)
    got = []
    with open(log, "wb") as f:
        for start in range(0, len(data), 4093):  # odd chunks: records and headers cut anywhere
            f.write(data[start:start + 4093])
            f.flush()
            got.extend(reader.read())
    assert got == list(LogReader(real_log).read()) and reader.corrupt == 0


def test_unknown_record_types_are_counted_not_fatal(tmp_path, real_log):
    messages = list(LogReader(real_log).read())
    newer = b"\x08\x63" + b"\xba\x06\x03abc"  # num 99, then field 103 (not a record type today)
    log = tmp_path / "run-newer.wandb"
    log.write_bytes(encode_log(messages[:20] + [newer, newer] + messages[20:]))
    rows, counts, _ = record_into(tmp_path, log)
    assert counts == {"unknown_record:103": 2}
    assert len(rows) == ROWS + 1


def test_an_unknown_format_version_is_one_notice_naming_it(tmp_path, real_log, capfd):
    from runwrap.notices import warn_once

    warn_once.forget("wandb-version")
    messages = list(LogReader(real_log).read())
    log = tmp_path / "run-v9.wandb"
    log.write_bytes(encode_log(messages, version=9))
    rows, counts, _ = record_into(tmp_path, log)
    assert rows == [] and counts == {"unreadable_log": 1}
    err = capfd.readouterr().err
    assert err.count("runwrap: warning:") == 1
    assert "format version 9" in err and f"wandb {wandb.__version__}" in err


def test_a_record_with_a_bad_checksum_in_the_header_block_is_skipped(tmp_path):
    good = pb.Record(history=pb.HistoryRecord(item=[pb.HistoryItem(key="_step", value_json="0"),
                                                    pb.HistoryItem(key="a", value_json="1")]))
    data = bytearray(encode_log([good.SerializeToString()] * 3))
    first = 7  # the first record's checksum
    data[first:first + 4] = struct.pack("<I", zlib.crc32(b"nonsense"))
    log = tmp_path / "run-bad.wandb"
    log.write_bytes(bytes(data))
    rows, counts, _ = record_into(tmp_path, log)
    assert len(rows) == 2 and counts == {"crc": 1}
    assert os.path.getsize(log) == len(data)  # never "repaired"


def test_the_collector_follows_a_growing_damaged_log_live(tmp_path, real_log):
    import time

    from runwrap.collectors.base import CollectorContext
    from runwrap.collectors.wandb.collector import WandbCollector
    from wrapper_harness import wait_for

    run_dir = tmp_path / "store" / "p" / "r"
    (run_dir / "streams").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    ctx = CollectorContext(run_dir=run_dir, start_time=time.time() - 1, cwd=work,
                           store_root=tmp_path / "store")
    collector = WandbCollector(ctx, [str(run_dir), str(work)])
    collector.start()
    stream = run_dir / "streams" / "wandb.jsonl"

    def rows() -> list:
        return list(read_records(stream)) if stream.exists() else []

    data = flip(real_log.read_bytes(), 2 * BLOCK + 100)
    folder = run_dir / "wandb" / "offline-run-20260101_000000-abc"
    folder.mkdir(parents=True)
    try:
        with open(folder / "run-abc.wandb", "wb") as f:
            cut = 4 * BLOCK + 17  # mid-record: the rest is "still being written"
            f.write(data[:cut])
            f.flush()
            assert wait_for(lambda: len(rows()) >= 100, timeout=30), len(rows())
            f.write(data[cut:])
    finally:
        collector.stop()
    expected = wandb_history(real_log)
    steps = [r["_step"] for r in rows()]
    assert len(expected) - 4 <= len(steps) <= len(expected)  # the flip may hit a summary
    assert steps == sorted(steps) and steps[-1] == ROWS + 10
    assert collector.problems().get("crc", 0) >= 1
