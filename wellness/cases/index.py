"""An officer's private index of their own cases. Pure: no Flask, no database.

The index says which cases someone asked for or reported, so it is sealed to their public key
and padded to a fixed size step: from outside they all look alike, and none says whose it is.
Entries made while the person is away go to an unaddressed inbox (keys.models.IndexInbox) and
are folded in at their next sign-in, so an index is always exactly one box.
"""

from __future__ import annotations

import json
import struct

from wellness.crypto import envelope
from wellness.crypto.errors import DecryptionError

PAD_STEP = 1024
_LEN = struct.Struct(">I")

Entry = dict[str, object]  # {"case": 12, "as": "owner"} or {"case": 13, "as": "reporter"}


def seal(entries: list[Entry], public: bytes, context: bytes) -> bytes:
    """A fresh index holding ``entries``, as one sealed, padded box."""
    return _pack([_seal_box(entries, public, context)])


def read(blob: bytes, private: bytes, context: bytes) -> list[Entry]:
    """Every entry in every box, without repeats, oldest first."""
    seen: list[Entry] = []
    for box in _unpack(blob):
        padded = envelope.open_sealed(box, private, context)
        for entry in json.loads(padded.rstrip(b"\0")):
            if entry not in seen:
                seen.append(entry)
    return seen


def _seal_box(entries: list[Entry], public: bytes, context: bytes) -> bytes:
    plain = json.dumps(entries, separators=(",", ":")).encode()
    plain += b"\0" * (-len(plain) % PAD_STEP)
    return envelope.seal(plain, public, context)


def _pack(boxes: list[bytes]) -> bytes:
    return b"".join(_LEN.pack(len(box)) + box for box in boxes)


def _unpack(blob: bytes) -> list[bytes]:
    boxes, offset = [], 0
    while offset < len(blob):
        if offset + _LEN.size > len(blob):
            raise DecryptionError("case index is truncated")
        (size,) = _LEN.unpack_from(blob, offset)
        offset += _LEN.size
        if offset + size > len(blob):
            raise DecryptionError("case index is truncated")
        boxes.append(blob[offset : offset + size])
        offset += size
    return boxes
