"""TensorBoard `Event` protos to scalars, with a protobuf wire decoder of our own.

Only the fields a scalar needs are decoded (field numbers from tensorboard/compat/proto):

    Event:           wall_time 1 (double), step 2 (int64), summary 5
    Summary:         value 1 (repeated)
    Summary.Value:   tag 1, simple_value 2 (float), old histogram 3, image 4, histo 5, audio 6,
                     tensor 8, metadata 9
    SummaryMetadata: plugin_data 1 { plugin_name 1 }
    TensorProto:     dtype 1, tensor_shape 2 { dim 2 { size 1 } }, tensor_content 4,
                     float_val 5, double_val 6, int_val 7, int64_val 10, bool_val 11,
                     half_val 13, uint32_val 16, uint64_val 17

Every other field is skipped by its wire type, so newer writers with more fields still decode.

A value is a scalar when it has `simple_value` (tensorboardX, torch's default, TF1), or a
one-element `tensor` whose plugin is `scalars` (torch `new_style` and `tensorboard.summary`
write `float_val`/`double_val`; TF2's `tf.summary.scalar` writes `tensor_content`). TF2 writes a
tag's metadata only with its first value, so `EventDecoder` remembers each tag's plugin for the
file it reads. Values of other plugins (images, histograms, audio, text...) are counted by
plugin name, not imported.

Why not the `protobuf` runtime: it would be a new runtime dependency, plus generated `_pb2`
modules whose gencode must match the installed runtime's major version (a classic source of
import errors in ML environments, where every framework pins its own protobuf). Speed does not
argue for it either. Writers repeat the same summary shape with a new number, so after the first
event of a shape the decoder keeps a template (the summary's bytes around the number) and decodes
later events with one dict lookup, faster for tensorboardX, torch new_style and TF2
tensor_content events than protobuf's C (upb) parser plus field access
(benchmarks/tensorboard_read.py measures it; docs/benchmarks.md has the figures). The
general path (first event of each shape, unusual events) is a few times slower. The tests check
both paths against the protobuf runtime.

Over 400 lines because it holds the two paths (template and general) and a decoder per message
above, which belong together: they read the same bytes.
"""
from __future__ import annotations

import struct
from typing import Callable, Dict, List, Optional, Tuple

from runwrap.collectors.protowire import DecodeError
from runwrap.collectors.protowire import signed32 as _signed32
from runwrap.collectors.protowire import signed64 as _signed64
from runwrap.collectors.protowire import skip as _skip
from runwrap.collectors.protowire import varint as _varint

__all__ = ["DecodeError", "EventDecoder", "ScalarEvent"]

_double = struct.Struct("<d").unpack_from
_float = struct.Struct("<f").unpack_from

SCALARS_PLUGIN = "scalars"

# TensorFlow DataType -> struct format of one element in tensor_content.
_CONTENT_FORMAT = {
    1: "<f",  # DT_FLOAT
    2: "<d",  # DT_DOUBLE
    3: "<i",  # DT_INT32
    4: "<B",  # DT_UINT8
    5: "<h",  # DT_INT16
    6: "<b",  # DT_INT8
    9: "<q",  # DT_INT64
    10: "<?",  # DT_BOOL
    17: "<H",  # DT_UINT16
    19: "<e",  # DT_HALF
    22: "<I",  # DT_UINT32
    23: "<Q",  # DT_UINT64
}
_DT_BFLOAT16 = 14
_DT_HALF = 19

# Value fields that are other plugins' data in the old (pre-tensor) encoding.
_LEGACY_KINDS = {3: "histograms", 4: "images", 5: "histograms", 6: "audio"}


# (wall_time, step, [(tag, number), ...]): a plain tuple, because building an object per event
# would cost a fifth of the time decoding it takes.
ScalarEvent = Tuple[float, int, List[Tuple[str, float]]]
_Unpack = Callable[[bytes, int], Tuple[float]]  # a struct unpack_from
_Span = Tuple[int, int, _Unpack]  # where a number's bytes are and how to read them


class EventDecoder:
    """Decodes the events of one file; remembers each tag's plugin across events.

    `other` counts values that are not scalars, by plugin name (`images`, `histograms`...).
    """

    def __init__(self) -> None:
        self.plugins: Dict[str, str] = {}  # tag -> plugin name, from the first metadata seen
        self.other: Dict[str, int] = {}
        # Templates of summaries that hold one scalar stored as fixed-width bytes (simple_value,
        # tensor_content, one packed float_val/double_val): summary length -> [(where the number
        # is, its width, {the summary's other bytes -> (tag, how to unpack the number)})].
        # Filled from events the general path decoded. A summary of the same length whose other
        # bytes are equal decodes the same way: every length, key, tag and plugin is in them.
        self._templates: Dict[int, List[Tuple[int, int, Dict[bytes, Tuple[str, _Unpack]]]]] = {}
        self._span: Optional[_Span] = None  # where _value found its number (see _remember)

    def decode(self, buf: bytes) -> Optional[ScalarEvent]:
        """The event's scalars, or None when it has no summary (file_version, graph, logs).

        Raises DecodeError for bytes that are not an Event.
        """
        # Fast path for the event writers emit over and over: `wall_time | step | summary`,
        # whose summary matches a template (see __init__). Anything else: the general path.
        end = len(buf)
        if end > 11 and buf[0] == 0x09 and self._templates:
            try:
                pos = 9
                step = 0
                if buf[9] == 0x10:
                    pos = 10
                    shift = 0
                    while True:
                        b = buf[pos]
                        pos += 1
                        step |= (b & 0x7F) << shift
                        if b < 0x80:
                            break
                        shift += 7
                    if step >= 1 << 63:
                        step -= 1 << 64
                if buf[pos] == 0x2A:
                    n = buf[pos + 1]
                    pos += 2
                    if n >= 0x80:
                        n, pos = _varint(buf, pos - 1)
                    if pos + n == end:
                        for offset, width, table in self._templates.get(n, ()):
                            at = pos + offset
                            hit = table.get(buf[pos:at] + buf[at + width:end])
                            if hit is not None:
                                return _double(buf, 1)[0], step, [(hit[0], hit[1](buf, at)[0])]
            except (IndexError, DecodeError):
                pass  # the general path says what is wrong
        return self._decode(buf)

    def _decode(self, buf: bytes) -> Optional[ScalarEvent]:
        pos = 0
        end = len(buf)
        wall_time = 0.0
        step = 0
        values: Optional[List[Tuple[str, float]]] = None
        try:
            while pos < end:
                key = buf[pos]
                pos += 1
                if key >= 0x80:
                    key, pos = _varint(buf, pos - 1)
                if key == 0x09:  # 1: wall_time, fixed64
                    wall_time = _double(buf, pos)[0]
                    pos += 8
                elif key == 0x10:  # 2: step, varint
                    step, pos = _varint(buf, pos)
                    step = _signed64(step)
                elif key == 0x2A:  # 5: summary
                    n, pos = _varint(buf, pos)
                    stop = pos + n
                    if stop > end:
                        raise DecodeError("summary runs past the event")
                    if values is None:
                        values = []
                    found = len(values)
                    self._span = None
                    if self._summary(buf, pos, stop, values) == 1 and len(values) == found + 1:
                        self._remember(buf, pos, stop, values[-1][0])
                    pos = stop
                else:
                    pos = _skip(buf, pos, key & 7, end)
        except (IndexError, struct.error):
            raise DecodeError("truncated event") from None
        if pos != end:
            raise DecodeError("event runs past its record")
        if values is None:
            return None
        return wall_time, step, values

    def _remember(self, buf: bytes, start: int, stop: int, tag: str) -> None:
        """Make the one-scalar summary buf[start:stop] a template (see __init__)."""
        span = self._span
        if span is None:
            return
        offset, width = span[0] - start, span[1] - span[0]
        shapes = self._templates.setdefault(stop - start, [])
        for known_offset, known_width, table in shapes:
            if (known_offset, known_width) == (offset, width):
                break
        else:
            if len(shapes) >= 8:
                return
            table = {}
            shapes.append((offset, width, table))
        if len(table) < 10000:
            table[buf[start:span[0]] + buf[span[1]:stop]] = (tag, span[2])

    def _summary(self, buf: bytes, pos: int, end: int, out: List[Tuple[str, float]]) -> int:
        """Append the summary's scalars to `out`; returns how many values it holds."""
        count = 0
        while pos < end:
            key, pos = _varint(buf, pos)
            if key == 0x0A:  # 1: value
                n, pos = _varint(buf, pos)
                stop = pos + n
                if stop > end:
                    raise DecodeError("value runs past its summary")
                self._value(buf, pos, stop, out)
                count += 1
                pos = stop
            else:
                pos = _skip(buf, pos, key & 7, end)
        return count

    def _value(self, buf: bytes, pos: int, end: int, out: List[Tuple[str, float]]) -> None:
        tag = ""
        simple: Optional[int] = None  # position of the simple_value's 4 bytes
        tensor: Optional[Tuple[int, int]] = None
        plugin: Optional[str] = None
        legacy: Optional[str] = None
        while pos < end:
            key, pos = _varint(buf, pos)
            field = key >> 3
            wire = key & 7
            if key == 0x15:  # 2: simple_value, fixed32 float
                simple = pos
                pos += 4
            elif wire == 2 and field in (1, 8, 9):
                n, pos = _varint(buf, pos)
                stop = pos + n
                if stop > end:
                    raise DecodeError("field runs past its value")
                if field == 1:
                    tag = buf[pos:stop].decode("utf-8", "replace")
                elif field == 8:
                    tensor = (pos, stop)
                else:
                    plugin = _plugin_name(buf, pos, stop)
                pos = stop
            else:
                if field in _LEGACY_KINDS:
                    legacy = _LEGACY_KINDS[field]
                pos = _skip(buf, pos, wire, end)
        if pos != end:
            raise DecodeError("field runs past its value")
        if plugin is not None:
            self.plugins.setdefault(tag, plugin)
        if simple is not None:
            out.append((tag, _float(buf, simple)[0]))
            self._span = (simple, simple + 4, _float)
            return
        if tensor is not None:
            plugin = plugin if plugin is not None else self.plugins.get(tag)
            if plugin == SCALARS_PLUGIN:
                found = _tensor_scalar(buf, tensor[0], tensor[1])
                if found is not None:
                    number = found[0]
                    out.append((tag, number))
                    self._span = found[1]
                    return
                self._count("scalars_not_scalar")
                return
            self._count(plugin or "tensor_without_plugin")
        elif legacy is not None:
            self._count(legacy)

    def _count(self, kind: str) -> None:
        self.other[kind] = self.other.get(kind, 0) + 1


def _plugin_name(buf: bytes, pos: int, end: int) -> str:
    """SummaryMetadata.plugin_data.plugin_name ("" when absent)."""
    name = ""
    while pos < end:
        key, pos = _varint(buf, pos)
        if key == 0x0A:  # 1: plugin_data
            n, pos = _varint(buf, pos)
            stop = pos + n
            p = pos
            while p < stop:
                k, p = _varint(buf, p)
                if k == 0x0A:  # 1: plugin_name
                    m, p = _varint(buf, p)
                    name = buf[p:p + m].decode("utf-8", "replace")
                    p += m
                else:
                    p = _skip(buf, p, k & 7, stop)
            pos = stop
        else:
            pos = _skip(buf, pos, key & 7, end)
    return name


_UNPACKERS = {fmt: struct.Struct(fmt).unpack_from for fmt in _CONTENT_FORMAT.values()}


def _tensor_scalar(buf: bytes, pos: int, end: int) -> Optional[Tuple[float, Optional[_Span]]]:
    """The single number a one-element TensorProto holds and, when it is stored as fixed-width
    bytes, where (for templates); None if the tensor is not one number."""
    dtype = 0
    elements = 1  # a tensor without a shape is taken as rank 0
    content: Optional[Tuple[int, int]] = None
    numbers: List[float] = []
    packed: Optional[_Span] = None  # a packed float_val/double_val of exactly one element
    while pos < end:
        key, pos = _varint(buf, pos)
        field = key >> 3
        wire = key & 7
        if field == 1 and wire == 0:
            dtype, pos = _varint(buf, pos)
        elif field == 2 and wire == 2:
            n, pos = _varint(buf, pos)
            elements = _shape_elements(buf, pos, pos + n)
            pos += n
        elif field == 4 and wire == 2:
            n, pos = _varint(buf, pos)
            content = (pos, pos + n)
            pos += n
        elif field in (5, 6, 7, 10, 11, 13, 16, 17):
            if field in (5, 6) and wire == 2:
                n, p = _varint(buf, pos)
                if n == (4 if field == 5 else 8):
                    packed = (p, p + n, _float if field == 5 else _double)
            pos = _repeated_numbers(buf, pos, end, field, wire, numbers)
        else:
            pos = _skip(buf, pos, wire, end)
        if pos > end:
            raise DecodeError("field runs past its tensor")
    if elements != 1:
        return None
    if content is not None and content[1] > content[0]:
        start, stop = content
        if stop > end:
            return None
        if dtype == _DT_BFLOAT16 and stop - start == 2:
            bits = int.from_bytes(buf[start:stop], "little") << 16
            return _float(struct.pack("<I", bits))[0], None
        fmt = _CONTENT_FORMAT.get(dtype)
        if fmt is None or struct.calcsize(fmt) != stop - start:
            return None
        unpack = _UNPACKERS[fmt]
        return unpack(buf, start)[0], (start, stop, unpack)
    if len(numbers) != 1:
        return None
    number = numbers[0]
    if dtype == _DT_HALF:
        return struct.unpack("<e", struct.pack("<H", int(number) & 0xFFFF))[0], None
    if dtype == _DT_BFLOAT16:
        return _float(struct.pack("<I", (int(number) & 0xFFFF) << 16))[0], None
    return number, packed


def _shape_elements(buf: bytes, pos: int, end: int) -> int:
    """Number of elements of a TensorShapeProto (product of its dims; -1 if unknown)."""
    elements = 1
    while pos < end:
        key, pos = _varint(buf, pos)
        if key == 0x12:  # 2: dim
            n, pos = _varint(buf, pos)
            stop = pos + n
            size = 0
            p = pos
            while p < stop:
                k, p = _varint(buf, p)
                if k == 0x08:  # 1: size
                    size, p = _varint(buf, p)
                    size = _signed64(size)
                else:
                    p = _skip(buf, p, k & 7, stop)
            elements *= size if size >= 0 else -1
            pos = stop
        elif key == 0x18:  # 3: unknown_rank
            v, pos = _varint(buf, pos)
            if v:
                return -1
        else:
            pos = _skip(buf, pos, key & 7, end)
    return elements


def _repeated_numbers(buf: bytes, pos: int, end: int, field: int, wire: int,
                      out: List[float]) -> int:
    """Append one repeated numeric field's elements (packed or not) to `out`."""
    if field in (5, 6):  # float_val / double_val: fixed width
        size, fmt = (4, "<f") if field == 5 else (8, "<d")
        if wire == 2:
            n, pos = _varint(buf, pos)
            if n % size or pos + n > end:
                raise DecodeError("bad packed floats")
            out.extend(struct.unpack_from(f"<{n // size}{fmt[1]}", buf, pos))
            return pos + n
        if wire != (5 if size == 4 else 1):
            raise DecodeError("bad float field")
        out.append(struct.unpack_from(fmt, buf, pos)[0])
        return pos + size
    convert = _signed32 if field in (7, 13) else (_signed64 if field == 10 else int)
    if field == 11:
        convert = bool
    if wire == 2:
        n, pos = _varint(buf, pos)
        stop = pos + n
        if stop > end:
            raise DecodeError("bad packed integers")
        while pos < stop:
            v, pos = _varint(buf, pos)
            out.append(convert(v))
        return pos
    if wire != 0:
        raise DecodeError("bad integer field")
    v, pos = _varint(buf, pos)
    out.append(convert(v))
    return pos
