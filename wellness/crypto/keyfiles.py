"""Key files in the instance folder: created once, owner-only (0600), never overwritten."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO


class KeyFileExistsError(Exception):
    """A key file is already there; overwriting it would lose access to what it protects."""


def _written_beside(path: Path, data: bytes) -> str:
    """``data`` in full in an owner-only temporary file next to ``path``; returns its name."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def create_key_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to a new file readable only by its owner; refuse if the file exists."""
    path = Path(path)
    # Written in full under a temporary name, then linked into place: another process never
    # sees a half-written key, and an existing key is never replaced (link fails instead).
    temporary = _written_beside(path, data)
    try:
        os.link(temporary, path)
    except FileExistsError as exc:
        raise KeyFileExistsError(str(path)) from exc
    finally:
        os.unlink(temporary)
    return path


def replace_key_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` over ``path`` atomically (owner-only): for the few files that are meant to
    change, such as the recovery key's pin after ``rotate-recovery``."""
    path = Path(path)
    os.replace(_written_beside(path, data), path)
    return path


def open_private(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for writing, created owner-only (0600) whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
    return os.fdopen(fd, "wb")


def lock_down(directory: str | os.PathLike[str]) -> None:
    """The instance folder owner-only: the folder and ``keys/`` 0700, every file in them 0600
    (the database, its journal or WAL, keys, checkpoints), whatever the umask was."""
    for folder in (Path(directory), Path(directory) / "keys"):
        if not folder.is_dir():
            continue
        folder.chmod(0o700)
        for item in folder.iterdir():
            if item.is_file() and not item.is_symlink():
                item.chmod(0o600)


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
