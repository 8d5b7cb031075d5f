"""wandb `Record` messages (from its transaction log) to what runwrap records, with the protobuf
wire decoder the TensorBoard reader uses (protowire.py), not the protobuf runtime.

Field numbers are wandb's (wandb/proto/wandb_internal.proto; tests compare them with the
installed wandb's generated `wandb_internal_pb2` descriptors):

    Record:         num 1, control 16, uuid 19, _info 200, and one of its record types:
                    history 2, summary 3, config 5, run 17, exit 18, header 21 (the others
                    in RECORD_TYPES are known and not needed)
    HistoryRecord:  item 1 (repeated HistoryItem), step 2 { num 1 }
    HistoryItem:    key 1, nested_key 2 (repeated), none 3, boolean 4, integer 5 (sint64),
                    number 6 (double), text 7, json 8, value_json 16
    SummaryRecord / ConfigRecord: update 1, remove 2 (repeated SummaryItem / ConfigItem)
    SummaryItem / ConfigItem:     key 1, nested_key 2 (repeated), value_json 16
    RunRecord:      run_id 1, entity 2, project 3, config 4, summary 5, run_group 6,
                    job_type 7, display_name 8, notes 9, tags 10, host 13, starting_step 14,
                    start_time 17 { seconds 1, nanos 2 }, resumed 18
    RunExitRecord:  exit_code 1, runtime 2
    HeaderRecord:   version_info 1 { producer 1, min_consumer 2 }

Values are JSON text (`value_json`); wandb writes NaN and infinities as the JavaScript words
`NaN`, `Infinity`, `-Infinity`, which Python's `json` reads. A key path (`nested_key`) of more
than one name is a value inside a nested dict, as wandb's `summary.update({"a": {"b": 1}})`
leaves it.

Speed: a training loop's log holds three records per row (the row and two summary updates),
each a handful of items, so the loops read one-byte keys and lengths inline and take the
item shape wandb writes (one name, then value_json) without the general field walk.
Over 400 lines because it holds a decoder per record type above, each small, and the fast paths
beside the general ones they must agree with.
"""
from __future__ import annotations

import json
import struct
from typing import Any, Dict, List, Optional, Tuple

from runwrap.collectors.protowire import DecodeError, signed32, signed64, skip, varint

__all__ = ["decode", "DecodeError", "History", "Change", "RunStart", "RunExit", "Header",
           "Unknown", "RECORD_TYPES", "decode_value"]

_double = struct.Struct("<d").unpack_from

# Every record type of wandb's `Record.record_type` oneof (field number -> name), from the
# installed wandb's descriptors. A field number not here is a newer wandb's record type.
RECORD_TYPES = {
    2: "history", 3: "summary", 4: "output", 5: "config", 6: "files", 7: "stats",
    8: "artifact", 9: "tbrecord", 10: "alert", 11: "telemetry", 12: "metric", 13: "output_raw",
    17: "run", 18: "exit", 20: "final", 21: "header", 22: "footer",
    23: "preempting", 24: "noop_link_artifact", 25: "use_artifact", 26: "environment",
    27: "output_logger", 100: "request",
}
# The Record's fields outside that oneof: num 1, control 16, uuid 19, _info 200.
_RECORD_FIELDS = {1, 16, 19, 200}

KeyPath = Tuple[str, ...]


class History:
    """One history row: wandb's step and the values logged at it (`_timestamp`, `_runtime`
    and `_step` among them, as wandb writes them)."""

    __slots__ = ("step", "values")

    def __init__(self, step: Optional[int], values: Dict[str, Any]):
        self.step = step
        self.values = values


class Change:
    """A config or summary record: key paths set to values, and key paths removed."""

    __slots__ = ("kind", "update", "remove")

    def __init__(self, kind: str, update: Dict[KeyPath, Any], remove: List[KeyPath]):
        self.kind = kind  # "config" or "summary"
        self.update = update  # key path -> value, in the record's order
        self.remove = remove


class RunStart:
    """The run record: who the run is, and where its steps start when it resumes."""

    __slots__ = ("run_id", "entity", "project", "group", "job_type", "name", "notes", "tags",
                 "host", "starting_step", "start_time", "resumed", "config", "summary")

    def __init__(self) -> None:
        self.run_id = ""
        self.entity = ""
        self.project = ""
        self.group = ""
        self.job_type = ""
        self.name = ""
        self.notes = ""
        self.tags: List[str] = []
        self.host = ""
        self.starting_step = 0
        self.start_time: Optional[float] = None
        self.resumed = False
        self.config: Optional[Change] = None
        self.summary: Optional[Change] = None


class RunExit:
    __slots__ = ("exit_code", "runtime")

    def __init__(self, exit_code: int, runtime: int):
        self.exit_code = exit_code
        self.runtime = runtime


class Header:
    """Which wandb wrote the file (`producer`, e.g. "0.31.0+...") and the oldest reader it
    asks for (`min_consumer`)."""

    __slots__ = ("producer", "min_consumer")

    def __init__(self, producer: str, min_consumer: str):
        self.producer = producer
        self.min_consumer = min_consumer


class Unknown:
    """A record type this decoder does not know (a newer wandb's): `field` is its number."""

    __slots__ = ("field",)

    def __init__(self, field: int):
        self.field = field


Decoded = Any  # History | Change | RunStart | RunExit | Header | Unknown | None


def decode_value(text: str) -> Any:
    """A `value_json`: numbers without the json module (most values are plain numbers, and
    json.loads costs several times int()/float() on them), anything else with it."""
    if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
        return int(text)
    if text[:1] not in _JSON_STARTS:
        try:
            # float() also takes "inf"/"1_0", which JSON never holds; NaN/Infinity it shares.
            return float(text)
        except ValueError:
            pass
    return json.loads(text)


_JSON_STARTS = frozenset('"{[tfn')  # strings, objects, arrays, true, false, null
_names: Dict[bytes, str] = {}  # key bytes -> str: a run logs the same few keys again and again


def _span(buf: bytes, pos: int, end: int) -> Tuple[int, int]:
    """(start, stop) of the length-delimited value whose length starts at `pos`."""
    n = buf[pos] if pos < end else 0x80
    if n < 0x80:
        pos += 1
    else:
        n, pos = varint(buf, pos)
    stop = pos + n
    if stop > end:
        raise DecodeError("field runs past its message")
    return pos, stop


def _text(buf: bytes, pos: int, end: int) -> Tuple[str, int]:
    start, stop = _span(buf, pos, end)
    return buf[start:stop].decode("utf-8", "replace"), stop


def decode(buf: bytes) -> Decoded:
    """What one Record holds that runwrap records; None for the record types it does not need.
    Raises DecodeError for bytes that are not a Record."""
    pos = 0
    end = len(buf)
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        field = key >> 3
        wire = key & 7
        if wire == 2 and field not in _RECORD_FIELDS:
            start, stop = _span(buf, pos, end)
            if field == 2:
                return _history(buf, start, stop)
            if field == 3:
                return _change("summary", buf, start, stop)
            if field == 5:
                return _change("config", buf, start, stop)
            if field == 17:
                return _run(buf, start, stop)
            if field == 18:
                return _exit(buf, start, stop)
            if field == 21:
                return _header(buf, start, stop)
            if field not in RECORD_TYPES:
                return Unknown(field)
            return None
        pos = skip(buf, pos, wire, end)
    return None


def _history(buf: bytes, pos: int, end: int) -> History:
    values: Dict[str, Any] = {}
    step: Optional[int] = None
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        if key == 0x0A:  # 1: item
            start, pos = _span(buf, pos, end)
            path, value = _item(buf, start, pos)
            if len(path) == 1:
                values[path[0]] = value
            elif path:
                values[".".join(path)] = value
        elif key == 0x12:  # 2: step { num 1 }
            start, pos = _span(buf, pos, end)
            step = 0
            while start < pos:
                k, start = varint(buf, start)
                if k == 0x08:
                    step, start = varint(buf, start)
                    step = signed64(step)
                else:
                    start = skip(buf, start, k & 7, pos)
        else:
            pos = skip(buf, pos, key & 7, end)
    return History(step, values)


_NO_VALUE = object()


def _item(buf: bytes, pos: int, end: int) -> Tuple[KeyPath, Any]:
    """A HistoryItem, SummaryItem or ConfigItem: its key path and value (None when absent)."""
    # The shape wandb writes almost always: one key (field 1) or one-name key path (field 2),
    # then value_json (field 16: key bytes 0x82 0x01), both shorter than 128 bytes.
    key = buf[pos] if pos < end else 0
    if key == 0x12 or key == 0x0A:
        n = buf[pos + 1]
        at = pos + 2 + n
        if n < 0x80 and at + 3 <= end and buf[at] == 0x82 and buf[at + 1] == 0x01 \
                and buf[at + 2] < 0x80 and at + 3 + buf[at + 2] == end:
            raw = buf[pos + 2:at]
            name = _names.get(raw)
            if name is None:
                name = raw.decode("utf-8", "replace")
                if len(_names) < 10000:
                    _names[raw] = name
            return (name,), decode_value(buf[at + 3:end].decode("utf-8", "replace"))
    return _any_item(buf, pos, end)


def _any_item(buf: bytes, pos: int, end: int) -> Tuple[KeyPath, Any]:
    key_name = ""
    path: List[str] = []
    value: Any = _NO_VALUE
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        field = key >> 3
        wire = key & 7
        if wire == 2 and field in (1, 2, 7, 8, 16):
            text, pos = _text(buf, pos, end)
            if field == 1:
                key_name = text
            elif field == 2:
                path.append(text)
            elif field == 7:  # text
                value = text
            else:  # json, value_json
                value = decode_value(text) if text else None
        elif wire == 0 and field in (3, 4, 5):
            v, pos = varint(buf, pos)
            if field == 3:  # none
                value = None
            elif field == 4:  # boolean
                value = bool(v)
            else:  # integer: sint64, zigzag
                value = (v >> 1) ^ -(v & 1)
        elif wire == 1 and field == 6:  # number: double
            if pos + 8 > end:
                raise DecodeError("double runs past its item")
            value = _double(buf, pos)[0]
            pos += 8
        else:
            pos = skip(buf, pos, wire, end)
    keys = tuple(path) if path else ((key_name,) if key_name else ())
    return keys, None if value is _NO_VALUE else value


def _change(kind: str, buf: bytes, pos: int, end: int) -> Change:
    update: Dict[KeyPath, Any] = {}
    remove: List[KeyPath] = []
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        if key in (0x0A, 0x12):  # 1: update, 2: remove
            start, pos = _span(buf, pos, end)
            path, value = _item(buf, start, pos)
            if not path:
                continue
            if key == 0x0A:
                update[path] = value
            else:
                remove.append(path)
        else:
            pos = skip(buf, pos, key & 7, end)
    return Change(kind, update, remove)


def _run(buf: bytes, pos: int, end: int) -> RunStart:
    run = RunStart()
    texts = {1: "run_id", 2: "entity", 3: "project", 6: "group", 7: "job_type", 8: "name",
             9: "notes", 13: "host"}
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        field = key >> 3
        wire = key & 7
        if wire == 2 and field in texts:
            text, pos = _text(buf, pos, end)
            setattr(run, texts[field], text)
        elif wire == 2 and field == 10:
            text, pos = _text(buf, pos, end)
            run.tags.append(text)
        elif wire == 2 and field in (4, 5):
            start, pos = _span(buf, pos, end)
            change = _change("config" if field == 4 else "summary", buf, start, pos)
            if field == 4:
                run.config = change
            else:
                run.summary = change
        elif wire == 2 and field == 17:  # google.protobuf.Timestamp
            start, pos = _span(buf, pos, end)
            seconds = nanos = 0
            while start < pos:
                k, start = varint(buf, start)
                if k == 0x08:
                    seconds, start = varint(buf, start)
                    seconds = signed64(seconds)
                elif k == 0x10:
                    nanos, start = varint(buf, start)
                else:
                    start = skip(buf, start, k & 7, pos)
            run.start_time = seconds + nanos / 1e9
        elif wire == 0 and field in (14, 18):
            v, pos = varint(buf, pos)
            if field == 14:
                run.starting_step = signed64(v)
            else:
                run.resumed = bool(v)
        else:
            pos = skip(buf, pos, wire, end)
    return run


def _exit(buf: bytes, pos: int, end: int) -> RunExit:
    exit_code = runtime = 0
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        if key in (0x08, 0x10):
            v, pos = varint(buf, pos)
            v = signed32(v)
            if key == 0x08:
                exit_code = v
            else:
                runtime = v
        else:
            pos = skip(buf, pos, key & 7, end)
    return RunExit(exit_code, runtime)


def _header(buf: bytes, pos: int, end: int) -> Header:
    producer = min_consumer = ""
    while pos < end:
        key = buf[pos]
        pos += 1
        if key >= 0x80:
            key, pos = varint(buf, pos - 1)
        if key == 0x0A:  # version_info
            start, pos = _span(buf, pos, end)
            while start < pos:
                k, start = varint(buf, start)
                if k == 0x0A:
                    producer, start = _text(buf, start, pos)
                elif k == 0x12:
                    min_consumer, start = _text(buf, start, pos)
                else:
                    start = skip(buf, start, k & 7, pos)
        else:
            pos = skip(buf, pos, key & 7, end)
    return Header(producer, min_consumer)
