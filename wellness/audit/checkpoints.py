"""The access log's state kept outside the database. Pure: no Flask.

- Signed checkpoints: a line per checkpoint in a file in the instance folder: the number of
  entries, the last entry's MAC, when, and the instance's signature over them (daily, and at
  every ``audit verify``).
- The head: the newest (count, last MAC) any process of this instance committed, rewritten
  after every commit that added entries, and only ever moved forward.

Someone who can only write the database cannot move the log back behind either unnoticed, nor
forge one: a log put back to an earlier genuine state, however recent, is behind the head.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wellness.audit.chain import Checkpoint
from wellness.crypto import signing


class CheckpointError(Exception):
    """The checkpoint file has been altered (a line whose signature does not verify)."""


def _statement(point: Checkpoint) -> bytes:
    kind = "audit-checkpoint-restored-v1" if point.restored else "audit-checkpoint-v1"
    return signing.statement(kind, point.seq, point.last_hash, point.at, point.keyed_from)


def append(path: str | os.PathLike[str], point: Checkpoint, key: Ed25519PrivateKey) -> None:
    """Add a signed checkpoint (the file is created owner-only)."""
    path = Path(path)
    line = json.dumps(
        {
            "seq": point.seq,
            "hash": point.last_hash,
            "at": point.at,
            "keyed_from": point.keyed_from,
            **({"restored": True} if point.restored else {}),
            "sig": signing.sign(key, _statement(point)).hex(),
        }
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def latest(path: str | os.PathLike[str], public: Ed25519PublicKey) -> Checkpoint | None:
    """The checkpoint with the most entries since the last restore, every line's signature
    checked."""
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
                int(data["seq"]),
                str(data["hash"]),
                str(data["at"]),
                int(data["keyed_from"]),
                bool(data.get("restored", False)),
            )
            signature = bytes.fromhex(data["sig"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"checkpoint line {number} is unreadable") from exc
        if not signing.verifies(public, signature, _statement(point)):
            raise CheckpointError(f"checkpoint line {number} does not carry a valid signature")
        if best is None or point.restored or point.seq >= best.seq:
            best = point
    return best


def _head_mac(point: Checkpoint, key: bytes) -> str:
    message = f"audit-head-v1\x1f{point.seq}\x1f{point.last_hash}\x1f{point.at}".encode()
    return hmac.new(key, message, "sha256").hexdigest()


def read_head(path: str | os.PathLike[str], key: bytes) -> Checkpoint | None:
    """The newest head written outside the database (None before the first); CheckpointError
    if the file was altered."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
        point = Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]))
        mac = str(data["mac"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError("the head file is unreadable") from exc
    if not hmac.compare_digest(_head_mac(point, key), mac):
        raise CheckpointError("the head file does not carry a valid MAC")
    return point


def advance_head(
    path: str | os.PathLike[str], point: Checkpoint, key: bytes, reset: bool = False
) -> bool:
    """Record ``point`` as the head if it is newer than the one recorded (processes take turns
    on a lock file, and the file is replaced whole). True if it moved. ``reset`` records it
    whatever was there: only after an operator's restore, with a restored checkpoint."""
    path = Path(path)
    lock = os.open(f"{path}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = read_head(path, key)
        except CheckpointError:
            current = None  # an unreadable file is replaced; verify has reported it
        if not reset and current is not None and current.seq >= point.seq:
            return False
        data = {"seq": point.seq, "hash": point.last_hash, "at": point.at}
        temporary = path.with_name(path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data | {"mac": _head_mac(point, key)}))
        os.replace(temporary, path)
        return True
    finally:
        os.close(lock)  # releases the lock
