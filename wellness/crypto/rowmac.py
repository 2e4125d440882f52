"""Rows the database cannot forge: a MAC over a row's identity and the columns that decide who
can read. Pure: no Flask, no database.

The database is untrusted storage (PRODUCT.md). A signature on a public key says whose key it
is, but the rows around it decide who signs in with it: the password hash, the wrapped private
key, the authenticator, the session epoch, the role rows. Someone who can write the database
could insert a whole account or swap those columns. So each such row carries an HMAC-SHA256,
under a key only ``instance/keys/rows.key`` holds, over its table, its primary key and every
column that matters, in a fixed order: a row the app did not write, a column changed, or a MAC
copied from another row does not verify.
"""

from __future__ import annotations

import enum
import hmac
import struct
from collections.abc import Sequence

MAC_BYTES = 32
_TAG = b"wellness row mac v1"


def _encode(value: object) -> bytes:
    """One value, typed and length-prefixed, so no two different rows encode alike."""
    if value is None:
        kind, raw = b"n", b""
    elif isinstance(value, bool):
        kind, raw = b"b", b"1" if value else b"0"
    elif isinstance(value, enum.Enum):
        kind, raw = b"s", str(value.value).encode()
    elif isinstance(value, int):
        kind, raw = b"i", str(value).encode()
    elif isinstance(value, str):
        kind, raw = b"s", value.encode()
    elif isinstance(value, bytes | bytearray | memoryview):
        kind, raw = b"x", bytes(value)
    else:
        raise TypeError(f"a row MAC does not cover values of type {type(value).__name__}")
    return kind + struct.pack(">I", len(raw)) + raw


def message(table: str, values: Sequence[tuple[str, object]]) -> bytes:
    """The exact bytes the MAC covers: the table, then each column's name and value."""
    out = _encode(_TAG) + _encode(table)
    for name, value in values:
        out += _encode(name) + _encode(value)
    return out


def mac(key: bytes, table: str, values: Sequence[tuple[str, object]]) -> bytes:
    """The row's MAC under ``key``."""
    return hmac.new(key, message(table, values), "sha256").digest()


def verifies(
    key: bytes, table: str, values: Sequence[tuple[str, object]], stored: bytes | None
) -> bool:
    """True only when ``stored`` is this row's MAC (compared in constant time)."""
    if stored is None or len(stored) != MAC_BYTES:
        return False
    return hmac.compare_digest(mac(key, table, values), bytes(stored))
