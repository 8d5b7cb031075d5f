"""Random bytes as metrics files: the reader never raises, and what it records is numbers."""
from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwrap.collectors.base import CollectorContext
from runwrap.collectors.metricfiles.collector import MetricsFiles
from runwrap.collectors.metricfiles.formats import parse_json_line
from runwrap.store.streams import read_records, stream_path

PIECES = st.sampled_from([b"{", b"}", b'"a"', b'"step"', b":", b",", b"\n", b"\r\n", b"1", b"-2.5",
                          b"1e999", b"NaN", b"true", b"null", b"[", b"]", b'"', b"x", b"\xff",
                          b"\x00", b"\t", b"step,loss\n", b"\xef\xbb\xbf", b"9" * 5000])
CONTENT = st.one_of(st.binary(max_size=2000), st.lists(PIECES, max_size=80).map(b"".join))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=500))
def test_json_line_parser_never_raises(line):
    found = parse_json_line(line)
    if found is not None:
        metrics, step = found
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool)
                   for v in metrics.values())
        assert step is None or type(step) is int


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(jsonl=CONTENT, csv=CONTENT, other=CONTENT, more=CONTENT)
def test_random_file_contents_never_raise_and_records_hold_numbers(tmp_path_factory, jsonl, csv,
                                                                   other, more):
    root: Path = tmp_path_factory.mktemp("fuzz")
    work = root / "work"
    work.mkdir()
    ctx = CollectorContext(run_dir=root / "run", store_root=root / "store",
                           start_time=time.time() - 1, cwd=work)
    (work / "a.jsonl").write_bytes(jsonl)
    (work / "b.csv").write_bytes(csv)
    (work / "c.dat").write_bytes(other)
    collector = MetricsFiles(ctx, ["a.jsonl", "b.csv", "*.dat"])
    collector._poll(first=True)  # one synchronous read instead of the thread: fast examples
    with open(work / "a.jsonl", "ab") as f:  # growth after a first read, torn lines included
        f.write(more)
    (work / "b.csv").write_bytes(more[: len(more) // 2])  # shrinks: truncation
    collector.stop()
    assert "error" not in collector.problems()
    for record in read_records(stream_path(root / "run", "files")):
        assert isinstance(record["_file"], str)
        for key, value in record.items():
            if key not in ("_file",):
                assert isinstance(value, (int, float, str))  # str: NaN/Infinity as stored
