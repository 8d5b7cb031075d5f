"""The TensorBoard event reader: TFRecord framing (tensorboard/framing.py) and Event decoding (tensorboard/decoding.py),
checked against files written by real writers and against TensorBoard's own loader."""
from __future__ import annotations

import math
import os
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwrap.collectors.tensorboard.decoding import DecodeError, EventDecoder
from runwrap.collectors.tensorboard.framing import (CRC_IMPLEMENTATION, RecordReader, crc32c_python,
                                         encode_record, masked_crc)
from runwrap.collectors.tensorboard.reader import read_event_file

tensorboardX = pytest.importorskip("tensorboardX")
event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2  # noqa: E402


def event_files(folder: Path) -> list:
    return sorted(p for p in folder.rglob("*") if "tfevents" in p.name)


def write_tensorboardx(logdir: Path, n: int) -> list:
    """Scalars written by a real tensorboardX writer; returns what was written."""
    written = []
    with tensorboardX.SummaryWriter(str(logdir)) as writer:
        for step in range(n):
            for tag, value in (("loss", 1.0 / (step + 1)), ("lr", 0.1 * 0.99 ** step)):
                writer.add_scalar(tag, value, step)
                written.append((tag, step, value))
    return written


def scalars(path: Path) -> list:
    return [(tag, step, value) for _, step, values in read_event_file(path)
            for tag, value in values]


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def tensor_event(tag: str, step: int, tensor: "tensor_pb2.TensorProto",
                 plugin: str = "scalars", with_metadata: bool = True) -> bytes:
    value = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if with_metadata:
        value.metadata.plugin_data.plugin_name = plugin
    event = event_pb2.Event(wall_time=1700000000.5 + step, step=step,
                            summary=summary_pb2.Summary(value=[value]))
    return event.SerializeToString()


def scalar_shape() -> "tensor_shape_pb2.TensorShapeProto":
    return tensor_shape_pb2.TensorShapeProto()


def write_records(path: Path, payloads: list) -> None:
    with open(path, "ab") as f:
        for data in payloads:
            f.write(encode_record(data))


# -- framing -------------------------------------------------------------------------------------


def test_pure_python_crc32c_matches_the_c_implementation_and_the_known_vector():
    # RFC 3720 test vector: CRC-32C of 32 zero bytes.
    assert crc32c_python(bytes(32)) == 0x8A9136AA
    assert crc32c_python(b"123456789") == 0xE3069283
    data = os.urandom(1000)
    from runwrap.collectors.tensorboard.framing import crc32c

    assert crc32c_python(data) == crc32c(data)


def test_reader_with_pure_python_crc_reads_a_real_file_identically(tmp_path):
    write_tensorboardx(tmp_path, 50)
    (path,) = event_files(tmp_path)
    fast = list(RecordReader(path).read())
    slow = list(RecordReader(path, crc_function=crc32c_python).read())
    assert fast == slow and len(fast) == 101  # file_version + 100 scalars


def test_records_of_a_real_file_match_tensorboards_own_loader(tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader

    write_tensorboardx(tmp_path, 30)
    (path,) = event_files(tmp_path)
    assert list(RecordReader(path).read()) == list(RawEventFileLoader(str(path)).Load())


def test_half_written_last_record_is_finished_on_the_next_read(tmp_path):
    path = tmp_path / "events.out.tfevents.1"
    first, second = encode_record(b"first"), encode_record(b"second record")
    path.write_bytes(first + second[:7])
    reader = RecordReader(path)
    assert list(reader.read()) == [b"first"]
    assert reader.offset == len(first)
    with open(path, "ab") as f:
        f.write(second[7:])
    assert list(reader.read()) == [b"second record"]
    assert reader.offset == len(first) + len(second) and reader.corrupt == 0


def test_file_appended_byte_by_byte_yields_every_record_once(tmp_path):
    write_tensorboardx(tmp_path / "src", 20)
    (source,) = event_files(tmp_path / "src")
    data = source.read_bytes()
    path = tmp_path / "events.out.tfevents.copy"
    path.write_bytes(b"")
    reader = RecordReader(path)
    got = []
    with open(path, "ab", buffering=0) as f:
        for i in range(len(data)):
            f.write(data[i:i + 1])
            got.extend(reader.read())
    assert got == list(RecordReader(source).read())
    assert reader.corrupt == 0 and reader.offset == len(data)


def test_corrupted_record_is_skipped_and_reading_continues(tmp_path):
    write_tensorboardx(tmp_path / "src", 100)
    (source,) = event_files(tmp_path / "src")
    good = list(RecordReader(source).read())
    data = bytearray(source.read_bytes())
    # Flip one byte in the data of the 60th record.
    offset = sum(16 + len(r) for r in good[:60])
    data[offset + 12 + 3] ^= 0xFF
    path = tmp_path / "events.out.tfevents.bad"
    path.write_bytes(bytes(data))
    reader = RecordReader(path)
    got = list(reader.read())
    assert got == good[:60] + good[61:]
    assert reader.corrupt == 1


def test_corrupted_length_is_skipped_by_scanning_to_the_next_valid_record(tmp_path):
    payloads = [f"record {i}".encode() * (i + 1) for i in range(50)]
    blob = bytearray(b"".join(encode_record(p) for p in payloads))
    offset = sum(16 + len(p) for p in payloads[:20])
    blob[offset] ^= 0x40  # the length of record 20 is now wrong (and its CRC says so)
    path = tmp_path / "events.out.tfevents.len"
    path.write_bytes(bytes(blob))
    reader = RecordReader(path)
    assert list(reader.read()) == payloads[:20] + payloads[21:]
    assert reader.corrupt == 1 and reader.skipped_bytes == 16 + len(payloads[20])


def test_garbage_between_records_is_skipped_even_when_it_arrives_in_pieces(tmp_path):
    path = tmp_path / "events.out.tfevents.garbage"
    path.write_bytes(encode_record(b"before") + b"\x00" * 30 + b"junk" * 1000)
    reader = RecordReader(path)
    assert list(reader.read()) == [b"before"]
    with open(path, "ab") as f:
        f.write(b"\x00\x00\x00\x00 more junk ")
    assert list(reader.read()) == []
    write_records(path, [b"after", b"and again"])
    assert list(reader.read()) == [b"after", b"and again"]
    assert reader.corrupt == 1


def test_record_larger_than_the_read_chunk(tmp_path):
    big = os.urandom(3 * RecordReader.CHUNK + 17)
    path = tmp_path / "events.out.tfevents.big"
    write_records(path, [b"a", big, b"b"])
    assert list(RecordReader(path).read()) == [b"a", big, b"b"]


def test_missing_file_reads_as_empty(tmp_path):
    assert list(RecordReader(tmp_path / "nope").read()) == []


# -- decoding: every scalar encoding real writers use --------------------------------------------


def test_tensorboardx_scalars_are_read_value_by_value(tmp_path):
    written = write_tensorboardx(tmp_path, 300)
    (path,) = event_files(tmp_path)
    got = scalars(path)
    assert [(t, s) for t, s, _ in got] == [(t, s) for t, s, _ in written]
    for (_, _, value), (_, _, expected) in zip(got, written):
        assert value == f32(expected)  # simple_value is a float32


def test_decoded_events_match_the_protobuf_runtime(tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    with tensorboardX.SummaryWriter(str(tmp_path)) as writer:
        for step in (0, 1, 127, 128, 300, 2**31 + 5, 2**40):
            writer.add_scalar("a/b", step * 0.5, step)
            writer.add_scalars("group", {"x": step, "y": -step}, step)
    for path in event_files(tmp_path):
        expected = []
        for event in EventFileLoader(str(path)).Load():
            for value in event.summary.value:
                # EventFileLoader migrates simple_value into a scalars tensor.
                expected.append((value.tag, event.step, value.tensor.float_val[0]))
        assert scalars(path) == expected and expected


def test_non_finite_values_survive(tmp_path):
    with tensorboardX.SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("x", float("nan"), 0)
        writer.add_scalar("x", float("inf"), 1)
        writer.add_scalar("x", float("-inf"), 2)
    (path,) = event_files(tmp_path)
    values = [v for _, _, v in scalars(path)]
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize("dtype, fmt, value", [
    (types_pb2.DT_FLOAT, "<f", 0.25),
    (types_pb2.DT_DOUBLE, "<d", 1.0 / 3.0),
    (types_pb2.DT_HALF, "<e", 1.5),
    (types_pb2.DT_INT32, "<i", -7),
    (types_pb2.DT_INT64, "<q", 2**40 + 3),
])
def test_tf2_tensor_content_scalars(tmp_path, dtype, fmt, value):
    """What TF2's tf.summary.scalar writes: tensor_content bytes, plugin `scalars`, metadata only
    with the tag's first value."""
    payloads = []
    for step in range(3):
        tensor = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=scalar_shape(),
                                        tensor_content=struct.pack(fmt, value * (step + 1)))
        payloads.append(tensor_event("metric", step, tensor, with_metadata=step == 0))
    path = tmp_path / "events.out.tfevents.tf2"
    write_records(path, payloads)
    expected = [struct.unpack(fmt, struct.pack(fmt, value * (s + 1)))[0] for s in range(3)]
    assert scalars(path) == [("metric", s, expected[s]) for s in range(3)]


def test_bfloat16_tensor_content(tmp_path):
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_BFLOAT16, tensor_shape=scalar_shape(),
                                    tensor_content=struct.pack("<f", 2.5)[2:])
    path = tmp_path / "events.out.tfevents.bf16"
    write_records(path, [tensor_event("m", 1, tensor)])
    assert scalars(path) == [("m", 1, 2.5)]


def test_float_val_double_val_and_half_val_tensors(tmp_path):
    """torch's `new_style` and `tensorboard.summary` write float_val/double_val."""
    half_bits = struct.unpack("<H", struct.pack("<e", -0.5))[0]
    tensors = [
        tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[0.75]),
        tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE, double_val=[1e-300]),
        tensor_pb2.TensorProto(dtype=types_pb2.DT_HALF, half_val=[half_bits]),
        tensor_pb2.TensorProto(dtype=types_pb2.DT_INT64, int64_val=[-5]),
        tensor_pb2.TensorProto(dtype=types_pb2.DT_INT32, int_val=[-3]),
    ]
    path = tmp_path / "events.out.tfevents.vals"
    write_records(path, [tensor_event(f"t{i}", i, t) for i, t in enumerate(tensors)])
    assert scalars(path) == [("t0", 0, 0.75), ("t1", 1, 1e-300), ("t2", 2, -0.5),
                             ("t3", 3, -5), ("t4", 4, -3)]


def test_tensorboard_summary_writer_scalars(tmp_path):
    from tensorboard.summary import Writer

    writer = Writer(str(tmp_path))
    for step in range(5):
        writer.add_scalar("acc", 0.1 * step, step=step)
    writer.close()
    (path,) = event_files(tmp_path)
    assert scalars(path) == [("acc", s, pytest.approx(0.1 * s)) for s in range(5)]


def test_other_plugins_are_counted_not_imported(tmp_path):
    import numpy as np

    with tensorboardX.SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("loss", 1.0, 0)
        writer.add_histogram("weights", np.arange(10.0), 0)
        writer.add_image("picture", np.zeros((3, 4, 4)), 0)
        writer.add_text("note", "hello", 0)
    (path,) = event_files(tmp_path)
    decoder = EventDecoder()
    got = []
    for data in RecordReader(path).read():
        event = decoder.decode(data)
        if event:
            got.extend(event[2])
    assert got == [("loss", 1.0)]
    assert decoder.other == {"histograms": 1, "images": 1, "text": 1}


def test_non_scalar_tensor_of_the_scalars_plugin_is_counted(tmp_path):
    shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=2)])
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=shape,
                                    float_val=[1.0, 2.0])
    decoder = EventDecoder()
    assert decoder.decode(tensor_event("v", 0, tensor)) == (1700000000.5, 0, [])
    assert decoder.other == {"scalars_not_scalar": 1}


def test_garbage_is_a_decode_error_not_a_crash():
    with pytest.raises(DecodeError):
        EventDecoder().decode(b"\x09\x01\x02")
    with pytest.raises(DecodeError):
        EventDecoder().decode(b"\x2a\x7f\x00")


# -- fuzz ----------------------------------------------------------------------------------------

# No deadline and no too_slow check: CI machines are loaded and slow, not wrong.
_FUZZ = settings(max_examples=300, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _valid_file_bytes() -> bytes:
    payloads = []
    for step in range(5):
        payloads.append(event_pb2.Event(wall_time=1.0 + step, step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="loss", simple_value=step / 3)])).SerializeToString())
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_content=b"\0\0\x80?")
        payloads.append(tensor_event("tf2", step, tensor))
    return b"".join(encode_record(p) for p in payloads)


VALID = _valid_file_bytes()


def _read_all(path: Path) -> None:
    decoder = EventDecoder()
    reader = RecordReader(path)
    for data in reader.read():
        try:
            decoder.decode(data)
        except DecodeError:
            pass


@_FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes_never_raise(tmp_path, blob):
    path = tmp_path / "events.out.tfevents.fuzz"
    path.write_bytes(blob)
    _read_all(path)


@_FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8),
       st.integers(0, len(VALID)))
def test_fuzz_mutated_files_never_raise_and_keep_untouched_records(tmp_path, flips, cut):
    blob = bytearray(VALID)
    for position, byte in flips:
        blob[position] = byte
    path = tmp_path / "events.out.tfevents.mutated"
    path.write_bytes(bytes(blob[:cut]))
    _read_all(path)
    with open(path, "ab") as f:  # the rest arrives later
        f.write(bytes(blob[cut:]))
    _read_all(path)


@_FUZZ
@given(st.binary(max_size=300))
def test_fuzz_event_decoder_raises_only_decode_error(blob):
    try:
        EventDecoder().decode(blob)
    except DecodeError:
        pass


@_FUZZ
@given(st.binary(min_size=1, max_size=200))
def test_fuzz_valid_framing_around_garbage_payloads(tmp_path, payload):
    """Records with valid CRCs but arbitrary contents: the reader returns them, the decoder
    either decodes or raises DecodeError."""
    path = tmp_path / "events.out.tfevents.payload"
    path.write_bytes(encode_record(payload) + VALID)
    assert list(RecordReader(path).read())[0] == payload
    _read_all(path)


def test_crc_implementation_is_named():
    assert CRC_IMPLEMENTATION in {"google-crc32c", "crc32c", "python"}
    assert masked_crc(b"") == masked_crc(b"", crc32c_python)


# -- the template fast path decodes exactly like the general path -------------------------------

_ENCODINGS = ["simple", "float_val", "double_val", "content_f", "content_d", "content_e",
              "content_i", "content_q", "half_val", "image"]


def _encoded_event(tag: str, step: int, value: float, encoding: str, metadata: bool) -> bytes:
    if encoding == "simple":
        v = summary_pb2.Summary.Value(tag=tag, simple_value=value)
    elif encoding == "image":
        v = summary_pb2.Summary.Value(tag=tag, image=summary_pb2.Summary.Image(height=1))
    else:
        t = tensor_pb2.TensorProto(tensor_shape=scalar_shape())
        if encoding == "float_val":
            t.dtype, t.float_val[:] = types_pb2.DT_FLOAT, [value]
        elif encoding == "double_val":
            t.dtype, t.double_val[:] = types_pb2.DT_DOUBLE, [value]
        elif encoding == "half_val":
            t.dtype = types_pb2.DT_HALF
            t.half_val[:] = [struct.unpack("<H", struct.pack("<e", min(max(value, -6e4), 6e4)))[0]]
        else:
            fmt = {"f": "<f", "d": "<d", "e": "<e", "i": "<i", "q": "<q"}[encoding[-1]]
            t.dtype = {"f": types_pb2.DT_FLOAT, "d": types_pb2.DT_DOUBLE, "e": types_pb2.DT_HALF,
                       "i": types_pb2.DT_INT32, "q": types_pb2.DT_INT64}[encoding[-1]]
            number = min(max(value, -6e4), 6e4)
            number = int(number) if fmt in ("<i", "<q") else number
            t.tensor_content = struct.pack(fmt, number)
        v = summary_pb2.Summary.Value(tag=tag, tensor=t)
        if metadata:
            v.metadata.plugin_data.plugin_name = "scalars"
    return event_pb2.Event(wall_time=1e9 + step, step=step,
                           summary=summary_pb2.Summary(value=[v])).SerializeToString()


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (a[0], a[1]) == (b[0], b[1]) and len(a[2]) == len(b[2]) and all(
        x[0] == y[0] and (x[1] == y[1] or (x[1] != x[1] and y[1] != y[1]))
        for x, y in zip(a[2], b[2]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["loss", "acc", "a/b", "é" * 70]),
                          st.integers(-2**40, 2**62),
                          st.floats(allow_nan=True, allow_infinity=True, width=32),
                          st.sampled_from(_ENCODINGS), st.booleans()), min_size=1, max_size=20))
def test_fast_path_decodes_like_the_general_path(events):
    fast, general = EventDecoder(), EventDecoder()
    for i, (tag, step, value, encoding, metadata) in enumerate(events):
        if encoding.startswith("content_") or encoding == "half_val":
            if value != value or value in (math.inf, -math.inf):
                value = 1.5
        data = _encoded_event(tag, step, value, encoding, metadata or i == 0)
        assert _same(fast.decode(data), general._decode(data)), (tag, step, value, encoding)
    assert fast.other == general.other


def test_fast_path_is_taken_for_repeated_scalar_shapes():
    decoder = EventDecoder()
    for encoding in ("simple", "float_val", "double_val", "content_f", "content_d"):
        decoder.decode(_encoded_event("m", 1, 0.5, encoding, True))
    assert sum(len(t) for shapes in decoder._templates.values() for _, _, t in shapes) == 5
    general_calls = []
    decoder._decode = lambda buf: general_calls.append(buf)  # type: ignore[method-assign]
    for encoding in ("simple", "float_val", "double_val", "content_f", "content_d"):
        assert decoder.decode(_encoded_event("m", 300, 0.25, encoding, True)) == \
            (1e9 + 300, 300, [("m", 0.25)])
    assert general_calls == []


def test_a_replaced_shorter_file_is_read_from_its_start(tmp_path):
    path = tmp_path / "events.out.tfevents.replaced"
    write_records(path, [b"one", b"two", b"three"])
    reader = RecordReader(path)
    assert list(reader.read()) == [b"one", b"two", b"three"]
    path.write_bytes(encode_record(b"new"))
    assert list(reader.read()) == [b"new"]
