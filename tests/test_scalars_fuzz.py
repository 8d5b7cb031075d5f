"""Random lines into the stdout parser: no exception, and every value it returns is a number
whose key appears in the line."""
from __future__ import annotations

import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwrap.collectors.console.vocabulary import PHASES
from runwrap.collectors.console.scalars import StreamRecords, compile_patterns, default_parser

parse = default_parser().parse

# Text built from the pieces that matter to the grammar, so the fuzzer reaches deep paths.
PIECES = st.sampled_from(["loss", "step", "Epoch", "ITER", "global_step", "x/y", "_k", ":",
                          "=", " ", "\t", ",", "'", '"', "{", "}", "(", ")", "[", "]", "%", ".",
                          "-", "+", "e", "E", "0", "1", "9", "nan", "inf", "Infinity", "\r",
                          "\x1b[0m", "\x00", "é", "损失", "٣", "²", "9" * 30])
LINES = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=60).map("".join))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_default_parser_never_raises_and_returns_numbers_for_keys_in_the_line(line):
    found = parse(line)
    if found is None:
        return
    values, step = found
    assert values
    for key, value in values.items():
        # Keys are made of the line's words; a phase is named by its one name (`val/`).
        assert all(part in line.lower() or part in PHASES.values()
                   for part in re.split(r"[/_ ]", key.lower()) if part), key
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
    if step is not None:
        assert isinstance(step, int) and step in [v for v in values.values()
                                                 if not (isinstance(v, float) and math.isnan(v))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_decoded_as_the_console_does_never_raise(data):
    parse(data.decode("utf-8", "replace"))
    parse(data.decode("latin-1"))


USER = compile_patterns([r"(?P<key>\w+)\s*->\s*(?P<value>\S+)", r"acc:=A(?P<value>\S*)",
                         r"\[(?P<step>[^\]]*)\](?P<other>\S*)"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200),
                 st.lists(st.sampled_from(["a", "->", " ", "A", "[", "]", "1", "1e400", "nan",
                                           "-", ".", ",", "x", "9" * 30]), max_size=40)
                 .map("".join)))
def test_user_patterns_never_raise(line):
    found = USER.parse(line)
    if found is not None:
        assert all(isinstance(v, (int, float)) for v in found[0].values())


TABLE_PIECES = st.sampled_from(["epoch", "train_loss", "  ", " ", "0", "0.5", "00:01", "|",
                                "-----", "rollout/", "\x00", "Epoch 1/3", "[3]", "7:", "\t",
                                "loss: 0.5", "'s", "x", "nan", "1.2 K", "v_num=0"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=80), st.lists(TABLE_PIECES, max_size=12)
                          .map("".join)), max_size=30))
def test_line_sequences_through_stream_records_never_raise(lines):
    """Headers, frames, tables and boxes in any order: records are numbers, steps ints."""
    records = StreamRecords(parse)
    for line in lines:
        for values, step in records.feed(line):
            assert values and all(isinstance(v, (int, float)) for v in values.values())
            assert step is None or isinstance(step, int)
