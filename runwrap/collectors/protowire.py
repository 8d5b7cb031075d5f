"""The protobuf wire format, just enough to walk a message field by field without the
`protobuf` runtime (why not the runtime: see tensorboard/decoding.py). Shared by the TensorBoard event
decoder and the wandb record decoder.

A message is a sequence of `key value` pairs, key = field_number << 3 | wire_type; wire types
0 varint, 1 fixed 64 bits, 2 length-delimited (strings, bytes, sub-messages, packed repeats),
5 fixed 32 bits. Unknown fields are skipped by their wire type, which is what lets an old
reader decode a newer writer's messages.
"""
from __future__ import annotations

from typing import Tuple

__all__ = ["DecodeError", "varint", "skip", "signed32", "signed64"]


class DecodeError(ValueError):
    """The bytes are not a well-formed message."""


def varint(buf: bytes, pos: int) -> Tuple[int, int]:
    """The varint at `pos` and the position after it."""
    result = 0
    shift = 0
    while True:
        try:
            b = buf[pos]
        except IndexError:
            raise DecodeError("truncated varint") from None
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError("varint longer than 10 bytes")


def skip(buf: bytes, pos: int, wire: int, end: int) -> int:
    """Position after a field of wire type `wire` whose key ended at `pos`."""
    if wire == 0:
        _, pos = varint(buf, pos)
    elif wire == 1:
        pos += 8
    elif wire == 2:
        n, pos = varint(buf, pos)
        pos += n
    elif wire == 5:
        pos += 4
    else:  # groups (3, 4) are not used by these protos; 6 and 7 do not exist
        raise DecodeError(f"unsupported wire type {wire}")
    if pos > end:
        raise DecodeError("field runs past its message")
    return pos


def signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def signed32(v: int) -> int:
    # int32 fields are sign-extended to 64 bits on the wire.
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v

