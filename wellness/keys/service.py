"""Each person's keys over their account's life: create, unlock, re-wrap, replace after a reset,
and their private case index.

See SECURITY.md. The private key exists in clear only in memory, while a request that needs it
runs; at rest it is wrapped under the password-derived key, under a session key (login_sessions)
and sealed to the program recovery key.
"""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, select, update

from wellness.accounts.models import AuthenticatorStep, User
from wellness.audit import service as audit
from wellness.cases import index
from wellness.crypto import envelope, kdf, keypairs, recovery, serverkeys, signing
from wellness.crypto.errors import CryptoError, DecryptionError, RecoveryCodeError
from wellness.extensions import db
from wellness.keyring import (
    create_instance_secrets,
    create_signing_key,
    key_dir,
    pin_recovery_key,
    signing_key,
)
from wellness.keys import trust
from wellness.keys.models import CaseIndex, IndexInbox, RecoveryKey, RetiredUserKey
from wellness.keys.trust import KeysNotInitialisedError
from wellness.transaction import use_case

__all__ = ["KeysNotInitialisedError"]


def _ctx(field: str, public: bytes) -> bytes:
    # Bound to the keypair rather than the row id, which does not exist before the first flush;
    # a box copied to another account meets a different public key and fails.
    return b"wellness:v1:users:" + field.encode() + b":" + public


def recovery_context(public: bytes) -> bytes:
    """Where a person's private key sealed to the recovery key belongs (their public key)."""
    return _ctx("recovery_sealed_key", public)


def index_context(public: bytes) -> bytes:
    """Where a person's case index belongs (their public key)."""
    return _ctx("case_index", public)


def _kdf_params() -> kdf.KdfParams:
    cfg = current_app.config
    return kdf.new_params(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"]
    )


def initialise_instance() -> int:
    """A new instance's key files: the first server key, the signing key, the audit key and
    the receipt pepper; returns the server key's id (``init``, and the tests' instances)."""
    key_id = serverkeys.add_key(key_dir())
    create_signing_key()
    create_instance_secrets()
    audit.checkpoint(keyed_from=1)
    return key_id


def recovery_public_key() -> bytes:
    """The pinned program recovery public key (trust.recovery_key checks the pin)."""
    return trust.recovery_key().public


@use_case
def create_recovery_key() -> str:
    """Store the public half of a new recovery keypair, pin its fingerprint in the instance
    folder, and return the private half as a code (shown once)."""
    if db.session.scalar(select(RecoveryKey.id).limit(1)) is not None:
        raise CryptoError("a recovery key already exists")
    pair = keypairs.generate()
    db.session.add(RecoveryKey(public_key=pair.public))
    pin_recovery_key(pair.public)
    return recovery.encode(pair.private)


def recovery_private_key(code: str) -> bytes:
    """The recovery private key from a typed code, checked against the pinned public half."""
    private = recovery.decode(code)
    if not recovery.matches(private, recovery_public_key()):
        raise RecoveryCodeError("this is not this program's recovery code")
    return private


def give_new_keypair(user: User, password: str, own_password: bool = True) -> bytes:
    """A fresh hybrid keypair for ``user``, wrapped under ``password``; returns the private half.

    ``own_password`` False (a one-time password someone else saw): the key is not signed, so
    nothing is sealed to it until the person chooses their own password.
    """
    pair = keypairs.generate()
    params = _kdf_params()
    user.public_key = pair.public
    user.key_kdf = params.encode()
    user.wrapped_private_key = keypairs.wrap_private(
        pair.private, kdf.derive_key(password, params), _ctx("private_key", pair.public)
    )
    user.recovery_sealed_key = envelope.seal(
        pair.private, recovery_public_key(), recovery_context(pair.public)
    )
    user.key_signature = None
    user.case_index = None
    if user.id is None:
        db.session.add(user)
        db.session.flush()
    if own_password:
        trust.sign_own_key(user)
    # No index row yet: it is made when the person first has an entry, in that transaction.
    # Written here, with the account, the row's version (PostgreSQL's xmin) would tie the
    # handle to the account for as long as the row lived (SECURITY.md, engine bookkeeping).
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

    Nothing old opens with the new key until a coordinator restores access with the recovery
    code; the new key is not signed until the person chooses their own password.
    """
    db.session.add(
        RetiredUserKey(
            user_id=user.id,
            public_key=user.public_key,
            recovery_sealed_key=user.recovery_sealed_key,
            case_index=user.case_index,  # only set for an index of an earlier release
        )
    )
    give_new_keypair(user, temporary_password, own_password=False)


def open_retired(retired: RetiredUserKey, recovery_private: bytes) -> bytes:
    """A retired private key, opened with the recovery key."""
    return envelope.open_sealed(
        retired.recovery_sealed_key,
        recovery_private,
        recovery_context(retired.public_key),
    )


# --- the person's private case index ----------------------------------------------------------


def index_handle(private: bytes) -> bytes:
    """Where a person's index is kept: derived from their private key, so no one else can tell
    which index row is theirs."""
    info = b"wellness case index handle v1"
    return HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(private)


def _store_index(private: bytes, box: bytes) -> None:
    handle = index_handle(private)
    row = db.session.get(CaseIndex, handle)
    if row is None:
        db.session.add(CaseIndex(handle=handle, box=box))
    else:
        row.box = box


def read_index(user: User, private: bytes) -> list[index.Entry]:
    """The person's case index, opened with their private key (from where an earlier release
    kept it if it has no row yet; empty if none)."""
    row = db.session.get(CaseIndex, index_handle(private))
    blob = row.box if row is not None else user.case_index  # an earlier release's place
    if blob is None:
        return []
    return index.read(blob, private, index_context(user.public_key))


def write_index(user: User, private: bytes, entries: list[index.Entry]) -> None:
    """Replace the index with one padded box sealed to the person's (signed) key (made on its
    first entry). Never in a transaction that writes the person's account row."""
    public = trust.own_key(user).public
    _store_index(private, index.seal(entries, public, index_context(public)))
    if user.case_index is not None:  # an earlier release's place, emptied once
        user.case_index = None


def drop_index(private: bytes) -> None:
    """Remove an index row (the keypair it belonged to was replaced)."""
    db.session.execute(delete(CaseIndex).where(CaseIndex.handle == index_handle(private)))


def read_retired_index(retired: RetiredUserKey, private: bytes) -> list[index.Entry]:
    """The case index of a keypair a reset replaced, opened with that old private key (empty if
    none)."""
    row = db.session.get(CaseIndex, index_handle(private))
    blob = row.box if row is not None else retired.case_index
    if blob is None:
        return []
    return index.read(blob, private, index_context(retired.public_key))


def lock_index(private: bytes) -> None:
    """Take the index row's write lock (a row lock on PostgreSQL, the write lock on SQLite) and
    re-read it, so a read-modify-write of the index cannot lose another writer's entry.

    The account row is not touched: when someone's row changes must not say when they asked."""
    handle = index_handle(private)
    db.session.execute(
        update(CaseIndex)
        .where(CaseIndex.handle == handle)
        .values(box=CaseIndex.box)
        .execution_options(synchronize_session=False)
    )
    row = db.session.get(CaseIndex, handle)
    if row is not None:
        db.session.refresh(row)


def refresh_row_versions() -> None:
    """Rewrite every inbox box, index row, authenticator step and account row in one
    transaction, then (on PostgreSQL) vacuum them, daily.

    PostgreSQL keeps, with every row version, the transaction that wrote it (``xmin``) and the
    one that replaced it (``xmax``), and a replaced version stays in the file until VACUUM. An
    index row's version would otherwise say which request last changed it, and a dead version
    which requests one person made. Rewritten together, every row's version names the same
    transaction; vacuumed, the versions behind them are gone from every page. The values do
    not change (the MACs of keys/rows.py stay valid). The tables are taken in the order a
    sign-in takes them (the inbox, then the index), so the two never wait on each other."""
    db.session.execute(update(IndexInbox).values(box=IndexInbox.box))
    db.session.execute(update(CaseIndex).values(box=CaseIndex.box))
    db.session.execute(update(AuthenticatorStep).values(box=AuthenticatorStep.box))
    db.session.execute(update(User).values(id=User.id))
    db.session.commit()
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in (IndexInbox, CaseIndex, AuthenticatorStep, User):
                conn.exec_driver_sql(f"VACUUM {table.__tablename__}")


def _inbox_statement(public: bytes, entries: list[index.Entry]) -> bytes:
    return signing.inbox(
        public, json.dumps(entries, sort_keys=True, separators=(",", ":")).encode()
    )


def post_to_inbox(user: User, entries: list[index.Entry]) -> None:
    """Leave entries for someone who is not signed in, without naming them (see IndexInbox).

    The server signs them: anyone can seal a box to a public key, so a database writer could
    otherwise slip an entry for someone else's case into a person's index."""
    public = trust.own_key(user).public
    signature = signing.sign(signing_key(), _inbox_statement(public, entries))
    signed = [*entries, {"sig": signature.hex()}]
    db.session.add(IndexInbox(box=index.seal(signed, public, index_context(public))))


def _signed_entries(box: list[index.Entry], public: bytes) -> list[index.Entry] | None:
    entries = [e for e in box if "sig" not in e]
    sigs = [e["sig"] for e in box if "sig" in e]
    try:
        signature = bytes.fromhex(str(sigs[0])) if len(sigs) == 1 else b""
    except ValueError:
        signature = b""
    message = _inbox_statement(public, entries)
    if signing.verifies(signing_key().public_key(), signature, message):
        return entries
    return None


def claim_inbox(user: User, private: bytes) -> list[tuple[int, bytes]]:
    """At sign-in: fold any inbox boxes sealed to this person into their index, and return the
    data keys some entries carry (cases whose key the person's own session must re-seal to
    them: after a restore or a key upgrade, done here rather than in the transaction that
    named them). A box without the server's signature (written into the database by someone
    else) is dropped and reported. An entry may also name an old index of theirs to drop."""
    found: list[index.Entry] = []
    for row in db.session.scalars(select(IndexInbox).order_by(IndexInbox.id)).all():
        try:
            box = index.read(row.box, private, index_context(user.public_key))
        except DecryptionError:
            continue  # someone else's
        db.session.delete(row)
        entries = _signed_entries(box, user.public_key)
        if entries is None:
            trust.report_failure(f"an index inbox entry for account {user.id} is not signed")
            continue
        found += entries
    keys_held = [(int(e["case"]), bytes.fromhex(str(e["key"]))) for e in found if "key" in e]
    for entry in found:
        if "drop" in entry:
            db.session.execute(
                delete(CaseIndex).where(CaseIndex.handle == bytes.fromhex(str(entry["drop"])))
            )
    plain = [{k: v for k, v in e.items() if k != "key"} for e in found if "case" in e and "as" in e]
    if plain:
        lock_index(private)
        current = read_index(user, private)
        write_index(user, private, current + [e for e in plain if e not in current])
    return keys_held
