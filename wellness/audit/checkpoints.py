"""Signed checkpoints of the access log, kept outside the database. Pure: no Flask.

A line per checkpoint in a file in the instance folder: the number of entries, the last entry's
MAC, when, and the instance's signature over them. Someone who can only write the database
cannot move the log back behind a checkpoint unnoticed, nor forge one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wellness.audit.chain import Checkpoint
from wellness.crypto import signing


class CheckpointError(Exception):
    """The checkpoint file has been altered (a line whose signature does not verify)."""


def _statement(point: Checkpoint) -> bytes:
    return signing.statement(
        "audit-checkpoint-v1", point.seq, point.last_hash, point.at, point.keyed_from
    )


def append(path: str | os.PathLike[str], point: Checkpoint, key: Ed25519PrivateKey) -> None:
    """Add a signed checkpoint (the file is created owner-only)."""
    path = Path(path)
    line = json.dumps(
        {
            "seq": point.seq,
            "hash": point.last_hash,
            "at": point.at,
            "keyed_from": point.keyed_from,
            "sig": signing.sign(key, _statement(point)).hex(),
        }
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def latest(path: str | os.PathLike[str], public: Ed25519PublicKey) -> Checkpoint | None:
    """The checkpoint with the most entries, every line's signature checked."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return None
    best: Checkpoint | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            point = Checkpoint(
                int(data["seq"]), str(data["hash"]), str(data["at"]), int(data["keyed_from"])
            )
            signature = bytes.fromhex(data["sig"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"checkpoint line {number} is unreadable") from exc
        if not signing.verifies(public, signature, _statement(point)):
            raise CheckpointError(f"checkpoint line {number} does not carry a valid signature")
        if best is None or point.seq >= best.seq:
            best = point
    return best
