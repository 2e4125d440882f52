"""The instance's key files (instance/keys), read once per process and reloaded on rotation.

- ``server-NNNN.key``: the rotatable server keys for class-B fields;
- ``signing.key``: Ed25519, signs whose each public key is and the access log's checkpoints;
- ``audit.key``: the access log's HMAC chain key;
- ``receipt.key``: the pepper that salts anonymous receipt codes;
- ``rows.key``: authenticates the rows that decide who can read (accounts, roles, sessions);
- ``recovery.pin``: the program recovery public key and its fingerprint.

None of these is ever in the database: a database writer cannot forge what they protect.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from wellness.crypto import keyfiles, keypairs, serverkeys, signing
from wellness.crypto.fields import SERVER_FIELDS, ServerField

_EXT = "wellness_server_keys"
SIGNING, AUDIT, RECEIPT, PIN = "signing.key", "audit.key", "receipt.key", "recovery.pin"
ROWS = "rows.key"


class InstanceKeyError(Exception):
    """A key file the app needs is missing (run ``init``, or ``keys adopt`` after an upgrade)."""


def key_dir() -> str:
    """The instance's key folder, instance/keys."""
    return os.path.join(current_app.instance_path, "keys")


def server_keyring(reload: bool = False) -> serverkeys.ServerKeyring:
    """The server keys, read once per process (and again with ``reload``)."""
    ext = current_app.extensions
    if reload or _EXT not in ext:
        ext[_EXT] = serverkeys.load(key_dir())
    return ext[_EXT]


def encrypt_field(field: ServerField, row_id: int, plaintext: bytes) -> str:
    """Encrypt one class-B value of row ``row_id`` under the newest server key, re-reading the
    keys if another process added one (a rotation in progress must not see new values made
    under the key it is retiring). Only fields in ``fields.SERVER_FIELDS``: those are the
    ones rotation re-encrypts."""
    if field not in SERVER_FIELDS:
        raise ValueError(f"{field.table}.{field.name} is not a registered server-key field")
    ring = server_keyring()
    if max(serverkeys.key_files(key_dir()), default=ring.active_id) != ring.active_id:
        ring = server_keyring(reload=True)
    return ring.encrypt(plaintext, field.context(row_id), field.bucket)


def decrypt_field(field: ServerField, row_id: int, token: str) -> bytes:
    """Decrypt a class-B value (re-reading the keys once if it names a newer one)."""
    ring = server_keyring()
    if ring.key_id_of(token) not in ring.keys:
        ring = server_keyring(reload=True)
    return ring.decrypt(token, field.context(row_id))


def _cached(name: str, load):  # type: ignore[no-untyped-def]
    ext = current_app.extensions.setdefault("wellness_instance_keys", {})
    if name not in ext:
        ext[name] = load()
    return ext[name]


def create_signing_key() -> None:
    """Write a new signing key (init, or ``keys adopt``); refuses if one exists."""
    keyfiles.create_key_file(Path(key_dir()) / SIGNING, signing.new_private_bytes())


def has_signing_key() -> bool:
    """True when the instance's signing key file exists."""
    return (Path(key_dir()) / SIGNING).is_file()


def signing_key() -> Ed25519PrivateKey:
    """The instance's signing key, read once per process; InstanceKeyError if its file is gone."""

    def load() -> Ed25519PrivateKey:
        path = Path(key_dir()) / SIGNING
        if not path.is_file():
            raise InstanceKeyError(
                f"{path} is missing: run 'flask --app wellness init' (new install) or "
                "'flask --app wellness keys adopt' (upgrade)"
            )
        return signing.load_private(path.read_bytes())

    return _cached(SIGNING, load)


def _required(name: str) -> bytes:
    path = Path(key_dir()) / name
    if not path.is_file():
        # Never made up on the spot: a new audit key would make the whole log fail to verify,
        # a new pepper every receipt fail to open (an instance started without its keys).
        raise InstanceKeyError(
            f"{path} is missing: restore the instance keys (backup --keys-file), or run "
            "'flask --app wellness keys adopt' once after upgrading"
        )
    return path.read_bytes()


def create_instance_secrets() -> None:
    """The audit key, the receipt pepper and the row key, where missing (``init``,
    ``keys adopt``)."""
    for name in (AUDIT, RECEIPT, ROWS):
        path = Path(key_dir()) / name
        if not path.is_file():
            keyfiles.create_key_file(path, secrets.token_bytes(32))


def audit_key() -> bytes:
    """The access log's MAC key."""
    return _cached(AUDIT, lambda: _required(AUDIT))


def row_key() -> bytes:
    """The key that authenticates the rows deciding who can read (``keys/rows.py``)."""
    return _cached(ROWS, lambda: _required(ROWS))


def has_row_key() -> bool:
    """True when the instance's row key file exists (an instance of an earlier release has
    none until ``keys adopt``)."""
    return (Path(key_dir()) / ROWS).is_file()


def receipt_pepper() -> bytes:
    """The secret that salts receipt codes: without it a stolen database allows no guessing."""
    return _cached(RECEIPT, lambda: _required(RECEIPT))


def pinned_recovery_key() -> bytes | None:
    """The program recovery public key as ``init`` pinned it (None: not pinned yet).

    The file holds the key's fingerprint and the key itself: what is sealed to the recovery key
    never depends on the database, which could hold a planted one."""
    path = Path(key_dir()) / PIN
    try:
        fingerprint, encoded = path.read_text("ascii").split()[:2]
    except (FileNotFoundError, ValueError):
        return None
    public = base64.b64decode(encoded)
    if keypairs.fingerprint(public) != fingerprint:
        raise InstanceKeyError(f"{path} is damaged: its key does not match its fingerprint")
    return public


def pin_recovery_key(public: bytes, replace: bool = False) -> None:
    """Pin the recovery key (``init``); ``replace`` only for ``rotate-recovery``."""
    path = Path(key_dir()) / PIN
    data = f"{keypairs.fingerprint(public)}\n{base64.b64encode(public).decode()}\n".encode()
    if replace:
        keyfiles.replace_key_file(path, data)
    else:
        keyfiles.create_key_file(path, data)
