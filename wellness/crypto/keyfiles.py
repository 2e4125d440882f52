"""Key files in the instance folder: created once, owner-only (0600), never overwritten."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


class KeyFileExistsError(Exception):
    """A key file is already there; overwriting it would lose access to what it protects."""


def create_key_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to a new file readable only by its owner; refuse if the file exists."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Written in full under a temporary name, then linked into place: another process never
    # sees a half-written key, and an existing key is never replaced (link fails instead).
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError as exc:
            raise KeyFileExistsError(str(path)) from exc
    finally:
        os.unlink(temporary)
    return path


def read_or_create_random_key(path: str | os.PathLike[str], nbytes: int = 32) -> bytes:
    """Return the key stored at ``path``, generating a random one on first use."""
    path = Path(path)
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        if len(existing) < nbytes:
            raise KeyFileExistsError(f"{path} is shorter than a key: refusing to use it")
        return existing
    key = secrets.token_bytes(nbytes)
    try:
        create_key_file(path, key)
    except KeyFileExistsError:  # another process won the race: use its key
        return path.read_bytes()
    return key
