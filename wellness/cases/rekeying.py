"""Moving case keys when someone's keys change: restoring access after a password reset (with
the recovery code and the person's safety code), a fresh keypair (first own password, or an
upgrade to post-quantum keys), and a new program recovery key. Only key rows that really open
with the old key move: one the database alone could have written is left alone.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from sqlalchemy import delete, select

from wellness.accounts.models import CASE_ROLES, User
from wellness.audit import service as audit
from wellness.cases.keyholding import NotSharedError, key_context, key_row, recovery_data_key
from wellness.cases.models import CaseKey, KeyHolder
from wellness.crypto import envelope, keypairs, recovery
from wellness.crypto.errors import DecryptionError, RecoveryCodeError
from wellness.extensions import db
from wellness.keyring import pin_recovery_key, pinned_recovery_key
from wellness.keys import rows, trust
from wellness.keys import service as keys
from wellness.keys.models import CaseIndex, RecoveryKey, RetiredUserKey
from wellness.timeutil import utcnow
from wellness.transaction import use_case


def _reseal(row: CaseKey, recovery_private: bytes, public: bytes) -> None:
    key = recovery_data_key(row.case_id, recovery_private)
    row.sealed_key = envelope.seal(key, public, key_context(row.case_id, row.holder, row.user_id))


class RestoreError(Exception):
    """Access cannot be restored yet; the message says what to do first."""


@use_case
def restore_access(user: User, recovery_code: str, coordinator: User, safety_code: str) -> int:
    """After a password reset, re-seal what the person could open to their new key.

    Needs the recovery code (RecoveryCodeError otherwise); without it nothing is recoverable.
    The coordinator must have compared the safety code the person read out (so the account is
    theirs, not an admin's who reset it), and a counselor or coordinator must have been
    confirmed again. Only what the person's *retired* keys really opened is re-sealed: a key
    row or an index entry the database alone could have written opens with none of them and
    is left alone. Returns how many cases were restored. Keys are rewritten in place and the
    person's own cases are not logged one by one, so nothing links them to what they asked.
    """
    if user.must_change_password:
        # Their current key is wrapped under a one-time password someone else has seen.
        raise RecoveryCodeError("they must sign in and choose their own password first")
    if not trust.safety_code_matches(user, safety_code):
        raise RestoreError(trust.SAFETY_CODE_MISMATCH)
    trust.require_account(user)
    trust.own_key(user)  # their own key must check out: the inbox is sealed to it
    recovery_private = keys.recovery_private_key(recovery_code)
    retired = _retired_keys(user)
    old_keys = [keys.open_retired(r, recovery_private) for r in retired]
    restored = _restore_shared(user, old_keys, recovery_private, coordinator)
    for row, old_private in zip(retired, old_keys, strict=True):
        kept = []
        for entry in keys.read_retired_index(row, old_private):
            key = key_row(int(entry["case"]), KeyHolder.OWNER)
            if entry.get("as") != "owner":
                kept.append(entry)  # a concern they raised: its status only, no key
            elif key is not None and _genuine(key, [old_private], recovery_private):
                # Re-sealed by the person's own session when they take the entry (keys.
                # claim_inbox), not here: this transaction names them (their retired key).
                data_key = recovery_data_key(key.case_id, recovery_private)
                kept.append({**entry, "key": data_key.hex()})
                restored += 1
        # The old index goes when they take these entries, in their own transaction.
        keys.post_to_inbox(user, [*kept, {"drop": keys.index_handle(old_private).hex()}])
        row.case_index, row.restored_at = None, utcnow()
    return restored


def _retired_keys(user: User) -> list[RetiredUserKey]:
    """The person's retired keys not yet restored, as this instance wrote them: a row the
    database alone wrote (a planted key) is reported and left alone."""
    found = db.session.scalars(
        select(RetiredUserKey).where(
            RetiredUserKey.user_id == user.id, RetiredUserKey.restored_at.is_(None)
        )
    ).all()
    for row in found:
        if not rows.authentic(row):
            trust.report_failure(f"retired key {row.id} of account {user.id} fails its check")
    return [row for row in found if rows.authentic(row)]


def _restore_shared(
    user: User, old_keys: list[bytes], recovery_private: bytes, coordinator: User
) -> int:
    """Cases shared with the person as a counselor or coordinator, re-sealed once they have
    been confirmed again (each re-seal logged)."""
    shared = [
        row
        for row in db.session.scalars(
            select(CaseKey).where(CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id)
        ).all()
        if _genuine(row, old_keys, recovery_private)
    ]
    if not shared:
        return 0
    confirmed = [r for r in sorted(user.roles & CASE_ROLES) if trust.endorsed(user, r)]
    if not confirmed:
        raise RestoreError(
            "Confirm them on the team page first (their safety code): the cases shared with "
            "them as a counselor or coordinator are restored only then."
        )
    target = trust.case_key(user, confirmed[0]).public
    for row in shared:
        _reseal(row, recovery_private, target)
        audit.record(
            "coordinator",
            coordinator.id,
            row.case_id,
            "restore access",
            "re-sealed after a password reset",
        )
    return len(shared)


def _genuine(row: CaseKey, privates: list[bytes], recovery_private: bytes) -> bool:
    """Did this key row really hold the case's key for one of these keys? Anyone can seal a box
    to a public key, so opening proves nothing alone: what it holds must be the case's own data
    key, as the recovery copy (sealed to the pinned key) says."""
    ctx = key_context(row.case_id, row.holder, row.user_id)
    for private in privates:
        try:
            held = envelope.open_sealed(row.sealed_key, private, ctx)
        except DecryptionError:
            continue
        try:
            real = recovery_data_key(row.case_id, recovery_private)
        except (DecryptionError, NotSharedError):
            return False
        return hmac.compare_digest(held, real)
    return False


def replace_keypair(user: User, old_private: bytes, password: str, upgrade: bool = False) -> bytes:
    """A fresh (hybrid) keypair; returns the new private key. The cases shared with the person
    as a counselor or coordinator are re-sealed to it in place; their own requests and reports
    move through the inbox (signed, sealed to the new key, naming no one) and are taken by
    their own session in a transaction of its own: this one writes their account row, and must
    not write anything of their requests (SECURITY.md, the engine's bookkeeping).

    For someone choosing their first own password (the old key was wrapped under a one-time
    password an admin saw: it must not stay useful), and, with ``upgrade``, for moving a
    classical key of an earlier release to a post-quantum one at sign-in. Only an upgrade keeps
    the person's confirmed roles: they proved they hold the old key, and nobody else saw it.
    """
    kept_roles = (
        [r.role for r in user.role_rows if r.endorsement and trust.endorsed(user, r.role)]
        if upgrade
        else []
    )
    entries = keys.read_index(user, old_private)
    shared = db.session.scalars(
        select(CaseKey).where(CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id)
    ).all()
    opened = _open_all(shared, old_private)
    moving = [_with_key(e, old_private) for e in entries]
    old_handle = keys.index_handle(old_private)
    new_private = keys.give_new_keypair(user, password)
    for row, key in opened:
        row.sealed_key = envelope.seal(
            key, user.public_key, key_context(row.case_id, row.holder, row.user_id)
        )
    if moving:
        keys.post_to_inbox(user, [*moving, {"drop": old_handle.hex()}])
    else:
        db.session.execute(delete(CaseIndex).where(CaseIndex.handle == old_handle))
    trust.withdraw_endorsements(user)
    for role in kept_roles:
        trust.endorse(user, role)
    return new_private


def _open_all(rows_: list[CaseKey], private: bytes) -> list[tuple[CaseKey, bytes]]:
    opened = []
    for row in rows_:
        ctx = key_context(row.case_id, row.holder, row.user_id)
        try:
            opened.append((row, envelope.open_sealed(row.sealed_key, private, ctx)))
        except DecryptionError:
            continue  # not sealed to this key (e.g. still waiting for a restore)
    return opened


def _with_key(entry: dict, old_private: bytes) -> dict:
    """An index entry moving to a new key: an owner's entry carries the case's data key, opened
    with the old key, for their own session to re-seal."""
    row = key_row(int(entry["case"]), KeyHolder.OWNER) if entry.get("as") == "owner" else None
    for _, key in _open_all([row] if row else [], old_private):
        return {**entry, "key": key.hex()}
    return entry


def take_case_keys(user: User, held: list[tuple[int, bytes]]) -> None:
    """The person's own session re-seals the owner copies of the keys their inbox carried
    (server-signed entries: after a restore or a key upgrade) to their current key."""
    if not held:
        return
    public = trust.own_key(user).public
    for case_id, data_key in held:
        row = key_row(case_id, KeyHolder.OWNER)
        if row is not None:
            row.sealed_key = envelope.seal(
                data_key, public, key_context(case_id, KeyHolder.OWNER, None)
            )


def rotate_recovery(old_code: str, show: Callable[[str], None]) -> int:
    """A new (hybrid) program recovery key: every box sealed to the old one is re-sealed to it,
    and the pin is replaced. Returns how many boxes were re-sealed. It owns its transaction by
    hand (it is not a ``use_case``): the pin file moves with the commit, and back if it fails.

    Needs the old code: without it nothing sealed to the old key could be re-sealed. The new
    code is handed to ``show`` before anything is committed: if the commit then fails, the old
    code still works; once it succeeds, the new code has been shown.
    """
    old_private = keys.recovery_private_key(old_code)
    new = keypairs.generate()
    count = 0
    for row in db.session.scalars(select(CaseKey).where(CaseKey.holder == KeyHolder.RECOVERY)):
        ctx = key_context(row.case_id, KeyHolder.RECOVERY, None)
        key = envelope.open_sealed(row.sealed_key, old_private, ctx)
        row.sealed_key = envelope.seal(key, new.public, ctx)
        count += 1
    for holder in [*db.session.scalars(select(User)), *db.session.scalars(select(RetiredUserKey))]:
        ctx = keys.recovery_context(holder.public_key)
        private = envelope.open_sealed(holder.recovery_sealed_key, old_private, ctx)
        holder.recovery_sealed_key = envelope.seal(private, new.public, ctx)
        count += 1
    db.session.execute(delete(RecoveryKey))
    db.session.add(RecoveryKey(public_key=new.public))
    show(recovery.encode(new.private))
    # The pin moves first, and back if the commit fails: never a database sealed to one key
    # while the pin names another.
    old_public = pinned_recovery_key()
    pin_recovery_key(new.public, replace=True)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if old_public is not None:
            pin_recovery_key(old_public, replace=True)
        raise
    return count
