"""Each person's keys over their account's life: create, unlock, re-wrap, replace after a reset.

See SECURITY.md. The private key exists in clear only in memory, while a request that needs it
runs; at rest it is wrapped under the password-derived key, under a session key (login_sessions)
and sealed to the program recovery key.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from wellness.accounts.models import User
from wellness.cases import index
from wellness.crypto import envelope, kdf, keypairs, recovery
from wellness.crypto.errors import CryptoError, DecryptionError, RecoveryCodeError
from wellness.extensions import db
from wellness.keys.models import IndexInbox, RecoveryKey, RetiredUserKey


class KeysNotInitialisedError(CryptoError):
    """No recovery key yet: run ``flask --app wellness init``."""


def _ctx(field: str, public: bytes) -> bytes:
    # Bound to the keypair rather than the row id, which does not exist before the first flush;
    # a box copied to another account meets a different public key and fails.
    return b"wellness:v1:users:" + field.encode() + b":" + public


def index_context(public: bytes) -> bytes:
    return _ctx("case_index", public)


def _kdf_params() -> kdf.KdfParams:
    cfg = current_app.config
    return kdf.new_params(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"]
    )


def recovery_public_key() -> bytes:
    key = db.session.scalar(select(RecoveryKey).order_by(RecoveryKey.id.desc()).limit(1))
    if key is None:
        raise KeysNotInitialisedError("no recovery key: run 'flask --app wellness init'")
    return key.public_key


def create_recovery_key() -> str:
    """Store the public half of a new recovery keypair and return the private half as a code."""
    if db.session.scalar(select(RecoveryKey.id).limit(1)) is not None:
        raise CryptoError("a recovery key already exists")
    pair = keypairs.generate()
    db.session.add(RecoveryKey(public_key=pair.public))
    db.session.commit()
    return recovery.encode(pair.private)


def recovery_private_key(code: str) -> bytes:
    """The recovery private key from a typed code, checked against the stored public half."""
    private = recovery.decode(code)
    if not recovery.matches(private, recovery_public_key()):
        raise RecoveryCodeError("this is not this program's recovery code")
    return private


def give_new_keypair(user: User, password: str) -> bytes:
    """A fresh keypair for ``user``, wrapped under ``password``; returns the private half."""
    pair = keypairs.generate()
    params = _kdf_params()
    user.public_key = pair.public
    user.key_kdf = params.encode()
    user.wrapped_private_key = keypairs.wrap_private(
        pair.private, kdf.derive_key(password, params), _ctx("private_key", pair.public)
    )
    user.recovery_sealed_key = envelope.seal(
        pair.private, recovery_public_key(), _ctx("recovery_sealed_key", pair.public)
    )
    user.case_index = index.seal([], pair.public, index_context(pair.public))
    return pair.private


def unlock(user: User, password: str) -> bytes:
    """The private key, unwrapped with the password; DecryptionError if it does not open."""
    wrapping = kdf.derive_key(password, kdf.KdfParams.decode(user.key_kdf))
    return keypairs.unwrap_private(
        user.wrapped_private_key, wrapping, _ctx("private_key", user.public_key)
    )


def rewrap(user: User, private: bytes, new_password: str) -> None:
    """Wrap the same private key under a new password (password change keeps every case)."""
    if keypairs.public_of(private) != user.public_key:
        raise DecryptionError("private key does not belong to this account")
    params = _kdf_params()
    user.key_kdf = params.encode()
    user.wrapped_private_key = keypairs.wrap_private(
        private, kdf.derive_key(new_password, params), _ctx("private_key", user.public_key)
    )


def replace_after_reset(user: User, temporary_password: str) -> None:
    """Lost password: retire the old keypair (sealed to recovery) and issue a new one.

    Nothing old opens with the new key until a coordinator restores access with the recovery code.
    """
    db.session.add(
        RetiredUserKey(
            user_id=user.id,
            public_key=user.public_key,
            recovery_sealed_key=user.recovery_sealed_key,
            case_index=user.case_index,
        )
    )
    give_new_keypair(user, temporary_password)


def open_retired(retired: RetiredUserKey, recovery_private: bytes) -> bytes:
    """A retired private key, opened with the recovery key."""
    return envelope.open_sealed(
        retired.recovery_sealed_key,
        recovery_private,
        _ctx("recovery_sealed_key", retired.public_key),
    )


def read_index(user: User, private: bytes) -> list[index.Entry]:
    return index.read(user.case_index, private, index_context(user.public_key))


def write_index(user: User, entries: list[index.Entry]) -> None:
    """Replace the index with one padded box (the owner's private key was used to read it)."""
    user.case_index = index.seal(entries, user.public_key, index_context(user.public_key))


def read_retired_index(retired: RetiredUserKey, private: bytes) -> list[index.Entry]:
    return index.read(retired.case_index, private, index_context(retired.public_key))


def lock_account(user: User) -> None:
    """Take the account row's write lock (PostgreSQL row lock, SQLite write lock) and re-read it,
    so a read-modify-write of the case index cannot lose another writer's entry."""
    db.session.execute(update(User).where(User.id == user.id).values(case_index=User.case_index))
    db.session.refresh(user)


def post_to_inbox(user: User, entries: list[index.Entry]) -> None:
    """Leave entries for someone who is not signed in, without naming them (see IndexInbox)."""
    db.session.add(
        IndexInbox(box=index.seal(entries, user.public_key, index_context(user.public_key)))
    )


def claim_inbox(user: User, private: bytes) -> bool:
    """At sign-in: fold any inbox boxes sealed to this person into their index. True if any."""
    found: list[index.Entry] = []
    for row in db.session.scalars(select(IndexInbox).order_by(IndexInbox.id)).all():
        try:
            found += index.read(row.box, private, index_context(user.public_key))
        except DecryptionError:
            continue  # someone else's
        db.session.delete(row)
    if not found:
        return False
    lock_account(user)
    current = read_index(user, private)
    write_index(user, current + [e for e in found if e not in current])
    return True
