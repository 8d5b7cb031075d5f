"""Random and mutated input into every reader of outside data, and random arguments into
init(): nothing but runwrap's own errors (or a TypeError naming the argument) escapes.

Bounded: each test has a fixed number of examples and no deadline, and stays well under 20 s
on a busy 2-core machine. The unit-level fuzzers of each reader live next to their own tests;
these go through the collectors the wrapper runs (the path a bad file really takes).
"""
from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runwrap
from runwrap.collectors.base import CollectorContext
from runwrap.collectors.metricfiles.collector import MetricsFiles
from runwrap.collectors.console.scalars import default_parser
from runwrap.collectors.console.collector import StdoutScalars
from runwrap.collectors.tensorboard.collector import TensorBoardCollector
from runwrap.collectors.tensorboard.framing import encode_record as tf_record
from runwrap.errors import Error
from runwrap.sdk.run import state
from runwrap.store.streams import read_records, stream_path

from faults_support import figures

FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
TRIED = {"tensorboard": 0, "stdout": 0, "metrics_file": 0, "init": 0}


@pytest.fixture(scope="module", autouse=True)
def fuzz_figures():
    """The examples each fuzz test tried (and what escaped), printed once for the report when
    the module's tests are done; no test reads another's counts."""
    yield
    figures("fuzz", examples=dict(TRIED), escaped=dict(ESCAPED))


def _context(root: Path) -> CollectorContext:
    work = root / "work"
    work.mkdir(parents=True, exist_ok=True)
    return CollectorContext(run_dir=root / "run", store_root=root / "store",
                            start_time=time.time() - 1, cwd=work)


def _numbers_only(path: Path) -> int:
    """Every stored record holds numbers (NaN/Infinity as their strings) under metric keys."""
    n = 0
    for record in read_records(path):
        n += 1
        for key, value in record.items():
            if key in ("_file", "_tag"):
                continue
            assert isinstance(value, (int, float)) or value in ("NaN", "Infinity", "-Infinity"), \
                (key, value)
    return n


# -- TensorBoard event files ---------------------------------------------------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _scalar_event(step: int, tag: str, value: float) -> bytes:
    """An Event{wall_time, step, summary{value{tag, simple_value}}} in protobuf wire format."""
    tag_bytes = tag.encode()
    val = b"\x0a" + _varint(len(tag_bytes)) + tag_bytes + b"\x15" + struct.pack("<f", value)
    summary = b"\x0a" + _varint(len(val)) + val
    return (b"\x09" + struct.pack("<d", 1.7e9 + step) + b"\x10" + _varint(step)
            + b"\x2a" + _varint(len(summary)) + summary)


VALID_EVENTS = b"".join(tf_record(_scalar_event(s, "loss", 1.0 / (s + 1))) for s in range(8))


@settings(max_examples=100, **FUZZ)
@given(blob=st.binary(max_size=1500),
       flips=st.lists(st.tuples(st.integers(0, len(VALID_EVENTS) - 1), st.integers(0, 255)),
                      max_size=6),
       cut=st.integers(0, len(VALID_EVENTS)))
def test_tensorboard_collector_on_random_and_mutated_event_files(tmp_path_factory, blob, flips,
                                                                 cut):
    TRIED["tensorboard"] += 1
    root = tmp_path_factory.mktemp("tb")
    ctx = _context(root)
    logs = ctx.cwd / "logs"
    logs.mkdir()
    mutated = bytearray(VALID_EVENTS)
    for position, byte in flips:
        mutated[position] = byte
    (logs / "events.out.tfevents.1.random").write_bytes(blob)
    (logs / "events.out.tfevents.2.mutated").write_bytes(bytes(mutated[:cut]))
    (logs / "events.out.tfevents.3.valid").write_bytes(VALID_EVENTS)
    collector = TensorBoardCollector(ctx, [str(logs)], discovery=False)
    collector.stop()  # no thread: one synchronous read of everything that is there
    n = _numbers_only(stream_path(ctx.run_dir, "tensorboard"))
    assert n >= 8  # the untouched file is read whole whatever its neighbours hold
    assert not any(k.startswith("write") or k == "error" for k in collector.problems())


# -- stdout scalars ------------------------------------------------------------------------------

@settings(max_examples=150, **FUZZ)
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_stdout_collector_on_random_bytes_as_the_console_decodes_them(tmp_path_factory, chunks):
    TRIED["stdout"] += 1
    root = tmp_path_factory.mktemp("out")
    ctx = _context(root)
    collector = StdoutScalars(ctx, default_parser())
    for i, chunk in enumerate(chunks):
        collector.feed_text("stdout" if i % 2 else "stderr",
                            chunk.decode("utf-8", "replace").replace("\r", "\n"), time.time())
    collector.stop()
    _numbers_only(stream_path(ctx.run_dir, "stdout"))
    assert "error" not in collector.problems()


# -- metrics files -------------------------------------------------------------------------------

JSON_VALUES = st.one_of(st.integers(-10**30, 10**30), st.floats(), st.text(max_size=8),
                        st.booleans(), st.none(), st.lists(st.integers(), max_size=3),
                        st.sampled_from(["NaN", "Infinity", "1e999", "-0"]))
JSON_LINE = st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=6).map(
    lambda d: __import__("json").dumps(d, allow_nan=True))
LINE = st.one_of(JSON_LINE, st.text(max_size=120),
                 st.lists(st.sampled_from(["step", "loss", "1", "2.5", "nan", "", "x", '"', "{"]),
                          max_size=8).map(",".join))


@settings(max_examples=60, **FUZZ)
@given(jsonl=st.lists(LINE, max_size=30), csv=st.lists(LINE, max_size=30))
def test_metrics_file_collector_on_random_lines(tmp_path_factory, jsonl, csv):
    TRIED["metrics_file"] += 1
    root = tmp_path_factory.mktemp("mf")
    ctx = _context(root)
    (ctx.cwd / "m.jsonl").write_text("\n".join(jsonl[: len(jsonl) // 2]) + "\n",
                                     errors="surrogatepass")
    (ctx.cwd / "m.csv").write_text("step,loss\n" + "\n".join(csv) + "\n", errors="surrogatepass")
    collector = MetricsFiles(ctx, ["m.jsonl", "m.csv"])
    collector._poll(first=True)  # one synchronous read instead of the thread: fast examples
    with open(ctx.cwd / "m.jsonl", "a", errors="surrogatepass") as f:
        f.write("\n".join(jsonl[len(jsonl) // 2:]))  # the rest, last line without newline
    collector.stop()
    _numbers_only(stream_path(ctx.run_dir, "files"))
    assert "error" not in collector.problems()


# -- init() arguments ----------------------------------------------------------------------------

ANY = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**20), st.floats(),
                st.booleans(), st.binary(max_size=4), st.lists(st.text(max_size=5), max_size=3),
                st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                st.just(object()))
NAMEISH = st.one_of(ANY, st.sampled_from(["ok-name", "a/b", "..", "", " ", "x" * 200, "a\nb",
                                         "é", "a:b", "-", "."]))
ARGS = {
    "entity": NAMEISH, "project": NAMEISH, "id": NAMEISH, "name": NAMEISH, "notes": ANY,
    "group": NAMEISH, "job_type": NAMEISH,
    "tags": st.one_of(ANY, st.lists(NAMEISH, max_size=3), st.tuples(NAMEISH)),
    "config": st.one_of(ANY, st.dictionaries(NAMEISH.filter(lambda k: isinstance(k, str)), ANY,
                                             max_size=3), st.just("missing.yaml")),
    "config_exclude_keys": st.one_of(ANY, st.lists(NAMEISH, max_size=2)),
    "config_include_keys": st.one_of(ANY, st.lists(NAMEISH, max_size=2)),
    "allow_val_change": ANY, "force": st.one_of(st.none(), st.booleans()),
    "anonymous": st.one_of(ANY, st.sampled_from(["never", "allow", "must"])),
    "reinit": st.one_of(ANY, st.sampled_from(["default", "return_previous", "finish_previous",
                                              "create_new"])),
    "resume": st.one_of(ANY, st.sampled_from(["allow", "never", "must", "auto"])),
    "resume_from": st.one_of(ANY, st.sampled_from(["abc?_step=3", "abc?_step=x", "?_step=1"])),
    "fork_from": st.one_of(ANY, st.sampled_from(["abc?_step=3", "abc", "a?_step=-1"])),
    "save_code": st.one_of(st.none(), st.booleans()),
    "monitor_gym": st.one_of(st.none(), st.booleans()),
    "settings": st.one_of(ANY, st.dictionaries(st.sampled_from(
        ["run_name", "project", "run_group", "no_such_setting", "mode", "save_code"]), ANY,
        max_size=2)),
}
INIT_KWARGS = st.fixed_dictionaries({}, optional=ARGS)
ESCAPED = {}


@settings(max_examples=150, **FUZZ)
@given(INIT_KWARGS)
def test_init_with_random_argument_values_raises_only_its_own_errors(tmp_path_factory,
                                                                     monkeypatch, kwargs):
    TRIED["init"] += 1
    root = tmp_path_factory.mktemp("init")
    monkeypatch.chdir(root)  # a relative path argument lands in the example's folder
    run = None
    try:
        run = runwrap.init(mode="offline", dir=str(root / "store"), **kwargs)
    except Error as e:
        assert str(e) and "\n" not in str(e), repr(e)
    except TypeError as e:
        named = [k for k, v in kwargs.items() if v is not None and k in str(e)]
        if not named:
            ESCAPED.setdefault("TypeError", (kwargs, repr(e)))
        assert named, f"TypeError names none of the arguments: {e!r} for {kwargs!r}"
    except Exception as e:  # anything else escaping is the bug this test looks for
        ESCAPED.setdefault(type(e).__name__, (kwargs, repr(e)))
        raise
    finally:
        if run is not None:
            run.finish()
        for leftover in state.open_runs():
            leftover.finish()
